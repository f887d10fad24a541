//! The fix loop's guarantees, driven by small transforms written here:
//! a fix that breaks the syntax or does not remove its finding is dropped
//! and its file left as it was; fixes that never converge are undone.

use onesession_engine::config::RawConfig;
use onesession_engine::fix::{fix_project, FixOptions};
use onesession_engine::python::ast::{self, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::text::Edit;
use onesession_engine::{
    declare_rule, Checker, Inputs, Project, Rule, RuleSet, Settings, Transform,
};

declare_rule! {
    /// Test rule.
    static TEST = { id: "DB900", name: "test", summary: "test" };
}

/// Reports every `session = <int>` assignment with the fix `edit(value)`.
struct Rewrite(fn(i64) -> String);

impl Transform for Rewrite {
    fn name(&self) -> &'static str {
        "test"
    }
    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&TEST];
        &RULES
    }
    fn check(&self, checker: &mut Checker<'_>) {
        for stmt in &checker.parsed.body {
            let Stmt::Assign(assign) = stmt else { continue };
            let ast::Expr::Constant(constant) = assign.value.as_ref() else {
                continue;
            };
            let Some(value) = constant.value.as_int().and_then(|i| i.try_into().ok()) else {
                continue;
            };
            let range = range_of(assign.value.as_ref());
            let fix = checker.fix_safe(vec![Edit::replace(range.clone(), (self.0)(value))]);
            if let Some(finding) = checker.report(&TEST, range, "test") {
                finding.fix = Some(fix);
            }
        }
    }
}

fn run(transform: &'static Rewrite, text: &str) -> (onesession_engine::fix::FixReport, Project) {
    run_files(transform, &[("x.py", text)])
}

fn run_files(
    transform: &'static Rewrite,
    files: &[(&str, &str)],
) -> (onesession_engine::fix::FixReport, Project) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let settings = Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
    // As `onesession fix` opens it: files parsed as reached, trees dropped.
    let mut project = Project::open(
        settings,
        &Inputs {
            paths,
            stdin: None,
            known: None,
        },
    )
    .unwrap();
    let transforms: &'static [&'static dyn Transform] =
        Box::leak(Box::new([transform as &dyn Transform]));
    let rules = RuleSet::new(transforms, Some(&["DB900".to_owned()]), &[], &[]).unwrap();
    let report = fix_project(
        &mut project,
        &rules,
        FixOptions {
            unsafe_fixes: false,
            ..FixOptions::default()
        },
    )
    .unwrap();
    (report, project)
}

#[test]
fn a_fix_that_breaks_syntax_is_dropped() {
    static BREAK: Rewrite = Rewrite(|_| "(".to_owned());
    let (report, project) = run(&BREAK, "session = 1\n");
    assert!(report.changes.is_empty());
    assert_eq!(project.files[0].text(), "session = 1\n");
    let reasons: Vec<&str> = report.problems.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["the fix would break the syntax (line 2: unexpected EOF while parsing); fix for DB900 dropped, file left unchanged"]
    );
}

#[test]
fn a_fix_that_breaks_one_file_leaves_the_others_fixed() {
    // 1 becomes `(`, which does not parse; 2 becomes `None`, which is no
    // longer reported.
    static SOME: Rewrite = Rewrite(|v| if v == 1 { "(".into() } else { "None".into() });
    let (report, project) = run_files(
        &SOME,
        &[
            ("broken.py", "session = 1\n"),
            ("fine.py", "x = 0\nsession = 2\n"),
        ],
    );
    let text = |name: &str| {
        let file = project.files.iter().find(|f| f.relative == name).unwrap();
        file.text().to_owned()
    };
    assert_eq!(text("broken.py"), "session = 1\n");
    assert_eq!(text("fine.py"), "x = None\nsession = None\n");
    assert_eq!(report.changes.len(), 1);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0]
        .reason
        .starts_with("the fix would break the syntax"));
    // What is left is the finding whose fix was dropped.
    let remaining: Vec<&str> = report
        .remaining
        .iter()
        .map(|f| project.file(f.file).relative.as_str())
        .collect();
    assert_eq!(remaining, ["broken.py"]);
}

#[test]
fn a_fix_that_does_not_remove_its_finding_is_dropped() {
    static SAME: Rewrite = Rewrite(|v| format!("{v}  "));
    let (report, project) = run(&SAME, "session = 1\n");
    assert!(report.changes.is_empty());
    assert_eq!(project.files[0].text(), "session = 1\n");
    assert!(
        report.problems[0].reason.contains("still finds it"),
        "{:?}",
        report.problems
    );
}

#[test]
fn fixes_that_never_converge_are_undone() {
    static INCREMENT: Rewrite = Rewrite(|v| format!("{}", v + 1));
    let (report, _) = run(&INCREMENT, "session = 1\n");
    // Each round's fix is verified (the old text is gone) but produces a
    // new finding: after the cap, the last round is undone and reported.
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.reason.contains("did not converge")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_good_fix_applies_once_and_is_idempotent() {
    static REMOVE: Rewrite = Rewrite(|_| "None".to_owned());
    let (report, project) = run(&REMOVE, "session = 1  # keep\nother = 'x'\n");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        project.files[0].text(),
        "session = None  # keep\nother = 'x'\n"
    );
    assert_eq!(report.applied.len(), 1);
}

#[test]
fn crlf_files_get_crlf_in_inserted_lines() {
    static MULTILINE: Rewrite = Rewrite(|_| "(\n    None\n)".to_owned());
    let (report, project) = run(&MULTILINE, "session = 1\r\nother = 'x'\r\n");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        project.files[0].text(),
        "session = (\r\n    None\r\n)\r\nother = 'x'\r\n"
    );
}

/// Reports `import json` with a fix that replaces it by `pass`.
struct DropJsonImport;

impl Transform for DropJsonImport {
    fn name(&self) -> &'static str {
        "test"
    }
    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&TEST];
        &RULES
    }
    fn check(&self, checker: &mut Checker<'_>) {
        for stmt in &checker.parsed.body {
            let Stmt::Import(import) = stmt else { continue };
            if import
                .names
                .iter()
                .any(|alias| alias.name.as_str() == "json")
            {
                let range = range_of(stmt);
                let fix = checker.fix_safe(vec![Edit::replace(range.clone(), "pass".to_owned())]);
                if let Some(finding) = checker.report(&TEST, range, "test") {
                    finding.fix = Some(fix);
                }
            }
        }
    }
}

/// The check parses a helper that names nothing of the database as `...`
/// only while it uses nothing the module binds. Once the fix unbinds
/// `json`, the helper would qualify: verification must still read it
/// whole and see the name the fix left unbound.
#[test]
fn a_fix_unbinding_a_name_used_in_a_plain_helper_is_dropped() {
    static TRANSFORMS: [&dyn Transform; 1] = [&DropJsonImport];
    let text = "import json\nsession = None\n\n\ndef encode(rows):\n    return json.dumps(rows)\n";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("x.py");
    std::fs::write(&path, text).unwrap();
    let settings = Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
    let mut project = Project::open(
        settings,
        &Inputs {
            paths: vec![path],
            stdin: None,
            known: None,
        },
    )
    .unwrap();
    let rules = RuleSet::new(&TRANSFORMS, Some(&["DB900".to_owned()]), &[], &[]).unwrap();
    let report = fix_project(&mut project, &rules, FixOptions::default()).unwrap();
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    assert_eq!(project.files[0].text(), text);
    assert!(
        report.problems.iter().any(|p| p.reason.contains("`json`")),
        "{:?}",
        report.problems
    );
}

/// A name the file leaves unbound inside a helper the check parsed as
/// `...` was there before the fix: verification compares whole texts, so
/// it does not count it as the fix's.
#[test]
fn a_name_unbound_before_the_fix_in_a_plain_helper_is_not_blamed_on_it() {
    static REMOVE: Rewrite = Rewrite(|_| "None".to_owned());
    let (report, project) = run(
        &REMOVE,
        "session = 1\n\n\ndef helper():\n    return defined_elsewhere\n",
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        project.files[0].text(),
        "session = None\n\n\ndef helper():\n    return defined_elsewhere\n"
    );
}

/// A syntax error inside a helper the check does not parse was there
/// before the fix: the fix is dropped, and the message says so rather
/// than blaming the fix.
#[test]
fn a_syntax_error_in_a_skipped_helper_is_named_as_the_file_s() {
    static REMOVE: Rewrite = Rewrite(|_| "None".to_owned());
    let text = "session = 1\n\n\ndef helper():\n    print 'x'\n";
    let (report, project) = run(&REMOVE, text);
    assert!(report.changes.is_empty());
    assert_eq!(project.files[0].text(), text);
    let reasons: Vec<&str> = report.problems.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with("the file does not parse (line 5: "),
        "{reasons:?}"
    );
}
