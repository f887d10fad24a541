//! CI gate formats: SARIF 2.1.0, GitHub Actions annotations, JUnit XML.

use std::io::Write;

use onesession_engine::text::{Applicability, LineIndex};
use onesession_engine::{Finding, Project, Rule};
use serde_json::{json, Value};

use super::Row;
use crate::commands::display_path;

/// The SARIF base id of the paths: the repository root (or the working
/// directory outside a repository).
const SRCROOT: &str = "%SRCROOT%";

/// Characters a `file:` URI path must escape.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `file:///abs/dir/`: a directory as the URI SARIF's base ids take.
fn directory_uri(dir: &std::path::Path) -> String {
    let path = dir.to_string_lossy();
    let encoded = percent_encoding::utf8_percent_encode(&path, URI_PATH).to_string();
    let encoded = encoded.trim_end_matches('/');
    let slash = if encoded.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{encoded}/")
}

/// Where each rule's documentation lives (generated from the rule docs).
pub const RULE_DOCS: &str = "https://github.com/onesession/onesession/blob/main/docs/rules/";

/// `rows` carry paths relative to `base` (the repository root), which the
/// log names as `%SRCROOT%` so code scanning maps them wherever it ran.
pub fn sarif(
    out: &mut dyn Write,
    project: &Project,
    findings: &[Finding],
    rows: &[Row<'_>],
    rules: &[&'static Rule],
    base: &std::path::Path,
) -> std::io::Result<()> {
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.documentation(), "markdown": rule.documentation() },
                "helpUri": format!("{RULE_DOCS}{}.md", rule.id),
                "defaultConfiguration": { "level": "error", "enabled": rule.enabled_by_default },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .zip(rows)
        .map(|(finding, row)| {
            let mut result = json!({
                "ruleId": row.rule,
                // A heuristic finding is a warning: worth a look.
                "level": if row.confidence == "likely" { "warning" } else { "error" },
                "properties": { "confidence": row.confidence },
                "message": { "text": row.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": row.path, "uriBaseId": SRCROOT },
                        "region": {
                            "startLine": row.line,
                            "startColumn": row.column,
                            "endLine": row.end_line,
                            "endColumn": row.end_column,
                        }
                    }
                }],
            });
            if let Some(index) = rule_index(row.rule) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = finding
                .fix
                .as_ref()
                .filter(|f| f.applicability == Applicability::Safe)
            {
                result["fixes"] = json!([{
                    "description": { "text": format!("onesession fix ({})", row.rule) },
                    "artifactChanges": fix.files().iter().map(|file| {
                        let source = project.file(*file);
                        let text = source.text();
                        let lines = match source.analysis_if_parsed() {
                            Some(analysis) => analysis.lines.clone(),
                            None => LineIndex::new(text),
                        };
                        let uri = display_path(base, &source.path);
                        json!({
                            "artifactLocation": { "uri": uri, "uriBaseId": SRCROOT },
                            "replacements": fix.edits_for(*file).map(|edit| {
                                let start = lines.position(text, edit.range.start);
                                let end = lines.position(text, edit.range.end);
                                json!({
                                    "deletedRegion": {
                                        "startLine": start.line,
                                        "startColumn": start.column,
                                        "endLine": end.line,
                                        "endColumn": end.column,
                                    },
                                    "insertedContent": { "text": edit.replacement },
                                })
                            }).collect::<Vec<_>>(),
                        })
                    }).collect::<Vec<_>>(),
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "onesession",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/onesession/onesession",
                    "rules": descriptors,
                }
            },
            "originalUriBaseIds": { SRCROOT: { "uri": directory_uri(base) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`
/// (`::warning` for a likely finding).
pub fn github(out: &mut dyn Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    for row in rows {
        let command = if row.confidence == "likely" {
            "warning"
        } else {
            "error"
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&row.path),
            row.line,
            row.column,
            row.end_line,
            row.end_column,
            escape_property(&format!("{} {}", row.rule, row.name)),
            escape_data(&format!("{} {}", row.rule, row.message)),
        )?;
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// JUnit XML: one failing test case per finding (a passing one when clean).
pub fn junit(out: &mut dyn Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="onesession" tests="{0}" failures="{1}">"#,
        rows.len().max(1),
        rows.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="onesession" tests="{0}" failures="{1}">"#,
        rows.len().max(1),
        rows.len()
    )?;
    if rows.is_empty() {
        writeln!(
            out,
            r#"    <testcase name="session discipline" classname="onesession"/>"#
        )?;
    }
    for row in rows {
        writeln!(
            out,
            r#"    <testcase name="{} {}:{}:{}" classname="{}">"#,
            row.rule,
            xml(&row.path),
            row.line,
            row.column,
            xml(&row.path)
        )?;
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}:{}:{}: {} {}</failure>"#,
            xml(row.message),
            row.rule,
            xml(&row.path),
            row.line,
            row.column,
            row.rule,
            xml(row.message)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("x\ny"), "x%0Ay");
    }

    #[test]
    fn junit_escapes() {
        assert_eq!(xml("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}
