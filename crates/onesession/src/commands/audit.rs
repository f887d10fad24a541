//! `onesession audit`: the inventory of database-touching files, their
//! status and priority, a summary, and with `--base REF` the progress
//! since a git ref. The engine computes the audit
//! ([`onesession_engine::audit`]); this module renders it as Markdown or
//! JSON. An audit is a report, not a gate: it exits 0 unless it fails (2).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use onesession_engine::audit::{self, Audit, AuditFile, Progress, RuleCount, Summary};
use onesession_engine::{run, Inputs, Project};
use serde::Serialize;

use super::{display_path, Loaded};
use crate::args::{AuditArgs, AuditFormat, Selection};
use crate::EXIT_CLEAN;

/// The JSON document of `onesession audit --format json` (schema version 1).
///
/// ```text
/// {
///   "version": 1,
///   "root": string,                 // project root, relative to the working directory ("." when it is)
///   "canonical_module": string|null,
///   "summary": {
///     "files": int, "compliant": int, "non_compliant": int,
///     "findings": int,
///     "safe_fixable": int,          // findings `onesession fix` (safe fixes) resolves
///     "safe_fixable_files": int,
///     "by_category": [ { "category": CATEGORY, "files": int, "compliant": int, "non_compliant": int } ],
///                                   // every category, in the order listed below
///     "by_priority": [ { "priority": PRIORITY, "files": int } ],   // critical, high, medium, low
///     "by_rule": [ { "rule": "DB101", "name": string, "findings": int, "files": int, "safe_fixable": int } ]
///                                   // rules with findings, by id
///   },
///   "files": [                      // by priority (compliant last), then path
///     {
///       "path": string,             // relative to the working directory, `/`-separated
///       "module": string|null,      // dotted module name
///       "category": CATEGORY,
///       "layer": "router"|"service"|"background"|"script"|"other",
///       "status": "compliant"|"non-compliant",
///       "priority": PRIORITY|null,  // null when compliant
///       "findings": int,
///       "rules": [ { "rule": "DB102", "name": string, "count": int } ],   // by id
///       "safe_fixable": int,
///       "safe_fix": bool            // `onesession fix` would fix something here
///     }
///   ],
///   "progress": null | {            // only with --base
///     "base": string,               // the ref as given
///     "findings_before": int, "findings_after": int,
///     "fixed": int, "new": int,
///     "files": [                    // files with something fixed or new, by path
///       {
///         "path": string, "before": int, "after": int,
///         "fixed": [ { "rule": string, "name": string, "line": int, "text": string } ],  // line in the base tree
///         "new":   [ { "rule": string, "name": string, "line": int, "text": string } ]   // line now
///       }
///     ]
///   }
/// }
/// CATEGORY: "canonical" | "redundant-session-module" | "router" | "service" |
///           "background-task" | "scheduler" | "script" | "models" | "helper"
/// PRIORITY: "critical" | "high" | "medium" | "low"
/// ```
///
/// Fields are only ever added within a version; a removal or a change of
/// meaning bumps `version`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub root: String,
    pub canonical_module: Option<&'a str>,
    pub summary: &'a Summary,
    pub files: &'a [AuditFile],
    pub progress: Option<&'a Progress>,
}

pub fn run(
    args: &AuditArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<u8> {
    let loaded = super::load(&args.selection, stdin)?;
    let project = &loaded.project;
    for notice in &project.notices {
        writeln!(stderr, "note: {notice}")?;
    }
    for problem in &project.walk_problems {
        writeln!(
            stderr,
            "warning: {}: {} (skipped)",
            display_path(&loaded.cwd, &problem.path),
            problem.message
        )?;
    }
    let findings = run::check(project, &loaded.rules);
    let mut report = audit::audit(project, &findings);
    for file in &mut report.files {
        file.path = display_path(&loaded.cwd, &file.abs_path);
    }
    let progress = match &args.base {
        Some(reference) => {
            let base = BaseTree::extract(&project.settings.root, reference)?;
            let base_project = base.load(&loaded, &args.selection, reference)?;
            let base_findings = run::check(&base_project, &loaded.rules);
            let mut progress =
                audit::progress(reference, &base_project, &base_findings, project, &findings);
            for file in &mut progress.files {
                file.path = display_path(&loaded.cwd, &file.abs_path);
            }
            Some(progress)
        }
        None => None,
    };
    let root = if project.settings.root == loaded.cwd {
        ".".to_owned()
    } else {
        display_path(&loaded.cwd, &project.settings.root)
    };
    let text = match args.format {
        AuditFormat::Markdown => markdown(&root, &report, progress.as_ref()),
        AuditFormat::Json => {
            let document = Report {
                version: 1,
                root,
                canonical_module: report.canonical_module.as_deref(),
                summary: &report.summary,
                files: &report.files,
                progress: progress.as_ref(),
            };
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            text
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(stderr, "wrote {}", path.display())?;
        }
        None => stdout.write_all(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}

/// The project's tree at a git ref, extracted into a temporary directory
/// (removed on drop).
struct BaseTree {
    dir: PathBuf,
    /// The project root inside `dir`.
    root: PathBuf,
}

impl Drop for BaseTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("--base needs git, and it could not be run")
}

fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_owned()
}

impl BaseTree {
    fn extract(root: &Path, reference: &str) -> Result<Self> {
        let prefix = git(root, &["rev-parse", "--show-prefix"])?;
        if !prefix.status.success() {
            bail!(
                "--base {reference}: {} is not inside a git repository",
                root.display()
            );
        }
        let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_owned();
        let commit = git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &format!("{reference}^{{commit}}"),
            ],
        )?;
        if !commit.status.success() {
            bail!("--base {reference}: no such commit in the git repository");
        }
        let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
        let top = git(root, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());

        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("onesession-audit-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let dir = dir.canonicalize().unwrap_or(dir);
        let tree = Self {
            root: dir.join(&prefix),
            dir,
        };

        let mut archive = Command::new("git");
        archive
            .arg("-C")
            .arg(&top)
            .args(["archive", "--format=tar", &commit]);
        if !prefix.is_empty() {
            archive.arg("--").arg(&prefix);
        }
        let mut archive = archive
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("--base needs git, and it could not be run")?;
        let tar_input = archive.stdout.take().context("git archive has no output")?;
        let tar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&tree.dir)
            .stdin(tar_input)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .context("--base needs tar, and it could not be run")?;
        let archived = archive.wait_with_output()?;
        if !archived.status.success() {
            let reason = first_line(&archived.stderr);
            if !prefix.is_empty() && reason.contains("did not match") {
                bail!(
                    "--base {reference}: the project directory {prefix} does not exist at {reference}"
                );
            }
            bail!("--base {reference}: git archive failed: {reason}");
        }
        if !tar.status.success() {
            bail!(
                "--base {reference}: cannot extract the tree: {}",
                first_line(&tar.stderr)
            );
        }
        if !tree.root.is_dir() {
            bail!(
                "--base {reference}: the project directory {prefix} does not exist at {reference}"
            );
        }
        Ok(tree)
    }

    /// Loads the base tree with the current settings, re-rooted, and the
    /// same selection of paths (those that exist at the base).
    fn load(&self, loaded: &Loaded, selection: &Selection, reference: &str) -> Result<Project> {
        let current = &loaded.project.settings;
        let old_root = current.root.clone();
        let rebase = |path: &Path| -> Option<PathBuf> {
            path.strip_prefix(&old_root)
                .ok()
                .map(|rel| self.root.join(rel))
        };
        let mut settings = current.clone();
        settings.root = self.root.clone();
        settings.src = current
            .src
            .iter()
            .map(|src| rebase(src).unwrap_or_else(|| src.clone()))
            .collect();
        let mut paths: Vec<PathBuf> = selection
            .paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .map(|p| super::absolute(&loaded.cwd, p))
            .collect();
        if selection.paths.is_empty() {
            paths.push(loaded.cwd.clone());
        }
        let paths: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| rebase(p))
            .filter(|p| p.exists())
            .collect();
        let inputs = Inputs {
            paths,
            stdin: None,
            known: None,
        };
        Project::load(settings, &inputs).map_err(|e| anyhow::anyhow!("--base {reference}: {e}"))
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn rule_list(rules: &[RuleCount]) -> String {
    if rules.is_empty() {
        return "—".to_owned();
    }
    rules
        .iter()
        .map(|r| format!("{} ×{}", r.rule, r.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_list(changes: &[audit::Change]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for change in changes {
        *counts.entry(change.rule).or_default() += 1;
    }
    if counts.is_empty() {
        return "—".to_owned();
    }
    counts
        .iter()
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report for people: a title, the summary tables, the inventory,
/// then the progress table with `--base`.
fn markdown(root: &str, report: &Audit, progress: Option<&Progress>) -> String {
    let mut out = String::new();
    let s = &report.summary;
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# Database session audit\n");
    let _ = writeln!(
        out,
        "Project root: `{}`. Canonical session module: {}.\n",
        cell(root),
        report
            .canonical_module
            .as_deref()
            .map_or_else(|| "none found".to_owned(), |m| format!("`{m}`"))
    );
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "{} files touch the database: {} compliant, {} non-compliant. {} findings; {} safe-fixable now with `onesession fix` (in {} files).\n",
        s.files, s.compliant, s.non_compliant, s.findings, s.safe_fixable, s.safe_fixable_files
    );
    let _ = writeln!(out, "| Category | Files | Compliant | Non-compliant |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for row in s.by_category.iter().filter(|r| r.files > 0) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.category.as_str(),
            row.files,
            row.compliant,
            row.non_compliant
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{}** | **{}** | **{}** |\n",
        s.files, s.compliant, s.non_compliant
    );
    let _ = writeln!(out, "| Priority | Files |");
    let _ = writeln!(out, "|---|---:|");
    for row in &s.by_priority {
        let _ = writeln!(out, "| {} | {} |", row.priority.as_str(), row.files);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| Rule | Name | Findings | Files | Safe-fixable |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    for row in &s.by_rule {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row.rule, row.name, row.findings, row.files, row.safe_fixable
        );
    }
    let _ = writeln!(
        out,
        "| **total** | | **{}** | | **{}** |\n",
        s.findings, s.safe_fixable
    );
    let _ = writeln!(out, "## Inventory\n");
    let _ = writeln!(
        out,
        "| Priority | File | Category | Layer | Status | Rules | Safe fix |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for file in &report.files {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            file.priority.map_or("—", |p| p.as_str()),
            cell(&file.path),
            file.category.as_str(),
            file.layer.as_str(),
            file.status.as_str(),
            rule_list(&file.rules),
            if file.safe_fix {
                format!("yes ({})", file.safe_fixable)
            } else {
                "no".to_owned()
            }
        );
    }
    if let Some(progress) = progress {
        let _ = writeln!(out, "\n## Progress since `{}`\n", cell(&progress.base));
        let _ = writeln!(
            out,
            "{} fixed, {} new. Findings: {} then, {} now.\n",
            progress.fixed, progress.new, progress.findings_before, progress.findings_after
        );
        if progress.files.is_empty() {
            let _ = writeln!(out, "No finding was fixed or added.");
        } else {
            let _ = writeln!(out, "| File | Fixed | New | Before | After |");
            let _ = writeln!(out, "|---|---|---|---:|---:|");
            for file in &progress.files {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    cell(&file.path),
                    change_list(&file.fixed),
                    change_list(&file.new),
                    file.before,
                    file.after
                );
            }
        }
    }
    out
}
