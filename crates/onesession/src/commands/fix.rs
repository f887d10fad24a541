//! `onesession fix`: batch (`fix`), dry run (`fix --diff`), interactive
//! (`fix -i`), and on a git branch (`fix --branch NAME`).

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{bail, Result};
use onesession_engine::fix::{fix_project_except, FixOptions, FixReport};
use onesession_engine::text::{Applicability, FileId};
use onesession_engine::{Project, RuleSet, Transform};
use onesession_review::branch::{self, BranchOptions, Step};
use onesession_review::diff::{unified, unified_each};
use onesession_review::interactive::{review, ReviewOptions, ReviewSummary};
use onesession_review::write::{check_writable, disk_bytes, write_atomically};
use onesession_transforms::TRANSFORMS;

use crate::args::FixArgs;
use crate::output::{counted, fixable};
use crate::prompter::TerminalPrompter;
use crate::{Console, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn run(
    args: &FixArgs,
    console: &Console,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<u8> {
    if args.interactive && !console.interactive {
        bail!("`fix -i` needs a terminal on stdin and stderr; use `onesession fix --diff` to review a patch, or `onesession fix` to apply the safe fixes");
    }
    let super::Loaded {
        mut project,
        rules,
        cwd,
    } = {
        // Files are parsed as they are reached (the review's first question
        // comes before the tree is parsed) and their syntax trees dropped
        // after: memory follows the files in flight.
        let mut loaded = super::load_unparsed(&args.selection, stdin, false)?;
        if args.interactive {
            // The review's questions own the terminal.
            loaded.project.progress = std::sync::Arc::new(onesession_engine::Silent);
        }
        loaded.project.index()?;
        loaded
    };
    for notice in &project.notices {
        writeln!(stderr, "note: {notice}")?;
    }
    for problem in &project.walk_problems {
        writeln!(
            stderr,
            "warning: {}: {} (skipped)",
            super::display_path(&cwd, &problem.path),
            problem.message
        )?;
    }
    let options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    };
    let path_of = paths_from(&project, &cwd);
    // Patch paths start at the repository root, as `git diff`'s do.
    let patch_path = paths_from(&project, &super::report_base(&cwd));

    if let Some(buffer) = project.files.iter().find(|f| f.from_stdin).map(|f| f.id) {
        if args.interactive || args.branch.is_some() {
            bail!("`fix -` fixes standard input; it cannot be combined with -i or --branch");
        }
        return fix_stdin(
            &mut project,
            &rules,
            options,
            buffer,
            args,
            &path_of,
            stdout,
            stderr,
        );
    }
    if let Some(name) = &args.branch {
        let options = BranchOptions {
            name: name.clone(),
            allow_dirty: args.allow_dirty,
            force: args.force,
            stay: args.stay,
            no_verify: args.no_verify,
        };
        return on_branch(
            &mut project,
            &rules,
            &options,
            args,
            color,
            &path_of,
            stdout,
            stderr,
        );
    }
    if args.interactive {
        let summary = review(
            &mut project,
            &rules,
            &mut TerminalPrompter::new(),
            stderr,
            ReviewOptions {
                color,
                unsafe_fixes: args.unsafe_fixes,
            },
            &path_of,
        )?;
        print_review_summary(stderr, &summary)?;
        return Ok(if summary.problems.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_ERROR
        });
    }

    let report = fix_project_except(&mut project, &rules, options, &HashSet::new())?;
    for problem in &report.problems {
        writeln!(
            stderr,
            "warning: {}: {}",
            path_of(problem.file),
            problem.reason
        )?;
    }
    if args.diff {
        let changes: Vec<(String, &str, &str)> = report
            .changes
            .iter()
            .map(|(file, original, fixed)| (patch_path(*file), original.as_str(), fixed.as_str()))
            .collect();
        for patch in unified_each(&changes) {
            stdout.write_all(patch.as_bytes())?;
        }
        summary(
            stderr,
            &report,
            args.show_fixes,
            &path_of,
            true,
            args.unsafe_fixes,
        )?;
        return Ok(if report.changes.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    let failed = write_changes(&project, &report, &path_of, stderr)?;
    if failed.len() == report.changes.len() && !failed.is_empty() {
        return Ok(EXIT_ERROR); // nothing was written: no summary of fixes
    }
    summary(
        stdout,
        &report,
        args.show_fixes,
        &path_of,
        false,
        args.unsafe_fixes,
    )?;
    Ok(if !failed.is_empty() {
        EXIT_ERROR
    } else if report.remaining.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Each file's path relative to `base`, by id.
fn paths_from(project: &Project, base: &std::path::Path) -> impl Fn(FileId) -> String {
    let names: Vec<String> = project
        .files
        .iter()
        .map(|f| super::display_path(base, &f.path))
        .collect();
    move |id: FileId| names[id.0 as usize].clone()
}

/// `fix -`: the buffer read from standard input, fixed, on standard output
/// (or its diff with `--diff`); nothing is written. Fixes that would also
/// edit other files are left out: the buffer alone is in the editor's hands.
#[allow(clippy::too_many_arguments)] // one call site; each is a distinct input
fn fix_stdin(
    project: &mut Project,
    rules: &RuleSet<'_>,
    options: FixOptions,
    buffer: FileId,
    args: &FixArgs,
    path_of: &dyn Fn(FileId) -> String,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8> {
    let others: HashSet<FileId> = project
        .files
        .iter()
        .map(|f| f.id)
        .filter(|id| *id != buffer)
        .collect();
    let original = project.file(buffer).text().to_owned();
    let report = fix_project_except(project, rules, options, &others)?;
    for problem in &report.problems {
        writeln!(
            stderr,
            "warning: {}: {}",
            path_of(problem.file),
            problem.reason
        )?;
    }
    let fixed = project.file(buffer).text();
    if args.diff {
        if fixed != original {
            stdout.write_all(unified(&path_of(buffer), &original, fixed).as_bytes())?;
        }
        summary(
            stderr,
            &report,
            args.show_fixes,
            path_of,
            true,
            args.unsafe_fixes,
        )?;
        return Ok(if fixed == original {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    if project.file(buffer).has_bom() {
        stdout.write_all("\u{feff}".as_bytes())?;
    }
    stdout.write_all(fixed.as_bytes())?;
    summary(
        stderr,
        &report,
        args.show_fixes,
        path_of,
        false,
        args.unsafe_fixes,
    )?;
    let remaining = report.remaining.iter().any(|f| f.file == buffer);
    Ok(if remaining { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Writes every change atomically; returns the files that failed. When a
/// file cannot be written (read-only, changed on disk), nothing is: a fix
/// may span files, and writing the others would leave it half applied.
fn write_changes(
    project: &Project,
    report: &FixReport,
    path_of: &dyn Fn(FileId) -> String,
    stderr: &mut dyn Write,
) -> Result<Vec<FileId>> {
    let mut failed = Vec::new();
    for (id, original, _) in &report.changes {
        let file = project.file(*id);
        if let Err(error) = check_writable(&file.path, &disk_bytes(original, file.has_bom())) {
            writeln!(stderr, "error: {}: {error}", path_of(*id))?;
            failed.push(*id);
        }
    }
    if !failed.is_empty() {
        writeln!(
            stderr,
            "error: no file written: fixes may span files, and writing the others would leave them half applied; make the files above writable (or run again if they changed) and retry"
        )?;
        return Ok(report.changes.iter().map(|(id, _, _)| *id).collect());
    }
    for (id, original, fixed) in &report.changes {
        let file = project.file(*id);
        let bom = file.has_bom();
        let on_disk = disk_bytes(original, bom);
        if let Err(error) = write_atomically(&file.path, &on_disk, fixed, bom) {
            writeln!(stderr, "error: {}: {error}", path_of(*id))?;
            failed.push(*id);
        }
    }
    Ok(failed)
}

#[allow(clippy::too_many_arguments)] // one call site; each is a distinct input
fn on_branch(
    project: &mut Project,
    rules: &RuleSet<'_>,
    options: &BranchOptions,
    args: &FixArgs,
    color: bool,
    path_of: &dyn Fn(FileId) -> String,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8> {
    let root = project.settings.root.clone();
    let ready = branch::prepare(&root, options)?;
    let frozen: HashSet<FileId> = project
        .files
        .iter()
        .filter(|f| ready.frozen.iter().any(|p| same_file(p, &f.path)))
        .map(|f| f.id)
        .collect();
    if !frozen.is_empty() {
        let mut names: Vec<String> = frozen.iter().map(|f| path_of(*f)).collect();
        names.sort();
        let more = names.len().saturating_sub(3);
        names.truncate(3);
        writeln!(
            stderr,
            "note: {} with local changes left alone, with any fix that spans them: {}{}",
            counted(frozen.len(), "file"),
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    let fix_options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    };
    // Nothing to fix makes no branch: find out first, in memory, at the
    // cost of one `fix --diff`.
    if !args.interactive {
        let report = fix_project_except(project, rules, fix_options, &frozen)?;
        let originals: Vec<(FileId, String)> = report
            .changes
            .iter()
            .map(|(file, original, _)| (*file, original.clone()))
            .collect();
        if originals.is_empty() {
            for problem in &report.problems {
                writeln!(
                    stderr,
                    "warning: {}: {}",
                    path_of(problem.file),
                    problem.reason
                )?;
            }
            writeln!(stdout, "Nothing to fix; no branch created.")?;
            return Ok(EXIT_CLEAN);
        }
        project.replace_sources(originals)?;
    }
    let start = ready.create()?;
    if let Some(tip) = &start.previous_tip {
        writeln!(
            stderr,
            "note: branch `{}` replaced (--force); it pointed at {tip} (`git branch -f {} {tip}` brings it back)",
            options.name, options.name
        )?;
    }
    let mut commits = Vec::new();
    for transform in TRANSFORMS.iter() {
        let enabled: Vec<String> = transform
            .rules()
            .iter()
            .filter(|r| rules.is_enabled(r.id))
            .map(|r| r.id.to_owned())
            .collect();
        if enabled.is_empty() {
            continue;
        }
        let only: &'static [&'static dyn Transform] = std::slice::from_ref(transform);
        let transform_rules =
            RuleSet::new(only, Some(&enabled), &[], &[]).map_err(anyhow::Error::msg)?;
        let step = if args.interactive {
            let summary = review(
                project,
                &transform_rules,
                &mut TerminalPrompter::new(),
                stderr,
                ReviewOptions {
                    color,
                    unsafe_fixes: args.unsafe_fixes,
                },
                path_of,
            )?;
            let written: Vec<_> = summary
                .files_written
                .iter()
                .map(|f| project.file(*f).path.clone())
                .collect();
            let body = summary
                .files_written
                .iter()
                .map(|f| path_of(*f))
                .collect::<Vec<_>>()
                .join("\n");
            let quit = summary.quit;
            let step = Step {
                written,
                subject: format!("onesession: {} ({})", transform.name(), enabled.join(", ")),
                body,
            };
            if quit {
                commit_or_roll_back(&start, &step, &mut commits)?;
                break;
            }
            step
        } else {
            let report = match fix_project_except(project, &transform_rules, fix_options, &frozen) {
                Ok(report) => report,
                Err(error) => return Err(start.roll_back(&[], error.to_string()).into()),
            };
            for problem in &report.problems {
                writeln!(
                    stderr,
                    "warning: {}: {}",
                    path_of(problem.file),
                    problem.reason
                )?;
            }
            let failed = write_changes(project, &report, path_of, stderr)?;
            let written: Vec<_> = report
                .changes
                .iter()
                .filter(|(f, _, _)| !failed.contains(f))
                .map(|(f, _, _)| project.file(*f).path.clone())
                .collect();
            if !failed.is_empty() {
                return Err(start
                    .roll_back(&written, "a file could not be written".into())
                    .into());
            }
            step_of(transform.name(), &report, path_of, written)
        };
        commit_or_roll_back(&start, &step, &mut commits)?;
    }
    if let Err(error) = start.finish(options.stay) {
        return Err(start.roll_back(&[], error.to_string()).into());
    }
    let base = &start.base[..start.base.len().min(8)];
    if commits.is_empty() {
        start.abandon()?;
        writeln!(stdout, "Nothing to fix; no branch created.")?;
    } else {
        writeln!(
            stdout,
            "Created branch `{}` from {base} with {} commit{}:",
            options.name,
            commits.len(),
            if commits.len() == 1 { "" } else { "s" }
        )?;
        for (sha, subject) in &commits {
            writeln!(stdout, "  {sha} {subject}")?;
        }
        let place = if options.stay {
            format!("You are on `{}`.", options.name)
        } else {
            format!("You are back on `{}`.", start.original)
        };
        writeln!(stdout, "{place} Review with:")?;
        writeln!(stdout, "  git log --stat {base}..{}", options.name)?;
        writeln!(stdout, "  git diff {base}...{}", options.name)?;
    }
    Ok(EXIT_CLEAN)
}

fn commit_or_roll_back(
    start: &branch::Start,
    step: &Step,
    commits: &mut Vec<(String, String)>,
) -> Result<()> {
    match start.commit(step) {
        Ok(Some(sha)) => {
            commits.push((sha, step.subject.clone()));
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(error) => Err(start.roll_back(&step.written, error.to_string()).into()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .ok()
            .is_some_and(|a| Some(a) == b.canonicalize().ok())
}

/// The commit of one transform: subject with its rule ids, body with the
/// files and counts.
fn step_of(
    transform: &str,
    report: &FixReport,
    path_of: &dyn Fn(FileId) -> String,
    written: Vec<std::path::PathBuf>,
) -> Step {
    let mut rules: Vec<&str> = report
        .applied
        .iter()
        .flat_map(|a| a.rules.iter().copied())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let mut per_file: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
    for applied in &report.applied {
        for file in &applied.files {
            let entry = per_file.entry(path_of(*file)).or_default();
            entry.0 += 1;
            entry.1.extend(applied.rules.iter().copied());
        }
    }
    let body = per_file
        .into_iter()
        .map(|(path, (count, mut ids))| {
            ids.sort_unstable();
            ids.dedup();
            format!(
                "{path}: {count} fix{} ({})",
                if count == 1 { "" } else { "es" },
                ids.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Step {
        written,
        subject: format!("onesession: {transform} ({})", rules.join(", ")),
        body,
    }
}

fn print_review_summary(out: &mut dyn Write, summary: &ReviewSummary) -> Result<()> {
    writeln!(
        out,
        "\nApplied {} in {}, skipped {}, left {}.",
        counted(summary.applied, "change"),
        counted(summary.files_written.len(), "file"),
        summary.skipped,
        summary.left
    )?;
    if summary.unchecked_files > 0 {
        writeln!(
            out,
            "{} not checked yet (run again to review them).",
            counted(summary.unchecked_files, "file")
        )?;
    }
    Ok(())
}

fn summary(
    out: &mut dyn Write,
    report: &FixReport,
    show_fixes: bool,
    path_of: &dyn Fn(FileId) -> String,
    dry_run: bool,
    unsafe_fixes: bool,
) -> Result<()> {
    // Findings resolved by another finding's fix count as fixed: the same
    // number `check` calls fixable.
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in report
        .applied
        .iter()
        .flat_map(|a| &a.findings)
        .chain(&report.resolved_by_others)
    {
        *by_rule.entry(rule).or_default() += 1;
    }
    let fixes: usize = report.applied.len();
    let findings: usize = by_rule.values().sum();
    let verb = if dry_run { "Would fix" } else { "Fixed" };
    if fixes == 0 {
        writeln!(out, "Nothing to fix.")?;
    } else {
        let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        writeln!(
            out,
            "{verb} {} with {} in {} ({}).",
            counted(findings, "finding"),
            counted(fixes, "fix"),
            counted(report.changes.len(), "file"),
            rules.join(", ")
        )?;
    }
    if show_fixes {
        for (rule, count) in &by_rule {
            writeln!(out, "  {rule}: {count}")?;
        }
        for (file, _, _) in &report.changes {
            writeln!(out, "  {}", path_of(*file))?;
        }
    }
    let manual = report
        .remaining
        .iter()
        .filter(|f| f.applicability() == Applicability::Manual)
        .count();
    let (_, unsafe_left) = fixable(&report.remaining);
    if unsafe_left > 0 && unsafe_fixes {
        // Unsafe fixes were on: these were held back (the warnings above
        // say why), not left for a flag.
        writeln!(
            out,
            "{} held back (see the warnings above).",
            if unsafe_left == 1 {
                "1 unsafe fix was".to_owned()
            } else {
                format!("{unsafe_left} unsafe fixes were")
            }
        )?;
    } else if unsafe_left > 0 {
        writeln!(
            out,
            "{unsafe_left} more fixable with `onesession fix --unsafe-fixes`."
        )?;
    }
    if manual > 0 {
        writeln!(
            out,
            "{} a manual fix (`onesession check` lists them).",
            if manual == 1 {
                "1 finding needs".to_owned()
            } else {
                format!("{manual} findings need")
            }
        )?;
    }
    Ok(())
}
