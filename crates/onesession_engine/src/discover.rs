//! Finding the Python files of a project.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::error::EngineError;
use crate::settings::Settings;

/// A file the walk found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    pub path: PathBuf,
    /// Inside the paths the user asked about (the rest only feeds the
    /// project index, which cross-file rules need).
    pub requested: bool,
}

/// What the walk could not enter, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// Walks the project root (honouring .gitignore and the exclude globs) so
/// the index sees every module, and marks the files under `requested`.
/// A requested file is included even when excluded, unless
/// `force-exclude` is set.
pub fn discover(
    settings: &Settings,
    requested: &[PathBuf],
) -> Result<(Vec<Discovered>, Vec<WalkProblem>), EngineError> {
    for path in requested {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(EngineError::MissingPath(path.clone()));
        }
    }
    let mut roots: Vec<PathBuf> = vec![settings.root.clone()];
    for path in requested {
        if !path.starts_with(&settings.root) {
            roots.push(path.clone());
        }
    }

    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    for root in &roots {
        walk(settings, root, &found, &problems);
    }
    let mut files: Vec<Discovered> = found
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|path: PathBuf| {
            let requested = requested.iter().any(|r| path.starts_with(r));
            Discovered { path, requested }
        })
        .collect();
    for path in requested {
        let excluded = settings.force_exclude
            && path.starts_with(&settings.root)
            && is_excluded_here(settings, &relative_to(path, &settings.root));
        if path.is_file() && !excluded && !files.iter().any(|f| &f.path == path) {
            files.push(Discovered {
                path: path.clone(),
                requested: true,
            });
        }
    }
    // Path order (component by component) is byte order with `/` lowest;
    // comparing keys built once is much cheaper than parsing components
    // at every comparison.
    files.sort_by_cached_key(|f| path_order_key(&f.path));
    files.dedup_by(|a, b| a.path == b.path);
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort_by(|a: &WalkProblem, b| a.path.cmp(&b.path));
    Ok((files, problems))
}

fn walk(
    settings: &Settings,
    root: &Path,
    found: &Mutex<Vec<PathBuf>>,
    problems: &Mutex<Vec<WalkProblem>>,
) {
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let path = error_path(&error).unwrap_or_else(|| root.to_owned());
                    if let Ok(mut problems) = problems.lock() {
                        problems.push(WalkProblem {
                            path,
                            message: error_message(&error),
                        });
                    }
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let relative = relative_to(path, &settings.root);
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if entry.depth() > 0 && settings.is_excluded(&relative) {
                return if is_dir {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if is_dir && entry.depth() > 0 && settings.is_excluded(&format!("{relative}/x")) {
                return WalkState::Skip;
            }
            let is_python = path.extension().is_some_and(|e| e == "py");
            if is_python && entry.file_type().is_some_and(|t| t.is_file()) {
                if let Ok(mut found) = found.lock() {
                    found.push(path.to_owned());
                }
            }
            WalkState::Continue
        })
    });
}

/// Directories that hold other projects' code (virtual environments,
/// vendored packages): never part of the program.
const FOREIGN_DIRS: &[&str] = &[
    ".venv",
    "venv",
    "node_modules",
    "__pypackages__",
    ".tox",
    ".nox",
];

/// The Python files under the root that the exclude globs leave out of
/// the check (tests, migrations, scripts the user excluded) but that are
/// still part of the program: a fix that changes a function's signature
/// must know whether they call it. Foreign directories are not walked.
pub fn excluded_files(settings: &Settings) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    let walker = WalkBuilder::new(&settings.root)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| FOREIGN_DIRS.contains(&name)))
        })
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            let path = entry.path();
            let is_python = path.extension().is_some_and(|e| e == "py")
                && entry.file_type().is_some_and(|t| t.is_file());
            if is_python && is_excluded_here(settings, &relative_to(path, &settings.root)) {
                if let Ok(mut found) = found.lock() {
                    found.push(path.to_owned());
                }
            }
            WalkState::Continue
        })
    });
    let mut files = found.into_inner().unwrap_or_default();
    files.sort();
    files
}

/// Excluded itself or through a directory above it (as the walk of
/// [`discover`] decides).
fn is_excluded_here(settings: &Settings, relative: &str) -> bool {
    settings.is_excluded(relative)
        || relative.match_indices('/').any(|(slash, _)| {
            let dir = &relative[..slash];
            settings.is_excluded(dir) || settings.is_excluded(&format!("{dir}/x"))
        })
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symlink loop back to {}", ancestor.display())
        }
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied".to_owned()
        }
        other => other.to_string(),
    }
}

/// `path` relative to `base`, `/`-separated; the path itself when it is
/// not under `base`.
/// A key whose byte order is `Path`'s component order.
fn path_order_key(path: &Path) -> Vec<u8> {
    path.to_string_lossy()
        .bytes()
        .map(|b| if b == b'/' { 0 } else { b })
        .collect()
}

/// `path` below `base` as a `/`-separated string, without parsing
/// components, when `path` extends `base` byte for byte with plain
/// components (what the walker yields); `None` otherwise.
pub(crate) fn plain_suffix<'p>(path: &'p Path, base: &Path) -> Option<&'p str> {
    if std::path::MAIN_SEPARATOR != '/' {
        return None;
    }
    let (path, base) = (path.to_str()?, base.to_str()?);
    let rest = path.strip_prefix(base)?;
    let rest = if base.ends_with('/') {
        rest
    } else {
        rest.strip_prefix('/')?
    };
    let plain = !rest.is_empty()
        && rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    plain.then_some(rest)
}

pub fn relative_to(path: &Path, base: &Path) -> String {
    if let Some(rest) = plain_suffix(path, base) {
        return rest.to_owned();
    }
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    #[test]
    fn walks_honouring_gitignore_and_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "app/a.py",
            "app/b.txt",
            "migrations/env.py",
            "build/gen.py",
            "app/c.py",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x = 1\n").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        let settings = Settings::resolve(root.to_owned(), None, RawConfig::default()).unwrap();
        let requested = vec![root.join("app/a.py")];
        let (files, problems) = discover(&settings, &requested).unwrap();
        let names: Vec<(String, bool)> = files
            .iter()
            .map(|f| (relative_to(&f.path, root), f.requested))
            .collect();
        assert_eq!(
            names,
            vec![("app/a.py".into(), true), ("app/c.py".into(), false)]
        );
        assert!(problems.is_empty());
        assert!(matches!(
            discover(&settings, &[root.join("nope.py")]),
            Err(EngineError::MissingPath(_))
        ));
    }
}
