use std::path::PathBuf;

/// A configuration problem: always one line naming the file (and, when
/// known, the line) and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read configuration: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
}

/// Why a run could not start (exit code 2 at the CLI).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{}: no such file or directory", .0.display())]
    MissingPath(PathBuf),
    #[error("{0}")]
    Ambiguous(String),
}
