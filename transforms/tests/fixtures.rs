//! Rule fixtures: every `testdata/<RULE>/<case>.py` (or case directory)
//! is checked inside the mini project `testdata/_base`, and its findings
//! must be exactly the `# expect: DBxxx` markers on its lines.
//!
//! A case file's first line `# path: app/x/y.py` says where it sits in the
//! project (default `app/<case>.py`). A case directory holds files at their
//! project paths, and may hold a `pyproject.toml` that replaces the base
//! configuration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use onesession_engine::{run, Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `(relative path, line, rule)` for every `# expect: A, B` marker.
fn markers(relative: &str, text: &str) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("# expect:") {
            for rule in line[at + 9..].split(',') {
                out.insert((relative.to_owned(), i + 1, rule.trim().to_owned()));
            }
        }
    }
    out
}

struct Case {
    name: String,
    /// Files the case adds: project-relative path and text.
    files: Vec<(String, String)>,
    /// A configuration replacing the base one.
    config: Option<String>,
}

fn cases(rule_dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(rule_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut files = Vec::new();
            collect(&path, &path, &mut files);
            let config = std::fs::read_to_string(path.join("pyproject.toml")).ok();
            cases.push(Case {
                name,
                files,
                config,
            });
        } else if path.extension().is_some_and(|e| e == "py") && !name.ends_with(".expected") {
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# path: "))
                .map_or_else(|| format!("app/{name}.py"), |p| p.trim().to_owned());
            cases.push(Case {
                name,
                files: vec![(relative, text)],
                config: None,
            });
        }
    }
    cases
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn check_case(rule: &str, case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_tree(&testdata().join("_base"), &root);
    if let Some(config) = &case.config {
        std::fs::write(root.join("pyproject.toml"), config).unwrap();
    }
    let mut expected = BTreeSet::new();
    let mut paths = Vec::new();
    for (relative, text) in &case.files {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        expected.extend(markers(relative, text));
        paths.push(path);
    }
    let settings = Settings::discover(&root, &root).map_err(|e| e.to_string())?;
    let project =
        Project::load(settings, &Inputs { paths, stdin: None }).map_err(|e| e.to_string())?;
    let rules = RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap();
    let found: BTreeSet<(String, usize, String)> = run::check(&project, &rules)
        .iter()
        .map(|f| {
            let file = project.file(f.file);
            let line = file
                .analysis()
                .map_or(1, |a| a.lines.line_of(f.range.start) + 1);
            (file.relative.clone(), line, f.rule.id.to_owned())
        })
        .collect();
    if found == expected {
        Ok(())
    } else {
        let missing: Vec<_> = expected.difference(&found).collect();
        let extra: Vec<_> = found.difference(&expected).collect();
        Err(format!(
            "{rule}/{}: missing {missing:?}, unexpected {extra:?}",
            case.name
        ))
    }
}

#[test]
fn rule_fixtures_match_their_markers() {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(testdata())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with("DB"))
        .collect();
    dirs.sort();
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        for case in cases(&dir) {
            count += 1;
            if let Err(e) = check_case(&rule, &case) {
                failures.push(e);
            }
        }
    }
    assert!(count > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} of {count} fixtures failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every rule of the registry has at least one fixture directory.
#[test]
fn every_rule_has_fixtures() {
    for transform in TRANSFORMS {
        for rule in transform.rules() {
            let dir = testdata().join(rule.id);
            assert!(
                dir.is_dir(),
                "no fixtures for {} in {}",
                rule.id,
                dir.display()
            );
        }
    }
}
