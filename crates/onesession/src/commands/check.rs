//! `onesession check`: the CI gate.

use std::io::{Read, Write};

use anyhow::Result;
use onesession_engine::baseline::Baseline;
use onesession_engine::cache::{cache_dir, CheckCache, FileStats};
use onesession_engine::run;

use crate::args::{CheckArgs, OutputFormat};
use crate::output;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};

pub fn run(
    args: &CheckArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<u8> {
    if args.show_settings {
        let mut loaded = super::load_unparsed(&args.selection, stdin, false)?;
        loaded.project.index()?;
        output::settings(stdout, &loaded.project, &loaded.rules, &loaded.cwd)?;
        return Ok(EXIT_CLEAN);
    }
    let mut loaded = super::load_unparsed(&args.selection, stdin, !args.no_cache)?;
    let dir = cache_dir(&loaded.project.settings, &loaded.cwd);
    let cache = (!args.no_cache).then(|| CheckCache::new(&dir, &loaded.project, &loaded.rules));
    if !args.no_cache {
        FileStats::store(&dir, &loaded.project);
    }
    let cached = cache
        .as_ref()
        .and_then(|c| c.load(&loaded.project, &loaded.rules));
    let (mut findings, notices) = match cached {
        Some(hit) => hit,
        None => {
            // Files are parsed as they are checked and their syntax trees
            // (and texts, unless they have findings) dropped after: memory
            // follows the files in flight.
            loaded.project.index()?;
            loaded.project.skip_unreachable();
            let findings = run::check(&loaded.project, &loaded.rules);
            if let Some(cache) = &cache {
                cache.store(&loaded.project, &findings);
            }
            (findings, loaded.project.notices.clone())
        }
    };
    let project = &loaded.project;
    if !args.quiet && args.format == OutputFormat::Text {
        for notice in &notices {
            writeln!(stderr, "note: {notice}")?;
        }
        for problem in &project.walk_problems {
            writeln!(
                stderr,
                "warning: {}: {} (skipped)",
                super::display_path(&loaded.cwd, &problem.path),
                problem.message
            )?;
        }
    }
    let mut stale = Vec::new();
    if let Some(file) = &args.baseline {
        let baseline = Baseline::load(&super::absolute(&loaded.cwd, file))?;
        (findings, stale) = baseline.apply(project, findings);
        for entry in &stale {
            writeln!(
                stderr,
                "warning: stale baseline entry: {} {} `{}` matches nothing (run `onesession baseline write` to tighten)",
                entry.rule, entry.path, entry.code
            )?;
        }
    }
    let rows = output::rows(project, &loaded.cwd, &findings);
    match args.format {
        OutputFormat::Json => output::json(stdout, &rows)?,
        OutputFormat::Sarif => {
            // Paths from the repository root, named as its base id.
            let base = super::report_base(&loaded.cwd);
            output::ci::sarif(
                stdout,
                project,
                &findings,
                &output::rows(project, &base, &findings),
                &onesession_transforms::all_rules(),
                &base,
            )?
        }
        OutputFormat::Github => output::ci::github(stdout, &rows)?,
        OutputFormat::Junit => output::ci::junit(stdout, &rows)?,
        OutputFormat::Text if args.statistics => output::statistics(stdout, &findings)?,
        OutputFormat::Text => {
            output::text(stdout, project, &findings, &rows, color)?;
            if !args.quiet {
                let files = project.files.iter().filter(|f| f.requested).count();
                output::summary(stdout, &findings, files)?;
            }
        }
    }
    if args.strict_baseline && !stale.is_empty() {
        writeln!(
            stderr,
            "error: {} stale baseline entr{} (--strict-baseline)",
            stale.len(),
            if stale.len() == 1 { "y" } else { "ies" }
        )?;
        return Ok(EXIT_FINDINGS);
    }
    let code = if findings.is_empty() || args.exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    };
    Ok(code)
}
