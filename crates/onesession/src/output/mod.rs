//! Report formats for findings.

pub mod ci;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anstyle::{AnsiColor, Style};
use onesession_engine::text::{FileId, LineIndex};
use onesession_engine::{Finding, Project};
use serde::Serialize;

use crate::commands::display_path;

/// One finding as every format shows it. The JSON schema is these keys.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    pub rule: &'static str,
    pub name: &'static str,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    pub layer: &'static str,
    pub fix: String,
    /// `sure` or `likely` (a heuristic matched).
    pub confidence: &'static str,
}

pub fn rows<'a>(project: &Project, cwd: &Path, findings: &'a [Finding]) -> Vec<Row<'a>> {
    // Files served from the cache are not parsed: index their lines once.
    let mut unparsed: std::collections::HashMap<FileId, LineIndex> = Default::default();
    findings
        .iter()
        .map(|finding| {
            let file = project.file(finding.file);
            let text = file.text();
            let lines = match file.analysis_if_parsed() {
                Some(analysis) => &analysis.lines,
                None => unparsed
                    .entry(finding.file)
                    .or_insert_with(|| LineIndex::new(text)),
            };
            let start = lines.position(text, finding.range.start);
            let end = lines.position(text, finding.range.end);
            Row {
                rule: finding.rule.id,
                name: finding.rule.name,
                path: display_path(cwd, &file.path),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                message: &finding.message,
                layer: file.layer().as_str(),
                fix: finding.applicability().to_string(),
                confidence: finding.confidence.as_str(),
            }
        })
        .collect()
}

pub fn json(out: &mut dyn Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows)?;
    writeln!(out)
}

struct Styles {
    path: Style,
    rule: Style,
    gutter: Style,
    caret: Style,
    fix: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        if !color {
            let plain = Style::new();
            return Self {
                path: plain,
                rule: plain,
                gutter: plain,
                caret: plain,
                fix: plain,
            };
        }
        Self {
            path: Style::new().bold(),
            rule: AnsiColor::Red.on_default().bold(),
            gutter: AnsiColor::Blue.on_default().bold(),
            caret: AnsiColor::Red.on_default().bold(),
            fix: AnsiColor::Cyan.on_default(),
        }
    }
}

/// `path:line:col: RULE [*] (likely) message`, a code frame, then a
/// summary.
pub fn text(
    out: &mut dyn Write,
    project: &Project,
    findings: &[Finding],
    rows: &[Row<'_>],
    color: bool,
) -> std::io::Result<()> {
    let styles = Styles::new(color);
    for (finding, row) in findings.iter().zip(rows) {
        let marker = match row.fix.as_str() {
            "safe" => format!(" {}[*]{}", styles.fix.render(), styles.fix.render_reset()),
            "unsafe" => format!(" {}[-]{}", styles.fix.render(), styles.fix.render_reset()),
            _ => String::new(),
        };
        let likely = if finding.confidence == onesession_engine::Confidence::Likely {
            " (likely)"
        } else {
            ""
        };
        writeln!(
            out,
            "{}{}:{}:{}{}: {}{}{}{}{} {}",
            styles.path.render(),
            row.path,
            row.line,
            row.column,
            styles.path.render_reset(),
            styles.rule.render(),
            row.rule,
            styles.rule.render_reset(),
            marker,
            likely,
            row.message
        )?;
        frame(out, project, finding, row, &styles)?;
    }
    Ok(())
}

fn frame(
    out: &mut dyn Write,
    project: &Project,
    finding: &Finding,
    row: &Row<'_>,
    styles: &Styles,
) -> std::io::Result<()> {
    let text = project.file(finding.file).text();
    let Some(line_text) = text.lines().nth(row.line - 1) else {
        return writeln!(out);
    };
    let number = row.line.to_string();
    let pad = " ".repeat(number.len());
    let (g, r) = (styles.gutter.render(), styles.gutter.render_reset());
    let width = if row.end_line == row.line {
        row.end_column.saturating_sub(row.column).max(1)
    } else {
        line_text
            .chars()
            .count()
            .saturating_sub(row.column - 1)
            .max(1)
    };
    writeln!(out, "{g}{pad} |{r}")?;
    writeln!(out, "{g}{number} |{r} {}", line_text.trim_end())?;
    writeln!(
        out,
        "{g}{pad} |{r} {}{}{}{}",
        " ".repeat(row.column - 1),
        styles.caret.render(),
        "^".repeat(width),
        styles.caret.render_reset()
    )?;
    writeln!(out)
}

/// `1 finding`, `2 findings`, `1 fix`, `3 fixes`: a count with its noun.
pub fn counted(n: usize, noun: &str) -> String {
    let plural = if n == 1 {
        ""
    } else if noun.ends_with('x') || noun.ends_with('s') {
        "es"
    } else {
        "s"
    };
    format!("{n} {noun}{plural}")
}

/// What of `findings` `fix` can do: `(safe, unsafe)` counts.
pub fn fixable<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> (usize, usize) {
    use onesession_engine::text::Applicability;
    findings
        .into_iter()
        .fold((0, 0), |(safe, unsafe_), f| match f.applicability() {
            Applicability::Safe => (safe + 1, unsafe_),
            Applicability::Unsafe => (safe, unsafe_ + 1),
            Applicability::Manual => (safe, unsafe_),
        })
}

/// `(3 fixable, 2 with --unsafe-fixes)`, or nothing when none is.
fn fixable_note(safe: usize, unsafe_: usize) -> String {
    let parts: Vec<String> = [
        (safe > 0).then(|| format!("{safe} fixable")),
        (unsafe_ > 0).then(|| format!("{unsafe_} with --unsafe-fixes")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("  ({})", parts.join(", "))
    }
}

/// `N  RULE  name  (S fixable, U with --unsafe-fixes)` per rule, most
/// frequent first, then the total.
pub fn statistics(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    let mut by_rule: BTreeMap<&str, (&str, Vec<&Finding>)> = BTreeMap::new();
    for finding in findings {
        by_rule
            .entry(finding.rule.id)
            .or_insert((finding.rule.name, Vec::new()))
            .1
            .push(finding);
    }
    let mut sorted: Vec<_> = by_rule.into_iter().collect();
    sorted.sort_by(|a, b| b.1 .1.len().cmp(&a.1 .1.len()).then(a.0.cmp(b.0)));
    for (id, (name, of_rule)) in sorted {
        let (safe, unsafe_) = fixable(of_rule.iter().copied());
        writeln!(
            out,
            "{:5}  {id}  {name}{}",
            of_rule.len(),
            fixable_note(safe, unsafe_)
        )?;
    }
    let (safe, unsafe_) = fixable(findings);
    writeln!(
        out,
        "{:5}  total{}",
        findings.len(),
        fixable_note(safe, unsafe_)
    )
}

/// `Found N findings in M files. S fixable with `onesession fix`. U more
/// with ...` or `All checks passed (M files).`
pub fn summary(out: &mut dyn Write, findings: &[Finding], files: usize) -> std::io::Result<()> {
    if findings.is_empty() {
        return writeln!(out, "All checks passed ({}).", counted(files, "file"));
    }
    let (safe, unsafe_) = fixable(findings);
    write!(
        out,
        "Found {} in {}.",
        counted(findings.len(), "finding"),
        counted(files, "file")
    )?;
    if safe > 0 {
        write!(out, " {safe} fixable with `onesession fix`.")?;
    }
    if unsafe_ > 0 {
        write!(out, " {unsafe_} more with `onesession fix --unsafe-fixes`.")?;
    }
    writeln!(out)
}

/// `check --show-settings`: the project model and the settings in use.
pub fn settings(
    out: &mut dyn Write,
    project: &onesession_engine::Project,
    rules: &onesession_engine::RuleSet<'_>,
    cwd: &std::path::Path,
) -> std::io::Result<()> {
    use onesession_engine::Layer;
    let settings = &project.settings;
    let canon = &project.canon;
    writeln!(out, "project root: {}", settings.root.display())?;
    match &settings.config {
        Some(config) => writeln!(
            out,
            "configuration: {}",
            crate::commands::display_path(cwd, &config.path)
        )?,
        None => writeln!(out, "configuration: none (the model below is inferred)")?,
    }
    for line in project.model_lines(canon) {
        writeln!(out, "{line}")?;
    }
    if !canon.factories.is_empty() {
        writeln!(out, "factories: `{}`", canon.factories.join("`, `"))?;
    }
    if !canon.deprecated.is_empty() {
        let deprecated: Vec<&str> = canon.deprecated.iter().map(String::as_str).collect();
        writeln!(out, "deprecated: `{}`", deprecated.join("`, `"))?;
    }
    writeln!(
        out,
        "tenant filter applied by the session: {}",
        if canon.applies_tenant_filter {
            "yes"
        } else {
            "no"
        }
    )?;
    if !canon.candidates.is_empty() {
        writeln!(out, "candidates (score: evidence):")?;
        for candidate in &canon.candidates {
            writeln!(
                out,
                "  {:>3}  {} ({}): {}",
                candidate.score,
                candidate.module,
                candidate.path,
                candidate.evidence.join("; ")
            )?;
        }
    }
    let mut by_layer: std::collections::BTreeMap<Layer, Vec<&str>> = Default::default();
    let mut migrations = Vec::new();
    for file in project.files.iter().filter(|f| f.requested) {
        if project.is_migration(file) {
            migrations.push(file.relative.as_str());
        } else {
            by_layer
                .entry(file.layer())
                .or_default()
                .push(&file.relative);
        }
    }
    writeln!(out, "layers:")?;
    for (layer, files) in &by_layer {
        let shown: Vec<&str> = files.iter().take(4).copied().collect();
        let more = files.len().saturating_sub(shown.len());
        writeln!(
            out,
            "  {:<10} {:>4}  {}{}",
            layer.as_str(),
            files.len(),
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    if !migrations.is_empty() {
        writeln!(out, "migrations (not checked): {}", migrations.len())?;
    }
    writeln!(out, "rules: {}", rules.enabled().join(", "))?;
    Ok(())
}
