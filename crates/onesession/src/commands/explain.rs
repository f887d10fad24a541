//! `onesession explain RULE` and `onesession rules`: the rule docs, from
//! the rule declarations themselves.

use std::io::Write;

use anyhow::{bail, Result};
use onesession_transforms::{all_rules, find_rule, TRANSFORMS};
use serde::Serialize;

use crate::args::RulesFormat;
use crate::EXIT_CLEAN;

pub fn explain(code: &str, out: &mut dyn Write) -> Result<u8> {
    let Some(rule) = find_rule(code) else {
        bail!("unknown rule `{code}`; `onesession rules` lists them");
    };
    writeln!(out, "# {} ({})\n", rule.name, rule.id)?;
    writeln!(out, "{}\n", rule.summary)?;
    if let Some(transform) = TRANSFORMS
        .iter()
        .find(|t| t.rules().iter().any(|r| r.id == rule.id))
    {
        writeln!(out, "Transform: {}\n", transform.name())?;
    }
    if !rule.enabled_by_default {
        writeln!(
            out,
            "Off by default: enable it with `--extend-select {}`.\n",
            rule.id
        )?;
    }
    writeln!(out, "{}", rule.documentation())?;
    Ok(EXIT_CLEAN)
}

#[derive(Serialize)]
struct RuleRow {
    id: &'static str,
    name: &'static str,
    summary: &'static str,
    transform: Option<&'static str>,
    enabled_by_default: bool,
}

pub fn rules(format: RulesFormat, out: &mut dyn Write) -> Result<u8> {
    let rows: Vec<RuleRow> = all_rules()
        .into_iter()
        .map(|rule| RuleRow {
            id: rule.id,
            name: rule.name,
            summary: rule.summary,
            transform: TRANSFORMS
                .iter()
                .find(|t| t.rules().iter().any(|r| r.id == rule.id))
                .map(|t| t.name()),
            enabled_by_default: rule.enabled_by_default,
        })
        .collect();
    match format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        RulesFormat::Text => {
            for row in rows {
                let off = if row.enabled_by_default {
                    ""
                } else {
                    " (off by default)"
                };
                writeln!(out, "{}  {:<28} {}{off}", row.id, row.name, row.summary)?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}
