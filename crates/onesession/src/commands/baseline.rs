//! `onesession baseline write`.

use std::io::{Read, Write};

use anyhow::{Context, Result};
use onesession_engine::baseline::Baseline;
use onesession_engine::run;

use crate::args::BaselineCommand;
use crate::EXIT_CLEAN;

pub fn run(command: BaselineCommand, stdout: &mut dyn Write, stdin: &mut dyn Read) -> Result<u8> {
    let BaselineCommand::Write { selection, output } = command;
    let loaded = super::load(&selection, stdin)?;
    let findings = run::check(&loaded.project, &loaded.rules);
    let baseline = Baseline::from_findings(&loaded.project, &findings);
    let target = match output {
        Some(path) => loaded.cwd.join(path),
        None => loaded
            .project
            .settings
            .root
            .join("onesession-baseline.json"),
    };
    std::fs::write(&target, baseline.to_json())
        .with_context(|| format!("cannot write {}", super::display_path(&loaded.cwd, &target)))?;
    writeln!(
        stdout,
        "wrote {} ({} finding{})",
        super::display_path(&loaded.cwd, &target),
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    )?;
    Ok(EXIT_CLEAN)
}
