//! Which files' findings can change when some files' texts change: a fix
//! round re-checks those and keeps the other files' findings.
//!
//! A file's findings depend on its own text, on the modules it reaches
//! through its imports (their summaries, followed through re-exports), on
//! the files that import it (the callers a reference search reads), and on
//! the project model. So after `changed` files change, these are checked
//! again:
//! - the changed files;
//! - every file that imports one of them, directly or through a chain of
//!   importers (a signature or a re-export it relies on may have moved);
//! - every module a changed file imports, before or after the change,
//!   followed through re-exports (its callers changed);
//! - every file with a finding whose fix edits one of those files, or that
//!   shares a cross-file group with one (a unit is planned whole).
//!
//! The whole tree is checked again when the project model changed. The
//! test `an_affected_recheck_equals_a_full_one` compares the two on every
//! fixture, backend and corpus.

use rustc_hash::{FxHashMap, FxHashSet};

use onesession_text::FileId;

use crate::project::Project;
use crate::rule::{Finding, Group};

/// The project modules `files` import, with the modules their imported
/// names come from through re-exports, as files.
pub(crate) fn imported_files(project: &Project, files: &[FileId]) -> FxHashSet<FileId> {
    let mut out = FxHashSet::default();
    for file in files {
        let Some(scan) = project.file(*file).scan() else {
            continue;
        };
        for name in scan.imported() {
            let canonical = project.canonicalize(name);
            for name in [name, canonical.as_str()] {
                out.extend(modules_named_by(project, name));
            }
        }
    }
    out
}

/// The files of the modules a dotted import names: `a.b.c` runs `a`,
/// `a.b` and, when it is a module, `a.b.c`.
fn modules_named_by<'a>(project: &'a Project, name: &'a str) -> impl Iterator<Item = FileId> + 'a {
    name.match_indices('.')
        .map(|(at, _)| &name[..at])
        .chain([name])
        .filter_map(|module| project.file_by_module(module).map(|f| f.id))
}

/// The files to check again after `changed` files changed (see the module
/// documentation). `imported_before` is [`imported_files`] of the changed
/// files as they were; `findings` are the findings before the change.
pub(crate) fn affected(
    project: &Project,
    changed: &[FileId],
    imported_before: &FxHashSet<FileId>,
    findings: &[Finding],
) -> FxHashSet<FileId> {
    let mut out: FxHashSet<FileId> = changed.iter().copied().collect();
    out.extend(imported_before);
    out.extend(imported_files(project, changed));

    // Importers, transitively.
    let mut importers: FxHashMap<FileId, Vec<FileId>> = FxHashMap::default();
    for file in &project.files {
        let Some(scan) = file.scan() else { continue };
        let mut targets: FxHashSet<FileId> = FxHashSet::default();
        for name in scan.imported() {
            targets.extend(modules_named_by(project, name));
        }
        for target in targets {
            importers.entry(target).or_default().push(file.id);
        }
    }
    let mut queue: Vec<FileId> = changed.to_vec();
    while let Some(file) = queue.pop() {
        for importer in importers.get(&file).into_iter().flatten() {
            if out.insert(*importer) {
                queue.push(*importer);
            }
        }
    }

    // Findings whose fixes reach into the set, and cross-file groups.
    loop {
        let mut more: Vec<FileId> = Vec::new();
        let groups: FxHashSet<&Group> = findings
            .iter()
            .filter(|f| out.contains(&f.file))
            .filter_map(|f| f.group.as_ref())
            .filter(|g| g.spans_files())
            .collect();
        for finding in findings.iter().filter(|f| !out.contains(&f.file)) {
            let edits_inside = finding
                .fix
                .iter()
                .flat_map(|fix| &fix.edits)
                .any(|(target, _)| out.contains(target));
            let grouped = finding.group.as_ref().is_some_and(|g| groups.contains(g));
            if edits_inside || grouped {
                more.push(finding.file);
            }
        }
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        crate::testing::project_of(files, true)
    }

    fn names(project: &Project, files: &FxHashSet<FileId>) -> Vec<String> {
        let mut out: Vec<String> = files
            .iter()
            .map(|f| project.file(*f).relative.clone())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn importers_and_imports_through_re_exports_are_affected() {
        let (_dir, project) = project(&[
            ("app/__init__.py", ""),
            // Only files with a trigger word are parsed, so only their
            // re-exports are followed (by the rules as well).
            (
                "app/tasks/__init__.py",
                "from .jobs import run  # session\n",
            ),
            (
                "app/tasks/jobs.py",
                "def run(session):\n    return session\n",
            ),
            (
                "app/services/items.py",
                "from app.tasks import run\n\ndef handle(x):\n    return run(x)\n",
            ),
            (
                "app/routers/items.py",
                "from app.services.items import handle\n",
            ),
            ("app/main.py", "from app.routers import items\n"),
            ("app/unrelated.py", "import os\n"),
        ]);
        let services = project
            .file_by_module("app.services.items")
            .expect("a module of the project")
            .id;
        let before = imported_files(&project, &[services]);
        assert_eq!(
            names(&project, &before),
            [
                "app/__init__.py",
                "app/tasks/__init__.py",
                "app/tasks/jobs.py"
            ],
            "the module a name comes from through a re-export is imported"
        );
        let found = affected(&project, &[services], &before, &[]);
        assert_eq!(
            names(&project, &found),
            [
                "app/__init__.py",
                "app/main.py",
                "app/routers/items.py",
                "app/services/items.py",
                "app/tasks/__init__.py",
                "app/tasks/jobs.py",
            ]
        );
    }

    #[test]
    fn findings_whose_fixes_reach_an_affected_file_are_checked_again() {
        use crate::rule::Finding;
        use onesession_text::{Applicability, Edit, Fix};
        let (_dir, project) = project(&[
            ("a.py", "x = 1\n"),
            ("b.py", "y = 2\n"),
            ("c.py", "z = 3\n"),
            ("d.py", "w = 4\n"),
        ]);
        let id = |m: &str| {
            project
                .file_by_module(m)
                .expect("a module of the project")
                .id
        };
        let finding = |file, fix: Option<Fix>, group: Option<Group>| Finding {
            rule: &crate::run::SYNTAX_ERROR,
            file,
            range: 0..1,
            message: String::new(),
            fix,
            group,
            confidence: Default::default(),
        };
        let findings = vec![
            // b's fix edits a: b is planned again with a.
            finding(
                id("b"),
                Some(Fix {
                    edits: vec![(id("a"), Edit::delete(0..1))],
                    applicability: Applicability::Safe,
                }),
                None,
            ),
            // c shares a cross-file group with b.
            finding(id("b"), None, Some(Group::AcrossFiles("g".into()))),
            finding(id("c"), None, Some(Group::AcrossFiles("g".into()))),
            // d shares only an in-file key.
            finding(id("d"), None, Some(Group::InFile("g".into()))),
        ];
        let found = affected(&project, &[id("a")], &FxHashSet::default(), &findings);
        assert_eq!(names(&project, &found), ["a.py", "b.py", "c.py"]);
    }
}
