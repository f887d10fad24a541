//! Rule fixtures: every `testdata/<RULE>/<case>.py` (or case directory)
//! is checked inside the mini project `testdata/_base`, and its findings
//! must be exactly the `# expect: DBxxx` markers on its lines (`DBxxx?`
//! for a finding that is only likely: a heuristic matched).
//!
//! Then every fix (safe and unsafe) is applied: a file with a sibling
//! `<name>.expected.py` must become exactly that, any other file must not
//! change, every output must parse, and a second run must change nothing.
//! `UPDATE_FIXTURES=1 cargo test --test fixtures` writes the expected files
//! from the current output, for review with `git diff`.
//!
//! A case file's first line `# path: app/x/y.py` says where it sits in the
//! project (default `app/<case>.py`). A case directory holds files at their
//! project paths, and may hold a `pyproject.toml` that replaces the base
//! configuration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use onesession_engine::fix::{fix_project, FixOptions};
use onesession_engine::text::LineIndex;
use onesession_engine::{run, Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;

mod common;
use common::{copy_tree, testdata};

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
    /// Expected text after fixing, by project-relative path.
    expected: Vec<(String, String)>,
    /// A configuration replacing the base one.
    config: Option<String>,
    /// The case file, or the case directory.
    origin: PathBuf,
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
            let mut all = Vec::new();
            collect(&path, &path, &mut all);
            let (expected, files): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|(p, _)| p.ends_with(".expected.py"));
            let expected = expected
                .into_iter()
                .map(|(p, t)| (p.replace(".expected.py", ".py"), t))
                .collect();
            let config = std::fs::read_to_string(path.join("pyproject.toml")).ok();
            cases.push(Case {
                name,
                files,
                expected,
                config,
                origin: path.clone(),
            });
        } else if path.extension().is_some_and(|e| e == "py") && !name.ends_with(".expected") {
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# path: "))
                .map_or_else(|| format!("app/{name}.py"), |p| p.trim().to_owned());
            let expected = std::fs::read_to_string(path.with_extension("expected.py"))
                .ok()
                .map(|t| (relative.clone(), t))
                .into_iter()
                .collect();
            cases.push(Case {
                name,
                files: vec![(relative, text)],
                expected,
                config: None,
                origin: path.clone(),
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
    let settings = || Settings::discover(&root, &root).map_err(|e| e.to_string());
    let inputs = Inputs {
        paths,
        stdin: None,
        known: None,
    };
    let rules = RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap();
    // As `fix` sees the project (every file parsed up front)…
    let project = Project::load(settings()?, &inputs).map_err(|e| e.to_string())?;
    compare(rule, case, "load", &expected, &project, &rules)?;
    // …and as `check` does (files out of a database's reach skipped).
    let narrowed = Project::open(settings()?, &inputs).map_err(|e| e.to_string())?;
    narrowed.skip_unreachable();
    compare(rule, case, "check", &expected, &narrowed, &rules)?;
    check_fixes(rule, case, project, &rules)?;
    recheck_matches_full(
        &format!("{rule}/{}", case.name),
        || Project::load(settings()?, &inputs).map_err(|e| e.to_string()),
        &rules,
    )
}

/// A fix run that re-checks, after each round, only the files the round's
/// changes can affect ends exactly where one that re-checks the whole tree
/// does: the same texts, findings, fixes applied and problems.
fn recheck_matches_full(
    name: &str,
    load: impl Fn() -> Result<Project, String>,
    rules: &RuleSet<'_>,
) -> Result<(), String> {
    let outcome = |full_recheck| -> Result<String, String> {
        let mut project = load()?;
        let options = FixOptions {
            unsafe_fixes: true,
            full_recheck,
        };
        let report = fix_project(&mut project, rules, options).map_err(|e| e.to_string())?;
        Ok(format!("{report:#?}"))
    };
    let (affected, full) = (outcome(false)?, outcome(true)?);
    if affected == full {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&full, &affected)
        .unified_diff()
        .context_radius(4)
        .header("full re-check", "affected files re-checked")
        .to_string();
    Err(format!(
        "{name}: re-checking the affected files differs from a full re-check:\n{}",
        &diff[..diff.len().min(4000)]
    ))
}

/// The example, every fixture backend (without a configuration and with
/// its `configured.toml`) and, when `ONESESSION_CORPUS` names their
/// checkouts, the public backends with their labelled configurations.
fn trees() -> Vec<(String, PathBuf, Option<PathBuf>)> {
    let repo = testdata().join("..");
    let mut out = vec![("example".to_owned(), testdata().join("example"), None)];
    let mut backends: Vec<PathBuf> = std::fs::read_dir(testdata().join("backends"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    backends.sort();
    for backend in backends {
        let name = backend.file_name().unwrap().to_string_lossy().into_owned();
        out.push((format!("{name} (no config)"), backend.clone(), None));
        let config = backend.join("configured.toml");
        if config.is_file() {
            out.push((format!("{name} (configured)"), backend, Some(config)));
        }
    }
    let Some(corpus) = std::env::var_os("ONESESSION_CORPUS").map(PathBuf::from) else {
        return out;
    };
    let listing = std::fs::read_to_string(repo.join("docs/real-backends/corpus.toml")).unwrap();
    let table: toml::Table = toml::from_str(&listing).unwrap();
    for entry in table["repo"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let project = corpus.join(name).join(entry["subdir"].as_str().unwrap());
        if project.is_dir() {
            let config = repo
                .join("docs/real-backends")
                .join(name)
                .join("onesession.toml");
            out.push((format!("{name} (no config)"), project.clone(), None));
            out.push((format!("{name} (configured)"), project, Some(config)));
        }
    }
    out
}

/// Issue 17: fix rounds re-check only what a change can affect, and end
/// where a full re-check does, on whole backends.
#[test]
fn an_affected_recheck_equals_a_full_one() {
    let rules = RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap();
    let mut failures = Vec::new();
    for (name, tree, config) in trees() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        copy_tree(&tree, &root);
        let _ = std::fs::remove_file(root.join("configured.toml"));
        if let Some(config) = config {
            std::fs::copy(config, root.join("onesession.toml")).unwrap();
        }
        let load = || {
            let settings = Settings::discover(&root, &root).map_err(|e| e.to_string())?;
            let inputs = Inputs {
                paths: vec![root.clone()],
                stdin: None,
                known: None,
            };
            Project::load(settings, &inputs).map_err(|e| e.to_string())
        };
        if let Err(failure) = recheck_matches_full(&name, load, &rules) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn compare(
    rule: &str,
    case: &Case,
    how: &str,
    expected: &BTreeSet<(String, usize, String)>,
    project: &Project,
    rules: &RuleSet<'_>,
) -> Result<(), String> {
    let found: BTreeSet<(String, usize, String)> = run::check(project, rules)
        .iter()
        .map(|f| {
            let file = project.file(f.file);
            let line = LineIndex::new(file.text()).line_of(f.range.start) + 1;
            let likely = if f.confidence == onesession_engine::Confidence::Likely {
                "?"
            } else {
                ""
            };
            (
                file.relative.clone(),
                line,
                format!("{}{likely}", f.rule.id),
            )
        })
        .collect();
    if &found != expected {
        let missing: Vec<_> = expected.difference(&found).collect();
        let extra: Vec<_> = found.difference(expected).collect();
        return Err(format!(
            "{rule}/{} ({how}): missing {missing:?}, unexpected {extra:?}",
            case.name
        ));
    }
    Ok(())
}

fn check_fixes(
    rule: &str,
    case: &Case,
    mut project: Project,
    rules: &RuleSet<'_>,
) -> Result<(), String> {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let report = fix_project(&mut project, rules, options).map_err(|e| e.to_string())?;
    if !report.problems.is_empty() {
        return Err(format!(
            "{rule}/{}: fix problems {:?}",
            case.name, report.problems
        ));
    }
    for (relative, before) in &case.files {
        let after = project
            .files
            .iter()
            .find(|f| &f.relative == relative)
            .map(|f| f.text().to_owned())
            .unwrap_or_default();
        let want = case
            .expected
            .iter()
            .find(|(p, _)| p == relative)
            .map_or(before, |(_, t)| t);
        if &after != want && std::env::var_os("UPDATE_FIXTURES").is_some() {
            // Review the written files with `git diff` before committing.
            let target = if case.origin.is_dir() {
                case.origin.join(relative.replace(".py", ".expected.py"))
            } else {
                case.origin.with_extension("expected.py")
            };
            if &after == before {
                let _ = std::fs::remove_file(&target);
            } else {
                std::fs::write(&target, &after).unwrap();
            }
        } else if &after != want {
            let what = if want == before {
                "the original (no fix expected)"
            } else {
                "its .expected.py"
            };
            return Err(format!(
                "{rule}/{}: {relative} after fix differs from {what}:\n--- got ---\n{after}--- want ---\n{want}",
                case.name
            ));
        }
        if let Err(e) = onesession_engine::python::parse_module(&after) {
            return Err(format!(
                "{rule}/{}: {relative} does not parse after fix: {e}",
                case.name
            ));
        }
    }
    let again = fix_project(&mut project, rules, options).map_err(|e| e.to_string())?;
    if !again.changes.is_empty() {
        return Err(format!(
            "{rule}/{}: a second fix run changed {} file(s)",
            case.name,
            again.changes.len()
        ));
    }
    Ok(())
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
