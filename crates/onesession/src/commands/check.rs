//! `onesession check`: the CI gate.

use std::io::{Read, Write};

use anyhow::Result;
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
    let loaded = super::load(&args.selection, stdin)?;
    let project = &loaded.project;
    if !args.quiet && args.format == OutputFormat::Text {
        for notice in &project.notices {
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
    let findings = run::check(project, &loaded.rules);
    let rows = output::rows(project, &loaded.cwd, &findings);
    match args.format {
        OutputFormat::Json => output::json(stdout, &rows)?,
        OutputFormat::Text if args.statistics => output::statistics(stdout, &findings)?,
        OutputFormat::Text => {
            output::text(stdout, project, &findings, &rows, color)?;
            if !args.quiet {
                let files = project.files.iter().filter(|f| f.requested).count();
                output::summary(stdout, &findings, files)?;
            }
        }
    }
    let code = if findings.is_empty() || args.exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    };
    Ok(code)
}
