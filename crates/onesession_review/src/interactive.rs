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
use onesession_engine::run::{check, check_files};
use onesession_engine::text::{apply_edits, Applicability, Edit, FileId};
use onesession_engine::{Finding, Project, RuleSet};

use crate::render::{file_diff, Palette};
use crate::write::write_atomically;

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
    /// Changes not reached (after `q`).
    pub left: usize,
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
    accepted: Vec<Edit>,
    /// Findings the accepted changes are for (must be gone after).
    keys: Vec<Key>,
    /// The person's own text (from `e`): replaces base + accepted.
    edited: Option<String>,
    units: usize,
    dirty: bool,
}

impl Draft {
    fn current(&self) -> Result<String, String> {
        match &self.edited {
            Some(text) => Ok(text.clone()),
            None => apply_edits(&self.base, &self.accepted).map_err(|e| e.to_string()),
        }
    }
}

struct Loop<'p, 'r> {
    project: &'p mut Project,
    rules: &'r RuleSet<'r>,
    palette: Palette,
    display: &'p dyn Fn(FileId) -> String,
    drafts: BTreeMap<FileId, Draft>,
    summary: ReviewSummary,
}

/// Runs the review. `display` names a file for the person.
pub fn review(
    project: &mut Project,
    rules: &RuleSet<'_>,
    prompter: &mut dyn Prompter,
    out: &mut dyn Write,
    color: bool,
    display: &dyn Fn(FileId) -> String,
) -> io::Result<ReviewSummary> {
    let mut state = Loop {
        project,
        rules,
        palette: Palette::new(color),
        display,
        drafts: BTreeMap::new(),
        summary: ReviewSummary::default(),
    };
    let mut declined: HashSet<Key> = HashSet::new();
    let mut all_of_rule: HashSet<&'static str> = HashSet::new();
    let mut shown_manual: HashSet<Key> = HashSet::new();

    for _ in 0..MAX_ROUNDS {
        let findings = check(state.project, state.rules);
        let mut units: Vec<FixUnit> = fix_units(&findings)
            .into_iter()
            .filter(|u| {
                u.findings
                    .iter()
                    .any(|f| !declined.contains(&fingerprint(state.project, f)))
            })
            .collect();
        if units.is_empty() {
            break;
        }
        units.sort_by_cached_key(|u| {
            let first = u.fix.edits.first().map(|(f, e)| (*f, e.range.start));
            first.map(|(f, start)| (state.project.file(f).relative.clone(), start))
        });
        state.drafts.clear();
        let manual: Vec<Finding> = findings
            .iter()
            .filter(|f| f.fix.is_none() && shown_manual.insert(fingerprint(state.project, f)))
            .cloned()
            .collect();

        let mut current: Option<FileId> = None;
        let mut rest_of_file = false;
        let mut skip_file = false;
        let mut accepted_any = false;
        for unit in units {
            let primary = unit.fix.edits[0].0;
            if current != Some(primary) {
                state.flush(out)?;
                current = Some(primary);
                rest_of_file = false;
                skip_file = false;
                state.show_manual(out, &manual, primary)?;
            }
            if state.summary.quit {
                state.summary.left += 1;
                continue;
            }
            let keys: Vec<Key> = unit
                .findings
                .iter()
                .map(|f| fingerprint(state.project, f))
                .collect();
            if skip_file {
                declined.extend(keys);
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
            state.show(out, &unit)?;
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
                    declined.extend(keys);
                    state.summary.skipped += 1;
                }
                Answer::SkipFile => {
                    skip_file = true;
                    declined.extend(keys);
                    state.summary.skipped += 1;
                }
                Answer::Quit => {
                    state.summary.quit = true;
                    state.summary.left += 1;
                }
                Answer::Help => {}
            }
        }
        state.flush(out)?;
        if state.summary.quit || !accepted_any {
            break;
        }
    }
    Ok(state.summary)
}

fn describe(unit: &FixUnit) -> String {
    unit.rules().join(", ")
}

impl Loop<'_, '_> {
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
                bom: source.source.as_ref().is_some_and(|s| s.bom),
                accepted: Vec::new(),
                keys: Vec::new(),
                edited: None,
                units: 0,
                dirty: false,
            }
        })
    }

    /// Why this unit cannot be offered now (it overlaps an accepted one).
    fn blocked(&mut self, unit: &FixUnit) -> Option<&'static str> {
        for file in unit.fix.files() {
            let draft = self.draft(file);
            if draft.edited.is_some() {
                return Some("the file was edited by hand (run again to see it)");
            }
            if unit
                .fix
                .edits_for(file)
                .any(|e| draft.accepted.iter().any(|a| a.conflicts_with(e)))
            {
                return Some("it overlaps a change already accepted (run again to see it)");
            }
        }
        None
    }

    fn proposed(&mut self, unit: &FixUnit, file: FileId) -> Result<(String, String), String> {
        let draft = self.draft(file);
        let current = draft.current()?;
        let mut edits = draft.accepted.clone();
        edits.extend(
            unit.fix
                .edits_for(file)
                .map(|e| adapt_line_endings(&draft.base, e)),
        );
        let proposed = apply_edits(&draft.base, &edits).map_err(|e| e.to_string())?;
        Ok((current, proposed))
    }

    fn show(&mut self, out: &mut dyn Write, unit: &FixUnit) -> io::Result<()> {
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
        for other in &unit.findings[1..] {
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
                    "  note: {}:{line} {} {} (manual)",
                    (self.display)(file),
                    finding.rule.id,
                    finding.message
                ))
            )?;
        }
        Ok(())
    }

    fn accept(&mut self, unit: &FixUnit, keys: Vec<Key>) {
        for file in unit.fix.files() {
            let edits: Vec<Edit> = {
                let draft = self.draft(file);
                unit.fix
                    .edits_for(file)
                    .map(|e| adapt_line_endings(&draft.base, e))
                    .collect()
            };
            let draft = self.draft(file);
            draft.accepted.extend(edits);
            draft
                .keys
                .extend(keys.iter().filter(|k| k.1 == file).cloned());
            draft.units += 1;
            draft.dirty = true;
        }
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
        draft.units += 1;
        draft.dirty = true;
        Ok(true)
    }

    /// Verifies and writes every file with accepted changes.
    fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let dirty: Vec<FileId> = self
            .drafts
            .iter()
            .filter(|(_, d)| d.dirty)
            .map(|(f, _)| *f)
            .collect();
        for file in dirty {
            let result = self.verify_and_write(file);
            let name = (self.display)(file);
            let draft = self.drafts.get_mut(&file).expect("dirty drafts exist");
            draft.dirty = false;
            match result {
                Ok(()) => {
                    self.summary.applied += draft.units;
                    draft.units = 0;
                    if !self.summary.files_written.contains(&file) {
                        self.summary.files_written.push(file);
                    }
                    writeln!(out, "{}", self.palette.green(&format!("  wrote {name}")))?;
                }
                Err(reason) => {
                    self.summary.skipped += draft.units;
                    draft.units = 0;
                    writeln!(
                        out,
                        "{}",
                        self.palette
                            .yellow(&format!("  not written: {name}: {reason}"))
                    )?;
                    self.summary.problems.push((file, reason));
                }
            }
        }
        Ok(())
    }

    fn verify_and_write(&mut self, file: FileId) -> Result<(), String> {
        let draft = &self.drafts[&file];
        let text = draft.current()?;
        if let Err(error) = parse_module(&text) {
            return Err(format!("the result does not parse ({})", error.message));
        }
        let previous = draft.on_disk.clone();
        let keys = draft.keys.clone();
        let bom = draft.bom;
        self.project
            .replace_sources(vec![(file, text.clone())])
            .map_err(|e| e.to_string())?;
        let after = check_files(self.project, self.rules, &[file]);
        let still = after
            .iter()
            .any(|f| keys.contains(&fingerprint(self.project, f)));
        let restore = |project: &mut Project| {
            let _ = project.replace_sources(vec![(file, previous.clone())]);
        };
        if still {
            restore(self.project);
            return Err("re-checking still finds what the change was for".into());
        }
        let mut expected = Vec::new();
        if bom {
            expected.extend_from_slice(b"\xEF\xBB\xBF");
        }
        expected.extend_from_slice(previous.as_bytes());
        let path = self.project.file(file).path.clone();
        if let Err(error) = write_atomically(&path, &expected, &text, bom) {
            restore(self.project);
            return Err(error.to_string());
        }
        let draft = self.drafts.get_mut(&file).expect("draft exists");
        draft.on_disk = text;
        draft.keys.clear();
        Ok(())
    }
}
