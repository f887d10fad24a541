//! `onesession init`: infer the project model and write it down as a
//! commented `onesession.toml`: the canonical module and its real
//! providers, the source roots, the redundant modules (with the names
//! that correspond), the layers and what is left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use onesession_engine::model::{Canon, CanonicalOrigin};
use onesession_engine::summary::ProviderKind;
use onesession_engine::{Inputs, Layer, Project, Settings};

use crate::EXIT_CLEAN;

pub struct InitOptions<'a> {
    pub path: &'a Path,
    pub force: bool,
    /// `--canonical MODULE`: the user's choice.
    pub canonical: Option<&'a str>,
    /// Ask on a real tie (a terminal on stdin and stderr).
    pub interactive: bool,
}

pub fn run(
    options: &InitOptions<'_>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let root = super::absolute(&cwd, options.path);
    if !root.is_dir() {
        bail!("{}: not a directory", options.path.display());
    }
    let target = root.join("onesession.toml");
    if target.exists() && !options.force {
        bail!(
            "{}: already exists (use --force to overwrite)",
            super::display_path(&cwd, &target)
        );
    }
    // An existing configuration's excludes and roots still hold; what it
    // says of the model is inferred again (or chosen with --canonical).
    let mut settings = Settings::discover(&root, &root)?;
    settings.canonical_module = options.canonical.map(str::to_owned);
    settings.context_manager = None;
    settings.dependency = None;
    settings.factories = None;
    let inputs = Inputs {
        paths: vec![root.clone()],
        stdin: None,
        known: None,
    };
    let mut project = Project::open(settings, &inputs)?;
    project.index()?;
    if let CanonicalOrigin::Ambiguous(tied) = project.canon.origin.clone() {
        let chosen = if options.interactive {
            choose(&tied)?
        } else {
            bail!(
                "several modules could be the canonical session module, with evidence too close to choose ({}); run `onesession init --canonical MODULE` naming the sanctioned one",
                tied.join(", ")
            )
        };
        project.settings.canonical_module = Some(chosen);
        project.index()?;
    }
    if project.canon.module.is_none() {
        bail!(
            "no module under {} builds a session factory or an engine, or hands out a session; write onesession.toml by hand (see the README), or name the module with --canonical",
            super::display_path(&cwd, &root)
        );
    }
    let config = render(&project, &project.canon);
    std::fs::write(&target, config)
        .with_context(|| format!("cannot write {}", super::display_path(&cwd, &target)))?;
    for line in project.model_lines(&project.canon) {
        writeln!(stderr, "{line}")?;
    }
    writeln!(stdout, "wrote {}", super::display_path(&cwd, &target))?;
    Ok(EXIT_CLEAN)
}

/// A real tie: the user picks.
fn choose(tied: &[String]) -> Result<String> {
    let picked = dialoguer::Select::new()
        .with_prompt(
            "Several modules could be the canonical session module; which one is sanctioned?",
        )
        .items(tied)
        .default(0)
        .interact_opt()
        .context("cannot ask on this terminal; pass --canonical MODULE")?;
    match picked {
        Some(i) => Ok(tied[i].clone()),
        None => bail!("no module chosen; pass --canonical MODULE"),
    }
}

/// The configuration: every key the model decided, each with a comment
/// saying what was found.
fn render(project: &Project, canon: &Canon) -> String {
    let module = canon.module.as_deref().unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# onesession configuration, written by `onesession init` from the code.\n\
         # Every name below exists in the code today; review, then commit."
    );
    let evidence = canon
        .candidates
        .iter()
        .find(|c| c.module == module)
        .map(|c| c.evidence.join("; "))
        .unwrap_or_else(|| "chosen with --canonical".to_owned());
    let _ = writeln!(
        out,
        "\n# The one module that builds the engine and hands out sessions\n# ({evidence}).\ncanonical-module = {module:?}"
    );
    let named = |qualified: &Option<String>| {
        qualified
            .as_deref()
            .and_then(|q| q.rsplit('.').next())
            .map(str::to_owned)
    };
    let kind_of = |name: &str| {
        canon
            .providers
            .iter()
            .find(|p| p.name == name)
            .map_or("", |p| p.kind.as_str())
    };
    match named(&canon.context_manager) {
        Some(cm) => {
            let _ = writeln!(
                out,
                "context-manager = {cm:?}  # {}: sessions for background work",
                kind_of(&cm)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# context-manager: `{module}` has no context manager that yields a session;\n# fixes that open one stay manual until it has (then name it here)."
            );
        }
    }
    match named(&canon.dependency) {
        Some(dep) => {
            let _ = writeln!(
                out,
                "dependency = {dep:?}  # {}: `Depends(...)` in routers",
                kind_of(&dep)
            );
        }
        None => {
            let _ = writeln!(out, "# dependency: `{module}` has no FastAPI dependency.");
        }
    }
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "factories = [{}]  # raw session factories that must not leave it",
        quoted(&canon.factories)
    );
    let roots: Vec<String> = project
        .settings
        .src
        .iter()
        .map(|r| onesession_engine::discover::relative_to(r, &project.settings.root))
        .map(|r| if r.is_empty() { ".".to_owned() } else { r })
        .collect();
    let _ = writeln!(
        out,
        "\n# Source roots: module names start there.\nsrc = [{}]",
        quoted(&roots)
    );
    if !project.settings.exclude.patterns.is_empty() {
        let own: Vec<String> = project
            .settings
            .exclude
            .patterns
            .iter()
            .filter(|p| !onesession_engine::settings::DEFAULT_EXCLUDE.contains(&p.as_str()))
            .cloned()
            .collect();
        if !own.is_empty() {
            let _ = writeln!(out, "exclude = [{}]", quoted(&own));
        }
    }
    let migrations: Vec<&str> = project
        .files
        .iter()
        .filter(|f| project.is_migration(f))
        .map(|f| f.relative.as_str())
        .collect();
    let tests = project
        .files
        .iter()
        .filter(|f| f.layer() == Layer::Test)
        .count();
    let _ = writeln!(
        out,
        "# Not checked as application code: {} migration file{} (Alembic, found by content){}; {tests} test file{} (only DB104 and DB118 apply there).",
        migrations.len(),
        if migrations.len() == 1 { "" } else { "s" },
        migrations
            .first()
            .map(|m| format!(", e.g. {m}"))
            .unwrap_or_default(),
        if tests == 1 { "" } else { "s" },
    );
    layers(project, &mut out);
    deprecated(project, canon, &mut out);
    out
}

/// The layers found, as globs of the directories that hold them
/// (commented: the defaults and what the files do decide without them).
fn layers(project: &Project, out: &mut String) {
    // A directory whose files are all of one layer is `dir/**`; a file
    // among others of another layer is named itself.
    let dir_of = |relative: &str| relative.rsplit_once('/').map(|(d, _)| d.to_owned());
    let mut layers_in: BTreeMap<Option<String>, Vec<Layer>> = BTreeMap::new();
    for file in project.files.iter().filter(|f| f.requested) {
        let layer = if project.is_migration(file) {
            Layer::Other
        } else {
            file.layer()
        };
        let dir = dir_of(&file.relative);
        let mut ancestor = dir.clone();
        while let Some(current) = ancestor {
            layers_in
                .entry(Some(current.clone()))
                .or_default()
                .push(layer);
            ancestor = dir_of(&current);
        }
        layers_in.entry(None).or_default().push(layer);
    }
    let mut dirs: BTreeMap<Layer, Vec<String>> = BTreeMap::new();
    for file in project.files.iter().filter(|f| f.requested) {
        let layer = file.layer();
        if matches!(layer, Layer::Other | Layer::Test) || project.is_migration(file) {
            continue;
        }
        let dir = dir_of(&file.relative);
        let uniform = layers_in
            .get(&dir)
            .is_some_and(|all| all.iter().all(|l| *l == layer));
        let glob = match dir {
            Some(dir) if uniform => format!("{dir}/**"),
            _ => file.relative.clone(),
        };
        let entry = dirs.entry(layer).or_default();
        if !entry.contains(&glob) {
            entry.push(glob);
        }
    }
    let _ = writeln!(
        out,
        "\n# Layers, as found (by path and by what files do: APIRouter and routes,\n# scheduled or queued jobs). Uncomment to pin them.\n# [layers]"
    );
    for (layer, key) in [
        (Layer::Router, "routers"),
        (Layer::Service, "services"),
        (Layer::Background, "background"),
        (Layer::Script, "scripts"),
    ] {
        if let Some(globs) = dirs.get(&layer) {
            let shown: Vec<String> = globs.iter().take(12).map(|g| format!("{g:?}")).collect();
            let _ = writeln!(out, "# {key} = [{}]", shown.join(", "));
        }
    }
}

/// The redundant modules, each with the names that correspond to the
/// canonical module's (same kind of provider), commented: declaring one
/// deprecated makes its retirement a safe fix.
fn deprecated(project: &Project, canon: &Canon, out: &mut String) {
    let redundant = project.redundant_modules();
    if redundant.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n# Modules that build their own engine or session factory. Uncomment to\n# retire one: its importers are rewritten to the canonical names."
    );
    let module = canon.module.as_deref().unwrap_or_default();
    for name in redundant {
        let summary = project.module(&name).unwrap_or_default();
        let mut names = Vec::new();
        for (old, kind) in &summary.providers {
            // The same kind of provider, else a context manager for a
            // shadow one that hands out sessions its own way.
            let same = canon
                .providers
                .iter()
                .find(|p| p.kind == *kind)
                .or_else(|| {
                    matches!(kind, ProviderKind::SessionFunction)
                        .then(|| canon.providers.iter().find(|p| p.kind.is_context_manager()))
                        .flatten()
                });
            if let Some(new) = same {
                names.push(format!("{old} = {:?}", new.name));
            }
        }
        let _ = writeln!(out, "# [deprecated.{name:?}]\n# replacement = {module:?}");
        if !names.is_empty() {
            let _ = writeln!(out, "# names = {{ {} }}", names.join(", "));
        }
    }
}
