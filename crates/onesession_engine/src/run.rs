//! Running the transforms over a project.

use onesession_text::FileId;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::checker::Checker;
use crate::project::{FileState, Project, ProjectFile};
use crate::rule::{Finding, Rule, RuleSet};

crate::declare_rule! {
    /// ## What it finds
    /// A file the parser rejects. It is reported with the parser's line and
    /// column and never modified. Only files that could have a finding are
    /// parsed: one without a trigger word, or out of a database's reach by
    /// its imports, is not reported. Nor is an error inside a module-level
    /// function that names nothing a rule reads (no trigger word, nothing
    /// the module imports or defines): its body is not parsed, and the rest
    /// of the file is checked as usual. Python and any linter report it; a
    /// fix in such a file is dropped, naming it. (A body holding a string the
    /// parser, which reads Python 3.11, would misread is never left
    /// unparsed: a 3.12 f-string that reuses its own quote, a 3.14
    /// template string.)
    ///
    /// ## Why is this bad?
    /// Nothing in a file that does not parse can be checked, so a
    /// violation in it would go unseen.
    ///
    /// ## Fix safety
    /// None: fix the syntax (or exclude the file).
    pub static SYNTAX_ERROR = { id: "DB001", name: "syntax-error", summary: "File does not parse" };
}

crate::declare_rule! {
    /// ## What it finds
    /// A file that cannot be read as Python source: unreadable, not UTF-8,
    /// UTF-16, or holding a NUL byte. It is never modified.
    ///
    /// ## Why is this bad?
    /// Nothing in it can be checked.
    ///
    /// ## Fix safety
    /// None: re-encode the file as UTF-8 or exclude it.
    pub static UNREADABLE_FILE = { id: "DB002", name: "unreadable-file", summary: "File cannot be read as UTF-8 Python source" };
}

crate::declare_rule! {
    /// ## What it finds
    /// A suppression comment (`# onesession: ignore[DB104]`) that
    /// suppresses nothing: the finding it was for is gone, the rule id is
    /// unknown, or a bare `# onesession: ignore` has nothing to silence.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real violation on that line.
    ///
    /// ## Example
    /// ```python
    /// from app.db.session import get_session  # onesession: ignore[DB101]
    /// ```
    /// Use instead:
    /// ```python
    /// from app.db.session import get_session
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the unused codes (or the whole comment) are removed. Manual
    /// when the comment also holds another tool's directive.
    pub static UNUSED_SUPPRESSION = { id: "DB003", name: "unused-suppression", summary: "Suppression comment that suppresses nothing" };
}

/// The rules the engine itself reports.
pub static ENGINE_RULES: &[&Rule] = &[&SYNTAX_ERROR, &UNREADABLE_FILE, &UNUSED_SUPPRESSION];

/// Checks every requested file but migrations (an Alembic environment or
/// revision builds its own engine by design, wherever it lives); findings
/// are sorted by path and position.
pub fn check(project: &Project, rules: &RuleSet<'_>) -> Vec<Finding> {
    check_with::<()>(project, rules, &|_, _, _, _| None).0
}

/// [`check`], also answering `also` for each file checked (the files it
/// answers `None` for are left out).
pub(crate) fn check_with<T: Send>(
    project: &Project,
    rules: &RuleSet<'_>,
    also: &AlsoAsk<'_, T>,
) -> (Vec<Finding>, Vec<(FileId, T)>) {
    let requested: Vec<FileId> = project
        .files
        .par_iter()
        .filter(|f| is_checked(project, f))
        .map(|f| f.id)
        .collect();
    check_files_with(project, rules, &requested, also)
}

fn is_checked(project: &Project, file: &ProjectFile) -> bool {
    file.requested && !project.is_migration(file)
}

/// [`check`]'s findings after some texts changed, when only the
/// `affected` files' findings can differ from `previous` (see
/// [`crate::affected`]): those files are checked again, the others keep
/// theirs.
pub(crate) fn recheck(
    project: &Project,
    rules: &RuleSet<'_>,
    previous: &[Finding],
    affected: &FxHashSet<FileId>,
) -> Vec<Finding> {
    recheck_with::<()>(project, rules, previous, affected, &|_, _, _, _| None).0
}

/// What [`check_with`] and [`recheck_with`] ask of each file they check,
/// besides its findings, while the file's analysis is at hand (and given
/// its findings).
pub(crate) type AlsoAsk<'a, T> =
    dyn Fn(&ProjectFile, &FileState, &str, &[Finding]) -> Option<T> + Sync + 'a;

/// [`recheck`], also answering `also` for each file checked again (the
/// files it answers `None` for are left out).
pub(crate) fn recheck_with<T: Send>(
    project: &Project,
    rules: &RuleSet<'_>,
    previous: &[Finding],
    affected: &FxHashSet<FileId>,
    also: &AlsoAsk<'_, T>,
) -> (Vec<Finding>, Vec<(FileId, T)>) {
    let mut files: Vec<FileId> = affected
        .iter()
        .copied()
        .filter(|id| is_checked(project, project.file(*id)))
        .collect();
    files.sort_unstable();
    let mut findings: Vec<Finding> = previous
        .iter()
        .filter(|f| !affected.contains(&f.file))
        .cloned()
        .collect();
    let (found, answers) = check_files_with(project, rules, &files, also);
    findings.extend(found);
    sort_findings(project, &mut findings);
    (findings, answers)
}

/// By path, position and rule; a file's findings at one place keep the
/// order its check made them in.
fn sort_findings(project: &Project, findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let pa = &project.file(a.file).relative;
        let pb = &project.file(b.file).relative;
        (pa, a.range.start, a.rule.id).cmp(&(pb, b.range.start, b.rule.id))
    });
}

/// Checks the given files only (requested or not), in parallel; findings
/// are sorted by path and position. Files not parsed yet are parsed here.
pub fn check_files(project: &Project, rules: &RuleSet<'_>, files: &[FileId]) -> Vec<Finding> {
    check_files_with::<()>(project, rules, files, &|_, _, _, _| None).0
}

fn check_files_with<T: Send>(
    project: &Project,
    rules: &RuleSet<'_>,
    files: &[FileId],
    also: &AlsoAsk<'_, T>,
) -> (Vec<Finding>, Vec<(FileId, T)>) {
    // Files to parse or check are one job each: rayon's halves of the
    // whole list would leave neighbours (a large package's modules) to one
    // thread while the other, its half all skipped, idles.
    let (to_check, nothing_to_check): (Vec<&FileId>, Vec<&FileId>) = files.iter().partition(|id| {
        let file = project.file(**id);
        !(file.is_skipped() || file.is_unreadable())
    });
    project.progress.start(to_check.len());
    let checked: Vec<(Vec<Finding>, Option<T>)> = to_check
        .par_iter()
        .with_max_len(1)
        .map(|id| {
            let checked = check_file(project, rules, project.file(**id), also);
            project.progress.advance();
            checked
        })
        .collect();
    project.progress.finish();
    let mut findings = Vec::new();
    let mut answers = Vec::new();
    let rest = nothing_to_check
        .iter()
        .map(|id| check_file(project, rules, project.file(**id), also));
    for (id, (found, answer)) in to_check
        .iter()
        .chain(&nothing_to_check)
        .zip(checked.into_iter().chain(rest))
    {
        findings.extend(found);
        answers.extend(answer.map(|answer| (**id, answer)));
    }
    sort_findings(project, &mut findings);
    (findings, answers)
}

fn check_file<T>(
    project: &Project,
    rules: &RuleSet<'_>,
    file: &ProjectFile,
    also: &AlsoAsk<'_, T>,
) -> (Vec<Finding>, Option<T>) {
    // Asked only of files parsed now: skipped ones make no summary.
    let imported = || {
        file.module
            .as_deref()
            .is_some_and(|module| project.is_imported(module))
    };
    let (findings, answer) = file.with_state(
        imported,
        |state, text| {
            let findings = check_state(project, rules, file, state, text);
            let answer = also(file, state, text, &findings);
            (findings, answer)
        },
        |(findings, _)| !findings.is_empty(),
    );
    // A fix that edits other files was made against their texts as read
    // now: keep them, so what is shown and written is what was checked.
    for finding in &findings {
        for (target, _) in finding.fix.iter().flat_map(|fix| &fix.edits) {
            if *target != file.id {
                project.file(*target).source();
            }
        }
    }
    (findings, answer)
}

/// DB001's message: the parser's, and a word when the line uses syntax
/// newer than the parser reads (Python 3.14's template strings).
fn syntax_message(text: &str, error: &onesession_python::SyntaxError) -> String {
    let start = text[..error.offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    let template_string = line.char_indices().any(|(i, c)| {
        matches!(c, 't' | 'T')
            && !line[..i].ends_with(|p: char| p.is_alphanumeric() || p == '_')
            && (line[i + 1..].starts_with(['"', '\''])
                || line[i + 1..].starts_with(['r', 'R']) && line[i + 2..].starts_with(['"', '\'']))
    });
    if template_string {
        format!(
            "syntax error: {}; the line uses a Python 3.14 template string (PEP 750), which onesession's parser does not read yet: exclude the file, or ignore DB001 for it in `per-file-ignores`",
            error.message
        )
    } else {
        format!("syntax error: {}", error.message)
    }
}

fn check_state(
    project: &Project,
    rules: &RuleSet<'_>,
    file: &ProjectFile,
    state: &FileState,
    text: &str,
) -> Vec<Finding> {
    match state {
        FileState::SyntaxError(error) if rules.is_enabled(SYNTAX_ERROR.id) => vec![Finding {
            confidence: Default::default(),
            rule: &SYNTAX_ERROR,
            file: file.id,
            range: error.offset..error.offset,
            message: syntax_message(text, error),
            fix: None,
            group: None,
        }],
        FileState::Unreadable(problem) if rules.is_enabled(UNREADABLE_FILE.id) => vec![Finding {
            confidence: Default::default(),
            rule: &UNREADABLE_FILE,
            file: file.id,
            range: 0..0,
            message: problem.to_string(),
            fix: None,
            group: None,
        }],
        FileState::Parsed(analysis) => {
            let nodes = onesession_python::visit::Nodes::of(&analysis.parsed.body);
            let mut checker = Checker::new(project, file, text, analysis, &nodes, rules);
            for transform in rules.active() {
                transform.check(&mut checker);
            }
            checker.report_unused_suppressions(&UNUSED_SUPPRESSION);
            checker.into_findings()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::syntax_message;

    #[test]
    fn a_template_string_is_named_as_newer_syntax() {
        for (text, newer) in [
            ("msg = t\"hi {name}\"\n", true),
            ("msg = rt'raw {x}'\n", false),
            ("msg = Tr'raw {x}'\n", true),
            ("print(\"x\" \"y\"\n", false),
        ] {
            let error = onesession_python::parse_module(text).unwrap_err();
            let message = syntax_message(text, &error);
            assert_eq!(message.contains("PEP 750"), newer, "{text}: {message}");
        }
    }
}
