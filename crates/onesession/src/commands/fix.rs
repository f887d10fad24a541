//! `onesession fix` and `onesession fix --diff`.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use anyhow::Result;
use onesession_engine::fix::{fix_project, FixOptions, FixReport};
use onesession_engine::text::Applicability;
use onesession_review::diff::unified;
use onesession_review::write::write_atomically;

use crate::args::FixArgs;
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn run(
    args: &FixArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<u8> {
    let super::Loaded {
        mut project,
        rules,
        cwd,
    } = super::load(&args.selection, stdin)?;
    for notice in &project.notices {
        writeln!(stderr, "note: {notice}")?;
    }
    let options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
    };
    let report = fix_project(&mut project, &rules, options)?;
    let path_of = |id| super::display_path(&cwd, &project.file(id).path);

    for problem in &report.problems {
        writeln!(
            stderr,
            "warning: {}: {}",
            path_of(problem.file),
            problem.reason
        )?;
    }

    if args.diff {
        for (file, original, fixed) in &report.changes {
            stdout.write_all(unified(&path_of(*file), original, fixed).as_bytes())?;
        }
        summary(stderr, &report, args.show_fixes, &path_of, true)?;
        return Ok(if report.changes.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }

    let mut failed = false;
    for (id, original, fixed) in &report.changes {
        let file = project.file(*id);
        let bom = file.source.as_ref().is_some_and(|s| s.bom);
        let mut on_disk = Vec::new();
        if bom {
            on_disk.extend_from_slice(b"\xEF\xBB\xBF");
        }
        on_disk.extend_from_slice(original.as_bytes());
        if let Err(error) = write_atomically(&file.path, &on_disk, fixed, bom) {
            writeln!(stderr, "error: {}: {error}", path_of(*id))?;
            failed = true;
        }
    }
    summary(stdout, &report, args.show_fixes, &path_of, false)?;
    Ok(if failed {
        EXIT_ERROR
    } else if report.remaining.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn summary(
    out: &mut dyn Write,
    report: &FixReport,
    show_fixes: bool,
    path_of: &dyn Fn(onesession_engine::text::FileId) -> String,
    dry_run: bool,
) -> Result<()> {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for applied in &report.applied {
        for rule in &applied.rules {
            *by_rule.entry(rule).or_default() += 1;
        }
    }
    let fixes: usize = report.applied.len();
    let verb = if dry_run { "Would fix" } else { "Fixed" };
    if fixes == 0 {
        writeln!(out, "Nothing to fix.")?;
    } else {
        let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        writeln!(
            out,
            "{verb} {fixes} finding{} in {} file{} ({}).",
            if fixes == 1 { "" } else { "s" },
            report.changes.len(),
            if report.changes.len() == 1 { "" } else { "s" },
            rules.join(", ")
        )?;
    }
    if show_fixes {
        for (file, _, _) in &report.changes {
            writeln!(out, "  {}", path_of(*file))?;
        }
    }
    let manual = report
        .remaining
        .iter()
        .filter(|f| f.applicability() == Applicability::Manual)
        .count();
    let unsafe_left = report
        .remaining
        .iter()
        .filter(|f| f.applicability() == Applicability::Unsafe)
        .count();
    if manual > 0 {
        writeln!(
            out,
            "{manual} finding{} need a manual fix (`onesession check` lists them).",
            if manual == 1 { "" } else { "s" }
        )?;
    }
    if unsafe_left > 0 {
        writeln!(out, "{unsafe_left} more fixable with --unsafe-fixes.")?;
    }
    Ok(())
}
