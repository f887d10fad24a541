//! Baselines for legacy code: record today's findings so `check` reports
//! only new ones. An entry is a rule, a path (relative to the project
//! root) and the whitespace-normalised text of the offending construct —
//! not a line number, so edits elsewhere in the file do not break it.
//! Entries that match nothing any more are stale: the ratchet tightens.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::project::Project;
use crate::rule::Finding;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    /// `/`-separated, relative to the project root.
    pub path: String,
    /// The offending construct, whitespace-normalised.
    pub code: String,
    /// How many identical findings the entry covers.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The I/O error is part of the message, not a source: the CLI says
    /// each cause once.
    #[error("{}: cannot read baseline: {cause}; write one with `onesession baseline write`", path.display())]
    Read {
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
    #[error("{}: not a onesession baseline ({message}); write one with `onesession baseline write`", path.display())]
    Invalid {
        path: std::path::PathBuf,
        message: String,
    },
}

fn key(project: &Project, finding: &Finding) -> (String, String, String) {
    let file = project.file(finding.file);
    let text = file.text().get(finding.range.clone()).unwrap_or_default();
    let code = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (finding.rule.id.to_owned(), file.relative.clone(), code)
}

impl Baseline {
    pub fn from_findings(project: &Project, findings: &[Finding]) -> Self {
        let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for finding in findings {
            *counts.entry(key(project, finding)).or_default() += 1;
        }
        Self {
            version: 1,
            entries: counts
                .into_iter()
                .map(|((rule, path, code), count)| Entry {
                    rule,
                    path,
                    code,
                    count,
                })
                .collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|cause| BaselineError::Read {
            path: path.to_owned(),
            cause,
        })?;
        let baseline: Self = serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if baseline.version != 1 {
            return Err(BaselineError::Invalid {
                path: path.to_owned(),
                message: format!("version {} is not supported", baseline.version),
            });
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Splits findings into those the baseline does not cover, and the
    /// entries (with the count left over) that matched nothing.
    pub fn apply(&self, project: &Project, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Entry>) {
        let mut budget: BTreeMap<(String, String, String), usize> = self
            .entries
            .iter()
            .map(|e| ((e.rule.clone(), e.path.clone(), e.code.clone()), e.count))
            .collect();
        let mut new = Vec::new();
        for finding in findings {
            match budget.get_mut(&key(project, &finding)) {
                Some(left) if *left > 0 => *left -= 1,
                _ => new.push(finding),
            }
        }
        let stale = budget
            .into_iter()
            .filter(|(_, left)| *left > 0)
            .map(|((rule, path, code), count)| Entry {
                rule,
                path,
                code,
                count,
            })
            .collect();
        (new, stale)
    }
}
