//! The review loop of `fix -i`: one fix at a time, in path order, over a
//! [`Prompter`] and any writer, so tests drive it with scripted answers.
//!
//! Accepted fixes of a file are applied together, verified (the result
//! parses, and re-checking no longer finds what they fixed), and written
//! atomically when the loop moves past the file; a file changed on disk
//! meanwhile is not overwritten. Quitting (or end of input) writes what was
//! accepted and leaves everything else untouched.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use onesession_engine::fix::{
    adapt_line_endings, fingerprint, fix_units, FixUnit, Key, MAX_ROUNDS,
};
use onesession_engine::python::parse_module;
use onesession_engine::run::check_files;
use onesession_engine::text::{apply_edits, Applicability, Edit, FileId};
use onesession_engine::{Finding, Group, Project, RuleSet};

use crate::render::{file_diff, Palette};
use crate::write::{disk_bytes, write_atomically};

/// What the person answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `y`: apply this change.
    Yes,
    /// `n`: skip it.
    No,
    /// `a`: apply it and the rest in this file.
    RestOfFile,
    /// `A`: apply it and every remaining change of its rules.
    AllOfRule,
    /// `s`: skip the rest of this file.
    SkipFile,
    /// `e`: edit the proposed result.
    Edit,
    /// `q`: stop; accepted changes are written.
    Quit,
    /// `?`: explain the keys.
    Help,
}

impl Answer {
    pub fn from_key(key: char) -> Option<Self> {
        Some(match key {
            'y' => Answer::Yes,
            'n' => Answer::No,
            'a' => Answer::RestOfFile,
            'A' => Answer::AllOfRule,
            's' => Answer::SkipFile,
            'e' => Answer::Edit,
            'q' => Answer::Quit,
            '?' => Answer::Help,
            _ => return None,
        })
    }
}

pub const HELP: &str = "\
y - apply this change
n - skip this change
a - apply this change and the rest in this file
A - apply this change and every remaining change of the same rule
s - skip the rest of this file
e - edit the proposed result in $EDITOR (it must still parse)
q - quit: accepted changes are written, nothing else
? - this help";

/// End of input or Ctrl-C: treated as `q`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

pub trait Prompter {
    /// Asks about one change.
    fn ask(&mut self, question: &str) -> Result<Answer, Interrupted>;
    /// Lets the person edit `proposed` (a whole file); `None` when they
    /// saved nothing new.
    fn edit(&mut self, path: &str, proposed: &str) -> Result<Option<String>, Interrupted>;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReviewSummary {
    /// Changes accepted and written.
    pub applied: usize,
    pub skipped: usize,
    /// Changes not reached (after `q`) in the files checked so far.
    pub left: usize,
    /// Files not checked yet when the person quit (their changes are not
    /// counted in `left`).
    pub unchecked_files: usize,
    pub files_written: Vec<FileId>,
    /// Files not written, and why.
    pub problems: Vec<(FileId, String)>,
    pub quit: bool,
}

/// A file's pending state during one pass.
struct Draft {
    /// The text every unit of this pass was computed against.
    base: String,
    /// What is on disk now (the base, or what we last wrote).
    on_disk: String,
    bom: bool,
    /// The person's own text (from `e`): replaces base + accepted edits.
    edited: Option<String>,
    dirty: bool,
}

/// A change the person accepted in this pass.
struct Accepted {
    /// Edits (line endings adapted) by file.
    edits: Vec<(FileId, Edit)>,
    /// The findings it is for: they must be gone after it.
    keys: Vec<Key>,
    files: Vec<FileId>,
    /// Dropped by verification or a refused write.
    dropped: bool,
    written: bool,
}

struct Loop<'p, 'r> {
    project: &'p mut Project,
    rules: &'r RuleSet<'r>,
    palette: Palette,
    display: &'p dyn Fn(FileId) -> String,
    drafts: BTreeMap<FileId, Draft>,
    accepted: Vec<Accepted>,
    /// How many findings of each key the pass started with.
    pass_counts: std::collections::HashMap<Key, usize>,
    summary: ReviewSummary,
}

/// The first pass checks this many files before the first question, then
/// twice as many each time it needs more, up to [`MAX_BATCH`]: the first
/// prompt comes after a handful of files, not the whole tree.
const FIRST_BATCH: usize = 8;
const MAX_BATCH: usize = 512;

/// One pass's findings, checked in path order a batch at a time (each
/// batch in parallel), as the review reaches them.
struct Feed {
    /// The requested files in path order.
    order: Vec<FileId>,
    /// Findings of `order[..checked]`, by position.
    by_file: Vec<Vec<Finding>>,
    checked: usize,
    batch: usize,
    /// Units of cross-file groups, once every file has been checked.
    across: Option<Vec<FixUnit>>,
}

impl Feed {
    fn new(project: &Project) -> Self {
        let mut order: Vec<FileId> = project
            .files
            .iter()
            .filter(|f| f.requested)
            .map(|f| f.id)
            .collect();
        order.sort_by(|a, b| project.file(*a).relative.cmp(&project.file(*b).relative));
        Feed {
            by_file: Vec::with_capacity(order.len()),
            order,
            checked: 0,
            batch: FIRST_BATCH,
            across: None,
        }
    }

    /// Checks the next batch (or everything left); returns the new findings.
    fn check_more(
        &mut self,
        project: &Project,
        rules: &RuleSet<'_>,
        everything: bool,
    ) -> Vec<Finding> {
        let end = if everything {
            self.order.len()
        } else {
            (self.checked + self.batch).min(self.order.len())
        };
        self.batch = (self.batch * 2).min(MAX_BATCH);
        let batch = &self.order[self.checked..end];
        let findings = check_files(project, rules, batch);
        let mut by_file: BTreeMap<FileId, Vec<Finding>> = BTreeMap::new();
        for finding in &findings {
            by_file
                .entry(finding.file)
                .or_default()
                .push(finding.clone());
        }
        for file in batch {
            self.by_file.push(by_file.remove(file).unwrap_or_default());
        }
        self.checked = end;
        findings
    }

    /// Files checked so far, in order.
    fn checked_findings(&self) -> impl Iterator<Item = &Finding> {
        self.by_file.iter().flatten()
    }
}

/// Runs the review. `display` names a file for the person.
/// How the review runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReviewOptions {
    pub color: bool,
    /// Offer unsafe changes too (as `fix --unsafe-fixes` applies them);
    /// without it they are counted in one note, as `fix` does.
    pub unsafe_fixes: bool,
}

/// What a "no" remembers of a finding: its fingerprint, and its rule,
/// file and message. Another accepted change may rewrite the reported text
/// (DB109 adding `connect_args` inside the call DB103 reports) and change
/// the fingerprint; the message stays, and the finding is not asked again.
fn declined_keys(project: &Project, finding: &Finding) -> [Key; 2] {
    let by_message = (finding.rule.id, finding.file, finding.message.clone());
    [fingerprint(project, finding), by_message]
}

pub fn review(
    project: &mut Project,
    rules: &RuleSet<'_>,
    prompter: &mut dyn Prompter,
    out: &mut dyn Write,
    options: ReviewOptions,
    display: &dyn Fn(FileId) -> String,
) -> io::Result<ReviewSummary> {
    let mut state = Loop {
        project,
        rules,
        palette: Palette::new(options.color),
        display,
        drafts: BTreeMap::new(),
        accepted: Vec::new(),
        pass_counts: std::collections::HashMap::new(),
        summary: ReviewSummary::default(),
    };
    let mut declined: HashSet<Key> = HashSet::new();
    let mut all_of_rule: HashSet<&'static str> = HashSet::new();
    let mut shown_manual: HashSet<Key> = HashSet::new();
    let mut withheld: HashSet<Key> = HashSet::new();

    for _ in 0..MAX_ROUNDS {
        state.drafts.clear();
        state.accepted.clear();
        state.pass_counts.clear();
        let mut feed = Feed::new(state.project);
        let mut offered_any = false;
        let mut accepted_any = false;
        for position in 0..feed.order.len() {
            if feed.checked <= position {
                if state.summary.quit {
                    state.summary.unchecked_files = feed.order.len() - feed.checked;
                    break;
                }
                let new = feed.check_more(state.project, state.rules, false);
                state.count(&new);
            }
            let file = feed.order[position];
            let spans_files = feed.by_file[position]
                .iter()
                .any(|f| f.group.as_ref().is_some_and(Group::spans_files));
            if spans_files && feed.across.is_none() && !state.summary.quit {
                // A cross-file group can have members anywhere: check the
                // rest of the tree before offering it.
                let new = feed.check_more(state.project, state.rules, true);
                state.count(&new);
                let across: Vec<Finding> = feed
                    .checked_findings()
                    .filter(|f| f.group.as_ref().is_some_and(Group::spans_files))
                    .cloned()
                    .collect();
                feed.across = Some(fix_units(&across));
            }
            let local: Vec<Finding> = feed.by_file[position]
                .iter()
                .filter(|f| !f.group.as_ref().is_some_and(Group::spans_files))
                .cloned()
                .collect();
            let mut units = fix_units(&local);
            if spans_files {
                units.extend(
                    feed.across
                        .iter()
                        .flatten()
                        .filter(|u| u.findings[0].file == file)
                        .cloned(),
                );
            }
            units.retain(|u| {
                u.findings.iter().any(|f| {
                    !declined_keys(state.project, f)
                        .iter()
                        .any(|key| declined.contains(key))
                })
            });
            if !options.unsafe_fixes {
                units.retain(|u| {
                    let safe = u.fix.applicability == Applicability::Safe;
                    if !safe {
                        withheld.extend(u.findings.iter().map(|f| fingerprint(state.project, f)));
                    }
                    safe
                });
            }
            if units.is_empty() {
                continue;
            }
            units.sort_by_key(|u| u.findings[0].range.start);
            let units = cluster(units);
            if state.summary.quit {
                state.summary.left += units.len();
                continue;
            }
            offered_any = true;
            state.flush(out)?;
            let manual: Vec<Finding> = feed.by_file[position]
                .iter()
                .filter(|f| f.fix.is_none() && shown_manual.insert(fingerprint(state.project, f)))
                .cloned()
                .collect();
            state.show_manual(out, &manual, file)?;
            let (mut rest_of_file, mut skip_file) = (false, false);
            for (unit, covered) in units {
                if state.summary.quit {
                    state.summary.left += 1;
                    continue;
                }
                let keys: Vec<Key> = unit
                    .findings
                    .iter()
                    .chain(&covered)
                    .map(|f| fingerprint(state.project, f))
                    .collect();
                let declined_keys = unit
                    .findings
                    .iter()
                    .chain(&covered)
                    .flat_map(|f| declined_keys(state.project, f))
                    .collect::<Vec<Key>>();
                if skip_file {
                    declined.extend(declined_keys);
                    state.summary.skipped += 1;
                    continue;
                }
                if let Some(reason) = state.blocked(&unit) {
                    writeln!(
                        out,
                        "{}",
                        state
                            .palette
                            .dim(&format!("  skipped {}: {reason}", describe(&unit)))
                    )?;
                    continue;
                }
                let auto = rest_of_file || unit.rules().iter().all(|r| all_of_rule.contains(r));
                state.show(out, &unit, &covered)?;
                let answer = if auto {
                    Answer::Yes
                } else {
                    state.ask(out, prompter, &unit)?
                };
                match answer {
                    Answer::Yes | Answer::RestOfFile | Answer::AllOfRule => {
                        if answer == Answer::RestOfFile {
                            rest_of_file = true;
                        }
                        if answer == Answer::AllOfRule {
                            all_of_rule.extend(unit.rules());
                        }
                        state.accept(&unit, keys);
                        accepted_any = true;
                    }
                    Answer::Edit => accepted_any = true,
                    Answer::No => {
                        declined.extend(declined_keys);
                        state.summary.skipped += 1;
                    }
                    Answer::SkipFile => {
                        skip_file = true;
                        declined.extend(declined_keys);
                        state.summary.skipped += 1;
                    }
                    Answer::Quit => {
                        state.summary.quit = true;
                        state.summary.left += 1;
                    }
                    Answer::Help => {}
                }
            }
        }
        state.flush(out)?;
        if state.summary.quit || !offered_any || !accepted_any {
            break;
        }
    }
    if !withheld.is_empty() {
        writeln!(
            out,
            "{}",
            state.palette.dim(&format!(
                "  note: {} with an unsafe fix not offered; `onesession fix -i --unsafe-fixes` offers them too",
                if withheld.len() == 1 {
                    "1 finding".to_owned()
                } else {
                    format!("{} findings", withheld.len())
                }
            ))
        )?;
    }
    Ok(state.summary)
}

/// Each unit with the findings of the later units whose every edit falls
/// within its own (a DB102 call rewrite inside DB101's change): one
/// question for one change, whatever it resolves; declining it declines
/// them all. Accepting it leaves them to the next round's re-check.
fn cluster(units: Vec<FixUnit>) -> Vec<(FixUnit, Vec<Finding>)> {
    let mut clusters: Vec<(FixUnit, Vec<Finding>)> = Vec::new();
    for unit in units {
        let within = |head: &FixUnit| {
            head.fix.applicability == unit.fix.applicability
                && unit.fix.edits.iter().all(|(file, edit)| {
                    head.fix.edits.iter().any(|(f, e)| {
                        // Overlapping, or inside it (an insertion at its end).
                        f == file
                            && (e.conflicts_with(edit)
                                || (e.range.start <= edit.range.start
                                    && edit.range.end <= e.range.end))
                    })
                })
        };
        match clusters.iter_mut().find(|(head, _)| within(head)) {
            Some((_, covered)) => covered.extend(unit.findings),
            None => clusters.push((unit, Vec::new())),
        }
    }
    clusters
}

fn describe(unit: &FixUnit) -> String {
    unit.rules().join(", ")
}

impl Loop<'_, '_> {
    /// Counts what the pass starts with (verification compares against it).
    fn count(&mut self, findings: &[Finding]) {
        for finding in findings {
            *self
                .pass_counts
                .entry(fingerprint(self.project, finding))
                .or_default() += 1;
        }
    }

    /// Asks until the answer is a decision (help and failed edits ask again).
    fn ask(
        &mut self,
        out: &mut dyn Write,
        prompter: &mut dyn Prompter,
        unit: &FixUnit,
    ) -> io::Result<Answer> {
        let question = format!(
            "Apply this change? [y,n,a,A,s,e,q,?] ({})",
            unit.fix.applicability
        );
        loop {
            return Ok(match prompter.ask(&question) {
                Ok(Answer::Help) => {
                    writeln!(out, "{HELP}")?;
                    continue;
                }
                Ok(Answer::Edit) => match self.edit(out, prompter, unit) {
                    Ok(true) => Answer::Edit,
                    Ok(false) => continue,
                    Err(Interrupted) => Answer::Quit,
                },
                Ok(answer) => answer,
                Err(Interrupted) => Answer::Quit,
            });
        }
    }

    fn draft(&mut self, file: FileId) -> &mut Draft {
        let project = &*self.project;
        self.drafts.entry(file).or_insert_with(|| {
            let source = project.file(file);
            let text = source.text().to_owned();
            Draft {
                base: text.clone(),
                on_disk: text,
                bom: source.has_bom(),
                edited: None,
                dirty: false,
            }
        })
    }

    /// The accepted (not dropped) edits of `file`.
    fn accepted_edits(&self, file: FileId) -> Vec<Edit> {
        self.accepted
            .iter()
            .filter(|a| !a.dropped)
            .flat_map(|a| {
                a.edits
                    .iter()
                    .filter(|(f, _)| *f == file)
                    .map(|(_, e)| e.clone())
            })
            .collect()
    }

    /// The file's text with every accepted change.
    fn current(&mut self, file: FileId) -> Result<String, String> {
        let edits = self.accepted_edits(file);
        let draft = self.draft(file);
        match &draft.edited {
            Some(text) => Ok(text.clone()),
            None => apply_edits(&draft.base, &edits).map_err(|e| e.to_string()),
        }
    }

    /// Why this unit cannot be offered now (it overlaps an accepted one).
    fn blocked(&mut self, unit: &FixUnit) -> Option<&'static str> {
        for file in unit.fix.files() {
            if self.draft(file).edited.is_some() {
                return Some("the file was edited by hand (run again to see it)");
            }
            let accepted = self.accepted_edits(file);
            if unit
                .fix
                .edits_for(file)
                .any(|e| accepted.iter().any(|a| a.conflicts_with(e)))
            {
                return Some("it overlaps a change already accepted (run again to see it)");
            }
        }
        None
    }

    fn proposed(&mut self, unit: &FixUnit, file: FileId) -> Result<(String, String), String> {
        let current = self.current(file)?;
        let mut edits = self.accepted_edits(file);
        let draft = self.draft(file);
        edits.extend(
            unit.fix
                .edits_for(file)
                .map(|e| adapt_line_endings(&draft.base, e)),
        );
        let proposed = apply_edits(&draft.base, &edits).map_err(|e| e.to_string())?;
        Ok((current, proposed))
    }

    fn show(&mut self, out: &mut dyn Write, unit: &FixUnit, covered: &[Finding]) -> io::Result<()> {
        let palette = self.palette;
        let first = &unit.findings[0];
        let file = self.project.file(first.file);
        let line = file
            .analysis()
            .map_or(1, |a| a.lines.line_of(first.range.start) + 1);
        let marker = match unit.fix.applicability {
            Applicability::Unsafe => palette.yellow(" [unsafe: may change behaviour]"),
            _ => String::new(),
        };
        writeln!(out)?;
        writeln!(
            out,
            "{} {}  {}:{line}{marker}",
            palette.bold(&palette.red(first.rule.id)),
            palette.bold(first.rule.name),
            palette.cyan(&(self.display)(first.file)),
        )?;
        writeln!(out, "  {}", first.message)?;
        for other in unit.findings[1..].iter().chain(covered) {
            writeln!(out, "  {} {}", other.rule.id, other.message)?;
        }
        for file in unit.fix.files() {
            match self.proposed(unit, file) {
                Ok((current, proposed)) => {
                    write!(
                        out,
                        "{}",
                        file_diff(&(self.display)(file), &current, &proposed, palette)
                    )?;
                }
                Err(error) => writeln!(out, "  (cannot show {}: {error})", (self.display)(file))?,
            }
        }
        Ok(())
    }

    fn show_manual(&self, out: &mut dyn Write, manual: &[Finding], file: FileId) -> io::Result<()> {
        for finding in manual.iter().filter(|f| f.file == file) {
            let line = self
                .project
                .file(file)
                .analysis()
                .map_or(1, |a| a.lines.line_of(finding.range.start) + 1);
            writeln!(
                out,
                "{}",
                self.palette.dim(&format!(
                    "  note: {}:{line} {} {}{}",
                    (self.display)(file),
                    finding.rule.id,
                    finding.message,
                    // Some messages already end by saying so.
                    if finding.message.ends_with("(manual)") {
                        ""
                    } else {
                        " (manual)"
                    }
                ))
            )?;
        }
        Ok(())
    }

    fn accept(&mut self, unit: &FixUnit, keys: Vec<Key>) {
        let files = unit.fix.files();
        let mut edits = Vec::new();
        for file in &files {
            let draft = self.draft(*file);
            draft.dirty = true;
            let base = draft.base.clone();
            edits.extend(
                unit.fix
                    .edits_for(*file)
                    .map(|e| (*file, adapt_line_endings(&base, e))),
            );
        }
        self.accepted.push(Accepted {
            edits,
            keys,
            files,
            dropped: false,
            written: false,
        });
    }

    /// `e`: the person edits the proposed file; accepted when it parses.
    fn edit(
        &mut self,
        out: &mut dyn Write,
        prompter: &mut dyn Prompter,
        unit: &FixUnit,
    ) -> Result<bool, Interrupted> {
        let files = unit.fix.files();
        if files.len() != 1 {
            let _ = writeln!(out, "  e works on changes to one file; answer y or n");
            return Ok(false);
        }
        let file = files[0];
        let Ok((_, proposed)) = self.proposed(unit, file) else {
            return Ok(false);
        };
        let Some(text) = prompter.edit(&(self.display)(file), &proposed)? else {
            let _ = writeln!(out, "  nothing saved; the change is still pending");
            return Ok(false);
        };
        if let Err(error) = parse_module(&text) {
            let line = text[..error.offset.min(text.len())].matches('\n').count() + 1;
            let _ = writeln!(
                out,
                "  not accepted: your edit does not parse (line {line}: {})",
                error.message
            );
            return Ok(false);
        }
        let draft = self.draft(file);
        draft.edited = Some(text);
        draft.dirty = true;
        self.accepted.push(Accepted {
            edits: Vec::new(),
            keys: Vec::new(),
            files: vec![file],
            dropped: false,
            written: false,
        });
        Ok(true)
    }

    /// Drops the accepted changes touching `file` (in every file they
    /// touch), with the reason.
    fn drop_changes_of(&mut self, file: FileId, reason: &str) {
        let mut touched = Vec::new();
        for accepted in self
            .accepted
            .iter_mut()
            .filter(|a| !a.dropped && !a.written)
        {
            if accepted.files.contains(&file) {
                accepted.dropped = true;
                self.summary.skipped += 1;
                touched.extend(accepted.files.iter().copied());
            }
        }
        if let Some(draft) = self.drafts.get_mut(&file) {
            draft.edited = None;
        }
        touched.push(file);
        touched.sort_unstable();
        touched.dedup();
        for other in touched {
            let still_changed = self
                .accepted
                .iter()
                .any(|a| !a.dropped && !a.written && a.files.contains(&other));
            if let Some(draft) = self.drafts.get_mut(&other) {
                draft.dirty &= still_changed;
            }
            self.summary.problems.push((other, reason.to_owned()));
        }
    }

    /// Verifies every file with accepted changes, then writes them. A
    /// change spanning several files is written in all of them or none.
    fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut reported: Vec<(FileId, String)> = Vec::new();
        loop {
            let dirty: Vec<FileId> = self
                .drafts
                .iter()
                .filter(|(_, d)| d.dirty)
                .map(|(f, _)| *f)
                .collect();
            if dirty.is_empty() {
                break;
            }
            match self.verify(&dirty) {
                Ok(texts) => {
                    self.write(&texts, &mut reported, out)?;
                    break;
                }
                Err((file, reason)) => {
                    reported.push((file, reason.clone()));
                    self.drop_changes_of(file, &reason);
                }
            }
        }
        for (file, reason) in reported {
            let name = (self.display)(file);
            writeln!(
                out,
                "{}",
                self.palette
                    .yellow(&format!("  not written: {name}: {reason}"))
            )?;
        }
        Ok(())
    }

    /// The new text of every dirty file, or the first file that fails.
    fn verify(&mut self, dirty: &[FileId]) -> Result<Vec<(FileId, String)>, (FileId, String)> {
        let mut texts = Vec::new();
        for file in dirty {
            let text = self.current(*file).map_err(|e| (*file, e))?;
            if let Err(error) = parse_module(&text) {
                return Err((
                    *file,
                    format!("the result does not parse ({})", error.message),
                ));
            }
            let draft = &self.drafts[file];
            let on_disk = disk_bytes(&draft.on_disk, draft.bom);
            let path = &self.project.file(*file).path;
            match std::fs::read(path) {
                Ok(bytes) if bytes == on_disk => {}
                Ok(_) => {
                    return Err((
                        *file,
                        "changed on disk since it was read; not written (run again)".into(),
                    ))
                }
                Err(error) => return Err((*file, format!("cannot read it back: {error}"))),
            }
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
                return Err((*file, "file is read-only; not written".into()));
            }
            texts.push((*file, text));
        }
        // Re-check: what the accepted changes were for must be gone.
        let previous: Vec<(FileId, String)> = dirty
            .iter()
            .map(|f| (*f, self.drafts[f].on_disk.clone()))
            .collect();
        let restore = |project: &mut Project| {
            let _ = project.replace_sources(previous.clone());
        };
        if let Err(error) = self.project.replace_sources(texts.clone()) {
            restore(self.project);
            return Err((dirty[0], error.to_string()));
        }
        let after = check_files(self.project, self.rules, dirty);
        let mut counts: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
        for finding in &after {
            *counts
                .entry(fingerprint(self.project, finding))
                .or_default() += 1;
        }
        let mut gone: std::collections::HashMap<&Key, usize> = std::collections::HashMap::new();
        for accepted in self.accepted.iter().filter(|a| !a.dropped) {
            for key in &accepted.keys {
                *gone.entry(key).or_default() += 1;
            }
        }
        let stuck = gone.iter().find(|(key, gone)| {
            dirty.contains(&key.1)
                && counts.get(**key).copied().unwrap_or(0)
                    > self
                        .pass_counts
                        .get(**key)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(**gone)
        });
        if let Some((key, _)) = stuck {
            let file = key.1;
            restore(self.project);
            return Err((
                file,
                "re-checking still finds what the change was for".into(),
            ));
        }
        Ok(texts)
    }

    fn write(
        &mut self,
        texts: &[(FileId, String)],
        reported: &mut Vec<(FileId, String)>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        for (file, text) in texts {
            let draft = self.drafts.get_mut(file).expect("dirty drafts exist");
            let expected = disk_bytes(&draft.on_disk, draft.bom);
            let path = self.project.file(*file).path.clone();
            draft.dirty = false;
            match write_atomically(&path, &expected, text, draft.bom) {
                Ok(()) => {
                    draft.on_disk = text.clone();
                    if !self.summary.files_written.contains(file) {
                        self.summary.files_written.push(*file);
                    }
                    writeln!(
                        out,
                        "{}",
                        self.palette
                            .green(&format!("  wrote {}", (self.display)(*file)))
                    )?;
                }
                Err(error) => {
                    let _ = self
                        .project
                        .replace_sources(vec![(*file, draft.on_disk.clone())]);
                    reported.push((*file, error.to_string()));
                    self.summary.problems.push((*file, error.to_string()));
                }
            }
        }
        for accepted in self
            .accepted
            .iter_mut()
            .filter(|a| !a.dropped && !a.written)
        {
            if accepted
                .files
                .iter()
                .all(|f| texts.iter().any(|(t, _)| t == f))
            {
                accepted.written = true;
                self.summary.applied += 1;
            }
        }
        Ok(())
    }
}
