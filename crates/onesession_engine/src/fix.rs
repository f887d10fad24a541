//! Planning and verifying fixes: non-overlapping fixes per round, the
//! rest deferred; every fixed file must parse, and re-checking must not
//! find what was just fixed; repeat to a fixed point with a cap.

use std::collections::{BTreeMap, HashMap, HashSet};

use onesession_text::{apply_edits, Applicability, Edit, FileId, Fix};

use crate::affected::{affected, imported_files};
use crate::project::Project;
use crate::rule::{Finding, Group, RuleSet};
use crate::run::check;
use crate::verify::{
    check_and_verify, keep_baseline, recheck_and_verify, Baselines, Breaks, Violation,
};

/// How many rounds of fixing before giving up on convergence.
pub const MAX_ROUNDS: usize = 10;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Check the whole tree again after each round, not only the files a
    /// round's changes can affect: what the tests compare the default with.
    pub full_recheck: bool,
}

/// A fix as one unit: the findings it resolves and its edits.
#[derive(Debug, Clone)]
pub struct FixUnit {
    pub findings: Vec<Finding>,
    pub fix: Fix,
}

impl FixUnit {
    pub fn rules(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = self.findings.iter().map(|f| f.rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A fix that was applied.
#[derive(Debug, Clone)]
pub struct Applied {
    pub rules: Vec<&'static str>,
    /// The rule of each finding it resolved (a fix may resolve several).
    pub findings: Vec<&'static str>,
    pub files: Vec<FileId>,
    pub applicability: Applicability,
}

/// A file left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixProblem {
    pub file: FileId,
    pub reason: String,
}

/// The outcome of fixing a project (nothing is written here).
#[derive(Debug, Default)]
pub struct FixReport {
    /// `(file, original text, fixed text)` for every changed file.
    pub changes: Vec<(FileId, String, String)>,
    pub applied: Vec<Applied>,
    /// The rule of each finding whose own fix was not applied because
    /// another fix resolved it too (a DB102 call rewritten by DB101's fix).
    pub resolved_by_others: Vec<&'static str>,
    /// Findings left after fixing (manual ones, and fixes not applied).
    pub remaining: Vec<Finding>,
    pub problems: Vec<FixProblem>,
}

/// Merges findings into fix units: findings sharing a group form one unit
/// (all its members' edits); a group with a manual member is manual.
pub fn fix_units(findings: &[Finding]) -> Vec<FixUnit> {
    let mut units: Vec<FixUnit> = Vec::new();
    // An in-file group is keyed with its file: two files never share one.
    let mut groups: BTreeMap<(Option<FileId>, &str), usize> = BTreeMap::new();
    for finding in findings {
        let key = finding.group.as_ref().map(|group| match group {
            Group::InFile(key) => (Some(finding.file), key.as_str()),
            Group::AcrossFiles(key) => (None, key.as_str()),
        });
        let member = key.and_then(|k| groups.get(&k).copied());
        let Some(fix) = &finding.fix else {
            if let Some(key) = key {
                // A manual member poisons its group.
                match member {
                    Some(i) => {
                        units[i].fix.applicability = Applicability::Manual;
                        units[i].findings.push(finding.clone());
                    }
                    None => {
                        groups.insert(key, units.len());
                        units.push(FixUnit {
                            findings: vec![finding.clone()],
                            fix: Fix {
                                applicability: Applicability::Manual,
                                edits: Vec::new(),
                            },
                        });
                    }
                }
            }
            continue;
        };
        match member {
            Some(i) => {
                let unit = &mut units[i];
                let manual = unit.fix.applicability == Applicability::Manual;
                unit.fix.merge(fix.clone());
                if manual {
                    unit.fix.applicability = Applicability::Manual;
                }
                unit.findings.push(finding.clone());
            }
            None => {
                if let Some(key) = key {
                    groups.insert(key, units.len());
                }
                units.push(FixUnit {
                    findings: vec![finding.clone()],
                    fix: fix.clone(),
                });
            }
        }
    }
    units.retain(|u| u.fix.applicability != Applicability::Manual && !u.fix.edits.is_empty());
    merge_identical(units)
}

/// Units whose fixes are the same edits are one change: offered once
/// (with every finding it resolves), applied once, counted once.
fn merge_identical(units: Vec<FixUnit>) -> Vec<FixUnit> {
    let mut merged: Vec<FixUnit> = Vec::new();
    let mut index: HashMap<(Applicability, Vec<(FileId, Edit)>), usize> = HashMap::new();
    for unit in units {
        let mut edits = unit.fix.edits.clone();
        edits.sort_by_key(|(file, edit)| (*file, edit.range.start, edit.range.end));
        match index.entry((unit.fix.applicability, edits)) {
            std::collections::hash_map::Entry::Occupied(at) => {
                merged[*at.get()].findings.extend(unit.findings);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(merged.len());
                merged.push(unit);
            }
        }
    }
    merged
}

/// The units a run would apply, in order.
pub fn applicable(
    units: Vec<FixUnit>,
    options: FixOptions,
    poisoned: &HashSet<FileId>,
) -> Vec<FixUnit> {
    units
        .into_iter()
        .filter(|u| match u.fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => options.unsafe_fixes,
            Applicability::Manual => false,
        })
        .filter(|u| u.fix.files().iter().all(|f| !poisoned.contains(f)))
        .collect()
}

/// Picks units whose edits overlap no unit picked before (in order).
pub fn non_conflicting(units: Vec<FixUnit>) -> (Vec<FixUnit>, Vec<FixUnit>) {
    let mut chosen: Vec<FixUnit> = Vec::new();
    let mut deferred = Vec::new();
    for unit in units {
        if chosen.iter().any(|c| c.fix.conflicts_with(&unit.fix)) || has_internal_overlap(&unit.fix)
        {
            deferred.push(unit);
        } else {
            chosen.push(unit);
        }
    }
    (chosen, deferred)
}

fn has_internal_overlap(fix: &Fix) -> bool {
    fix.edits.windows(2).any(|w| {
        let (fa, a) = &w[0];
        let (fb, b) = &w[1];
        fa == fb && a != b && a.conflicts_with(b)
    })
}

/// Edits to a file use `\n`; a CRLF file gets `\r\n` in what is inserted.
pub fn adapt_line_endings(text: &str, edit: &Edit) -> Edit {
    if text.contains("\r\n") && edit.replacement.contains('\n') {
        let replacement = edit.replacement.replace("\r\n", "\n").replace('\n', "\r\n");
        Edit::replace(edit.range.clone(), replacement)
    } else {
        edit.clone()
    }
}

/// Applies the units' edits to the current texts; `Err` names the files
/// whose edits do not apply. Whether a result parses is the re-check's
/// to find (parsing it here too cost a parse of every fixed file).
fn apply_units(
    project: &Project,
    units: &[FixUnit],
) -> Result<BTreeMap<FileId, String>, Vec<(FileId, String)>> {
    let mut per_file: BTreeMap<FileId, Vec<Edit>> = BTreeMap::new();
    for unit in units {
        for (file, edit) in &unit.fix.edits {
            let text = project.file(*file).text();
            per_file
                .entry(*file)
                .or_default()
                .push(adapt_line_endings(text, edit));
        }
    }
    let mut out = BTreeMap::new();
    let mut broken = Vec::new();
    for (file, mut edits) in per_file {
        edits.sort();
        edits.dedup();
        match apply_edits(project.file(file).text(), &edits) {
            Ok(fixed) => {
                out.insert(file, fixed);
            }
            Err(error) => {
                broken.push((file, format!("the fix's edits are inconsistent ({error})")))
            }
        }
    }
    if broken.is_empty() {
        Ok(out)
    } else {
        Err(broken)
    }
}

/// `(rule, file, text)`: what a finding is about, independent of position.
pub type Key = (&'static str, FileId, String);

pub fn fingerprint(project: &Project, finding: &Finding) -> Key {
    let text = project
        .file(finding.file)
        .text()
        .get(finding.range.clone())
        .unwrap_or_default();
    let normalized: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (finding.rule.id, finding.file, normalized)
}

/// Replaces texts (see [`Project::replace_sources`]) and returns the
/// findings after: `findings` (those before) with the files the change
/// can affect checked again, or a whole new check when the project model
/// changed or `options` asks for one. With `before` (each changed file's
/// text before), the changed files are also verified against it
/// ([`crate::verify`], from their `baselines`), and the baselines of the
/// files checked again that have fixes come back.
fn replace_and_recheck(
    project: &mut Project,
    rules: &RuleSet<'_>,
    options: FixOptions,
    changes: Vec<(FileId, String)>,
    findings: &[Finding],
    before: Option<(&[(FileId, String)], &Baselines)>,
) -> Result<(Vec<Finding>, Vec<Violation>, Baselines), crate::EngineError> {
    let changed: Vec<FileId> = changes.iter().map(|(file, _)| *file).collect();
    let imported_before = imported_files(project, &changed);
    let canon_before = project.canon.clone();
    project.replace_sources(changes)?;
    if options.full_recheck || project.canon != canon_before {
        return Ok(match before {
            Some((before, baselines)) => check_and_verify(project, rules, before, baselines),
            None => (check(project, rules), Vec::new(), Baselines::default()),
        });
    }
    let affected = affected(project, &changed, &imported_before, findings);
    Ok(match before {
        Some((before, baselines)) => {
            recheck_and_verify(project, rules, findings, &affected, before, baselines)
        }
        None => (
            crate::run::recheck(project, rules, findings, &affected),
            Vec::new(),
            Baselines::default(),
        ),
    })
}

/// Fixes the project in memory to a fixed point. The project's texts end
/// up fixed; the report holds each changed file's original and fixed text.
pub fn fix_project(
    project: &mut Project,
    rules: &RuleSet<'_>,
    options: FixOptions,
) -> Result<FixReport, crate::EngineError> {
    fix_project_except(project, rules, options, &HashSet::new())
}

/// [`fix_project`], never touching the `frozen` files (a fix that would
/// is not applied).
pub fn fix_project_except(
    project: &mut Project,
    rules: &RuleSet<'_>,
    options: FixOptions,
    frozen: &HashSet<FileId>,
) -> Result<FixReport, crate::EngineError> {
    // The text of each file as it was before its first change (only changed
    // files: a tree's texts are not all kept).
    let mut originals: BTreeMap<FileId, String> = BTreeMap::new();
    let mut report = FixReport::default();
    let mut poisoned: HashSet<FileId> = frozen.clone();
    // Files whose fixes broke the program together: retried one unit per
    // round (two fixes may each be right and wrong only together, such as
    // one removing an import the other starts to use).
    let mut one_at_a_time: HashSet<FileId> = HashSet::new();
    // What verification needs of each text with a fix, from the check
    // that found it (see `verify::Baseline`); a file loses its baseline
    // when its text changes, and gets one again from the check after.
    let (mut findings, kept) = crate::run::check_with(project, rules, &keep_baseline);
    let mut baselines: Baselines = kept.into_iter().collect();
    let mut converged = false;
    let mut last_round: Vec<(FileId, String)> = Vec::new();

    for _ in 0..MAX_ROUNDS {
        let units = applicable(fix_units(&findings), options, &poisoned);
        if units.is_empty() {
            converged = true;
            break;
        }
        let (mut chosen, mut deferred) = non_conflicting(units);
        let mut taken: HashSet<FileId> = HashSet::new();
        let (single, later): (Vec<FixUnit>, Vec<FixUnit>) = chosen.into_iter().partition(|u| {
            let cautious: Vec<FileId> = u
                .fix
                .files()
                .into_iter()
                .filter(|f| one_at_a_time.contains(f))
                .collect();
            let free = cautious.iter().all(|f| !taken.contains(f));
            if free {
                taken.extend(cautious);
            }
            free
        });
        chosen = single;
        deferred.extend(later);
        // Drop units whose edits do not apply, and keep the others.
        let texts = loop {
            match apply_units(project, &chosen) {
                Ok(texts) => break texts,
                Err(broken) => {
                    for (file, reason) in broken {
                        poisoned.insert(file);
                        let rules: Vec<&str> = chosen
                            .iter()
                            .filter(|u| u.fix.files().contains(&file))
                            .flat_map(FixUnit::rules)
                            .collect();
                        report.problems.push(FixProblem {
                            file,
                            reason: format!(
                                "{reason}; fix for {} dropped, file left unchanged",
                                rules.join(", ")
                            ),
                        });
                    }
                    chosen.retain(|u| u.fix.files().iter().all(|f| !poisoned.contains(f)));
                }
            }
        };
        if chosen.is_empty() {
            continue;
        }
        let problems_before = report.problems.len();
        let before: Vec<(FileId, String)> = texts
            .keys()
            .map(|f| (*f, project.file(*f).text().to_owned()))
            .collect();
        let unit_keys: Vec<Vec<Key>> = chosen
            .iter()
            .map(|u| u.findings.iter().map(|f| fingerprint(project, f)).collect())
            .collect();
        let deferred_keys: Vec<(Vec<&'static str>, Vec<Key>)> = deferred
            .iter()
            .map(|u| {
                (
                    u.findings.iter().map(|f| f.rule.id).collect(),
                    u.findings.iter().map(|f| fingerprint(project, f)).collect(),
                )
            })
            .collect();
        let mut expected_gone: HashMap<Key, usize> = HashMap::new();
        for key in unit_keys.iter().flatten() {
            *expected_gone.entry(key.clone()).or_default() += 1;
        }
        let mut counts_before: HashMap<Key, usize> = HashMap::new();
        for finding in &findings {
            *counts_before
                .entry(fingerprint(project, finding))
                .or_default() += 1;
        }
        last_round = before.clone();
        for (file, text) in &before {
            originals.entry(*file).or_insert_with(|| text.clone());
        }
        let (after, violations, kept) = replace_and_recheck(
            project,
            rules,
            options,
            texts.into_iter().collect(),
            &findings,
            Some((&before, &baselines)),
        )?;
        for (file, _) in &before {
            baselines.remove(file);
        }
        baselines.extend(kept);
        // Re-check: what was fixed must be gone.
        let mut counts_after: HashMap<Key, usize> = HashMap::new();
        for finding in &after {
            *counts_after
                .entry(fingerprint(project, finding))
                .or_default() += 1;
        }
        let mut revert: HashSet<FileId> = HashSet::new();
        // The fixed texts must parse, and the program must still import
        // and call correctly.
        for violation in violations {
            let units_here = chosen
                .iter()
                .filter(|u| u.fix.files().contains(&violation.file))
                .count();
            if units_here > 1 && matches!(violation.breaks, Breaks::Program) {
                // Undone, and tried again one unit at a time.
                if one_at_a_time.insert(violation.file) {
                    revert.insert(violation.file);
                    continue;
                }
            }
            let rules: Vec<&str> = chosen
                .iter()
                .filter(|u| u.fix.files().contains(&violation.file))
                .flat_map(FixUnit::rules)
                .collect();
            let rules = rules.join(", ");
            let reason = match violation.breaks {
                Breaks::Syntax => format!(
                    "{}; fix for {rules} dropped, file left unchanged",
                    violation.reason
                ),
                Breaks::Program => format!(
                    "the fix for {rules} would break the program ({}); fix dropped, file left unchanged",
                    violation.reason
                ),
            };
            report.problems.push(FixProblem {
                file: violation.file,
                reason,
            });
            revert.insert(violation.file);
        }
        for (unit, keys) in chosen.iter().zip(&unit_keys) {
            let stuck = keys.iter().any(|key| {
                let was = counts_before.get(key).copied().unwrap_or(0);
                let gone = expected_gone.get(key).copied().unwrap_or(0);
                counts_after.get(key).copied().unwrap_or(0) > was.saturating_sub(gone)
            });
            if stuck {
                revert.extend(unit.fix.files());
                for file in unit.fix.files() {
                    report.problems.push(FixProblem {
                        file,
                        reason: format!(
                            "re-checking after the fix for {} still finds it; fix dropped, file left unchanged",
                            unit.rules().join(", ")
                        ),
                    });
                }
            }
        }
        // A unit is undone whole: every file of a unit that touches an
        // undone file is undone too (and so on), or a cross-file fix
        // would be left half applied.
        loop {
            let more: Vec<FileId> = chosen
                .iter()
                .filter(|u| u.fix.files().iter().any(|f| revert.contains(f)))
                .flat_map(|u| u.fix.files())
                .filter(|f| !revert.contains(f))
                .collect();
            if more.is_empty() {
                break;
            }
            revert.extend(more);
        }
        if revert.is_empty() {
            findings = after;
        } else {
            // Back to the text before this round: earlier rounds' fixes
            // (verified, maybe cross-file) stay.
            let restore: Vec<(FileId, String)> = before
                .iter()
                .filter(|(f, _)| revert.contains(f))
                .cloned()
                .collect();
            // Files this round's problems name are not tried again; the
            // others were undone with them (one unit spans both), or to be
            // retried one unit at a time, and their other fixes still may.
            let named: HashSet<FileId> = report.problems[problems_before..]
                .iter()
                .map(|p| p.file)
                .collect();
            poisoned.extend(revert.iter().copied().filter(|f| named.contains(f)));
            for (file, _) in &restore {
                baselines.remove(file);
            }
            findings = replace_and_recheck(project, rules, options, restore, &after, None)?.0;
            chosen.retain(|u| u.fix.files().iter().all(|f| !revert.contains(f)));
        }
        // A deferred unit whose findings this round made go away was
        // resolved by the fixes applied: it counts as fixed.
        let mut counts_now: HashMap<Key, usize> = HashMap::new();
        for finding in &findings {
            *counts_now.entry(fingerprint(project, finding)).or_default() += 1;
        }
        for (rules, keys) in &deferred_keys {
            let gone = keys.iter().all(|key| {
                counts_now.get(key).copied().unwrap_or(0)
                    < counts_before.get(key).copied().unwrap_or(0)
            });
            if gone && !chosen.is_empty() {
                report.resolved_by_others.extend(rules);
            }
        }
        for unit in &chosen {
            report.applied.push(Applied {
                rules: unit.rules(),
                findings: unit.findings.iter().map(|f| f.rule.id).collect(),
                files: unit.fix.files(),
                applicability: unit.fix.applicability,
            });
        }
    }

    if !converged {
        let last_round_files: Vec<FileId> = last_round.iter().map(|(f, _)| *f).collect();
        for file in &last_round_files {
            report.problems.push(FixProblem {
                file: *file,
                reason: format!(
                    "fixes did not converge after {MAX_ROUNDS} rounds; file left unchanged"
                ),
            });
        }
        project.replace_sources(last_round)?;
        report
            .applied
            .retain(|a| a.files.iter().all(|f| !last_round_files.contains(f)));
        findings = check(project, rules);
    }

    report.changes = originals
        .into_iter()
        .filter(|(file, original)| project.file(*file).text() != original)
        .map(|(file, original)| (file, original, project.file(file).text().to_owned()))
        .collect();
    report.remaining = findings;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::SYNTAX_ERROR;

    fn finding(file: u32, start: usize, group: Group) -> Finding {
        Finding {
            confidence: Default::default(),
            rule: &SYNTAX_ERROR,
            file: FileId(file),
            range: start..start + 1,
            message: String::new(),
            fix: Some(Fix {
                applicability: Applicability::Safe,
                edits: vec![(FileId(file), Edit::replace(start..start + 1, "x"))],
            }),
            group: Some(group),
        }
    }

    #[test]
    fn in_file_groups_with_the_same_key_in_two_files_stay_apart() {
        let key = || Group::InFile("tenant-filter:40".into());
        let units = fix_units(&[finding(0, 40, key()), finding(1, 40, key())]);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].fix.files(), vec![FileId(0)]);
        assert_eq!(units[1].fix.files(), vec![FileId(1)]);
    }

    #[test]
    fn in_file_group_members_of_one_file_merge() {
        let key = || Group::InFile("tenant-filter:40".into());
        let units = fix_units(&[finding(0, 40, key()), finding(0, 50, key())]);
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].findings.len(), 2);
    }

    #[test]
    fn across_files_group_merges_every_file() {
        let key = || Group::AcrossFiles("convert-db-params:app.tasks.run".into());
        let units = fix_units(&[finding(0, 10, key()), finding(3, 20, key())]);
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].fix.files(), vec![FileId(0), FileId(3)]);
    }
}
