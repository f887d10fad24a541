//! One module per command; each returns its exit code.

mod audit;
mod baseline;
mod check;
mod explain;
mod fix;
mod init;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use onesession_engine::cache::{cache_dir, FileStats};
use onesession_engine::{Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;

use crate::args::{Command, Selection};

pub fn dispatch(
    command: Command,
    console: &crate::Console,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<u8> {
    match command {
        // `check --fix` / `check --diff`: what `fix` does, as in ruff.
        Command::Check(args) if args.fix || args.diff => {
            let fix_args = crate::args::FixArgs {
                selection: args.selection,
                unsafe_fixes: args.unsafe_fixes,
                diff: args.diff,
                show_fixes: false,
                interactive: false,
                branch: None,
                allow_dirty: false,
                force: false,
                stay: false,
                no_verify: false,
            };
            fix::run(&fix_args, console, color, stdout, stderr, stdin)
        }
        Command::Check(args) => check::run(&args, color, stdout, stderr, stdin),
        Command::Fix(args) => fix::run(&args, console, color, stdout, stderr, stdin),
        Command::Audit(args) => audit::run(&args, stdout, stderr, stdin),
        Command::Baseline(command) => baseline::run(command, stdout, stdin),
        Command::Completions { shell } => {
            let mut command = <crate::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "onesession", stdout);
            Ok(crate::EXIT_CLEAN)
        }
        Command::Explain { rule } => explain::explain(&rule, stdout),
        Command::Rules { format } => explain::rules(format, stdout),
        Command::Init {
            path,
            force,
            canonical,
        } => init::run(
            &init::InitOptions {
                path: &path,
                force,
                canonical: canonical.as_deref(),
                interactive: console.interactive,
            },
            stdout,
            stderr,
        ),
    }
}

/// A loaded project and the rules to run, from the command line.
pub struct Loaded {
    pub project: Project,
    pub rules: RuleSet<'static>,
    pub cwd: PathBuf,
}

/// Loads, parses and indexes the project.
pub fn load(selection: &Selection, stdin: &mut dyn Read) -> Result<Loaded> {
    let mut loaded = load_unparsed(selection, stdin, false)?;
    loaded.project.analyse()?;
    Ok(loaded)
}

/// Discovers and reads the project without parsing (the cache decides).
/// With `use_stats`, files unchanged since the last run's record (size and
/// mtime) are hashed from it without being read.
pub fn load_unparsed(
    selection: &Selection,
    stdin: &mut dyn Read,
    use_stats: bool,
) -> Result<Loaded> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut inputs = Inputs::default();
    let mut paths = Vec::new();
    for path in &selection.paths {
        if path.as_os_str() == "-" {
            let Some(name) = &selection.stdin_filename else {
                bail!("`-` reads standard input: say which file it is with --stdin-filename PATH");
            };
            let mut text = String::new();
            stdin
                .read_to_string(&mut text)
                .context("standard input is not UTF-8 text")?;
            inputs.stdin = Some((absolute(&cwd, name), text));
        } else {
            paths.push(absolute(&cwd, path));
        }
    }
    if paths.is_empty() && inputs.stdin.is_none() {
        paths.push(cwd.clone());
    }
    for path in &selection.paths {
        if path.as_os_str() == "-" {
            continue;
        }
        match std::fs::metadata(cwd.join(path)) {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                bail!("{}: no such file or directory", path.display());
            }
            // A symlink loop, a permission problem: say which.
            Err(error) => bail!("{}: {error}", path.display()),
        }
    }
    let start = paths
        .first()
        .or(inputs.stdin.as_ref().map(|(p, _)| p))
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map_or_else(|| cwd.clone(), Path::to_owned)
            }
        })
        .unwrap_or_else(|| cwd.clone());
    // Without a configuration, the project root is the working directory
    // when the checked paths are inside it (module names start there).
    let default_root = if start.starts_with(&cwd) {
        &cwd
    } else {
        &start
    };
    let mut settings = match &selection.config {
        Some(file) => Settings::from_file(&absolute(&cwd, file))?,
        None => Settings::discover(&start, default_root)?,
    };
    settings.extend_exclude(&selection.exclude)?;
    settings.force_exclude |= selection.force_exclude;
    let select = selection.select.clone().or_else(|| settings.select.clone());
    let mut ignore = settings.ignore.clone();
    ignore.extend(selection.ignore.iter().cloned());
    let mut extend = selection.extend_select.clone();
    if settings.dependency_commits == Some(false) {
        extend.push("DB119".into());
    }
    let origin = settings.origin();
    let rules = RuleSet::new(TRANSFORMS, select.as_deref(), &extend, &ignore)
        .map_err(|e| anyhow::anyhow!("{e} (in --select/--ignore or {})", origin.display()))?;
    inputs.paths = paths;
    if use_stats {
        inputs.known = Some(FileStats::load(&cache_dir(&settings, &cwd), &settings.root));
    }
    let mut project = Project::read(settings, &inputs)?;
    project.progress = crate::progress::on_stderr();
    Ok(Loaded {
        project,
        rules,
        cwd,
    })
}

/// `path` made absolute against `cwd`, with `.` and `..` folded.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = cwd.join(path);
    joined.canonicalize().unwrap_or(joined)
}

/// `path` relative to the working directory, `/`-separated.
/// Where paths in a patch or a SARIF log start: the root of the git work
/// tree holding `cwd` (as `git diff` writes them, so `git apply` and code
/// scanning find the files wherever the tool ran), else `cwd`.
pub fn report_base(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_owned()
}

pub fn display_path(cwd: &Path, path: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => path.display().to_string(),
    }
}
