//! `onesession init`: detect the canonical session module and write it down.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use onesession_engine::config::RawConfig;
use onesession_engine::project::CanonicalOrigin;
use onesession_engine::{Inputs, Project, Settings};

use crate::EXIT_CLEAN;

pub fn run(path: &Path, force: bool, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let root = super::absolute(&cwd, path);
    if !root.is_dir() {
        bail!("{}: not a directory", path.display());
    }
    let target = root.join("onesession.toml");
    if target.exists() && !force {
        bail!(
            "{}: already exists (use --force to overwrite)",
            super::display_path(&cwd, &target)
        );
    }
    let settings = Settings::resolve(root.clone(), None, RawConfig::default())?;
    let project = Project::load(
        settings,
        &Inputs {
            paths: vec![root.clone()],
            stdin: None,
            known: None,
        },
    )?;
    let canon = &project.canon;
    let module = match (&canon.origin, &canon.module) {
        (CanonicalOrigin::Ambiguous(candidates), _) => bail!(
            "several modules build a session factory ({}); write onesession.toml with `canonical-module = \"...\"` naming the sanctioned one",
            candidates.join(", ")
        ),
        (_, Some(module)) => module.clone(),
        _ => bail!(
            "no module builds a session factory (sessionmaker/async_sessionmaker at module level) under {}; write onesession.toml by hand (see README)",
            super::display_path(&cwd, &root)
        ),
    };
    let Some(summary) = project.module(&module) else {
        bail!("module `{module}` has no file under the source roots");
    };
    let mut functions: Vec<&String> = summary.functions.keys().collect();
    functions.sort();
    let pick = |preferred: &str, fallback: &[&str]| -> String {
        if summary.functions.contains_key(preferred) {
            return preferred.to_owned();
        }
        fallback
            .iter()
            .find(|f| summary.functions.contains_key(**f))
            .map_or(preferred.to_owned(), |f| (*f).to_owned())
    };
    let context_manager = pick("get_session", &["get_async_session", "session_scope"]);
    let dependency = pick(
        "get_session_dependency",
        &["get_db", "get_db_session", "get_async_db"],
    );
    let factories: Vec<String> = summary
        .session_factories
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    let config = format!(
        "# onesession configuration (written by `onesession init`).\n\
         # The one module allowed to build the engine and session factory.\n\
         canonical-module = {module:?}\n\
         # The sanctioned providers: an async context manager for background\n\
         # work and a FastAPI dependency for routers.\n\
         context-manager = {context_manager:?}\n\
         dependency = {dependency:?}\n\
         # Raw session factories that must not leave the canonical module.\n\
         factories = [{}]\n\
         \n\
         # Modules to retire, and what replaces their names:\n\
         # [deprecated.\"app.db.direct_session\"]\n\
         # names = {{ get_direct_session = \"get_session\" }}\n",
        factories.join(", ")
    );
    std::fs::write(&target, config)
        .with_context(|| format!("cannot write {}", super::display_path(&cwd, &target)))?;
    writeln!(
        stderr,
        "detected canonical session module `{module}` (providers `{context_manager}`, `{dependency}`)"
    )?;
    writeln!(stdout, "wrote {}", super::display_path(&cwd, &target))?;
    Ok(EXIT_CLEAN)
}
