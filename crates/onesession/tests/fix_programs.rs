//! Issue 15, item 6: on every corpus, `fix --unsafe-fixes` leaves a
//! program that still imports and calls correctly. An independent checker
//! (`scripts/verify_fixes.py`, Python's own `ast`) compares each fixed tree
//! with the original: calls against changed signatures, imports of names
//! that do not exist, new undefined names and unused imports, `await`
//! outside `async def`, and that every changed file compiles. A second run
//! must change nothing.
//!
//! Corpora: `testdata/example`, every fixture backend under
//! `testdata/backends/` (without a configuration and with its
//! `configured.toml`), and, when `ONESESSION_CORPUS` names a directory
//! holding them, the public backends of `docs/real-backends/corpus.toml`
//! with their labelled configurations.
#![allow(clippy::print_stderr)] // a skipped corpus says why

mod common;
use common::{copy_tree, repo};

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

/// What a fix run on a copy of `project` left: the checker's complaints,
/// or the second run's patch.
fn check_corpus(name: &str, project: &Path, config: Option<&Path>) -> Result<usize, String> {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    let after = dir.path().join("after");
    copy_tree(project, &before);
    copy_tree(project, &after);
    if let Some(config) = config {
        std::fs::copy(config, after.join("onesession.toml")).unwrap();
        std::fs::copy(config, before.join("onesession.toml")).unwrap();
    }
    let output = Command::cargo_bin("onesession")
        .unwrap()
        .args(["fix", "--unsafe-fixes"])
        .current_dir(&after)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{name}: fix exited {:?}: {stderr}",
            output.status.code()
        ));
    }
    let verify = Process::new("python3")
        .arg(repo().join("scripts/verify_fixes.py"))
        .arg(&before)
        .arg(&after)
        .output()
        .unwrap();
    let problems = String::from_utf8_lossy(&verify.stdout);
    let summary = String::from_utf8_lossy(&verify.stderr);
    if verify.status.code() != Some(0) {
        return Err(format!(
            "{name}: the fixed program is broken:\n{problems}{summary}"
        ));
    }
    let again = Command::cargo_bin("onesession")
        .unwrap()
        .args(["fix", "--unsafe-fixes", "--diff"])
        .current_dir(&after)
        .output()
        .unwrap();
    if !again.stdout.is_empty() {
        return Err(format!(
            "{name}: a second run would change more:\n{}",
            String::from_utf8_lossy(&again.stdout)
        ));
    }
    let changed = summary
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("verify_fixes: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(changed)
}

fn python3() -> bool {
    let found = Process::new("python3").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: python3 not found");
    }
    found
}

fn corpora() -> Vec<(String, PathBuf, Option<PathBuf>)> {
    let mut out = vec![("example".to_owned(), repo().join("testdata/example"), None)];
    let mut backends: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/backends"))
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
            out.push((
                format!("{name} (configured)"),
                backend.clone(),
                Some(config),
            ));
        }
    }
    out
}

#[test]
fn fixed_fixture_backends_still_import_and_call_correctly() {
    if !python3() {
        return;
    }
    let mut failures = Vec::new();
    let mut changed = 0;
    for (name, project, config) in corpora() {
        match check_corpus(&name, &project, config.as_deref()) {
            Ok(files) => changed += files,
            Err(failure) => failures.push(failure),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        changed > 20,
        "the corpora exercise the fixes ({changed} files changed)"
    );
}

/// The public backends, when `ONESESSION_CORPUS` points at their checkouts
/// (`scripts/real-backends` prints which are present).
#[test]
fn fixed_real_backends_still_import_and_call_correctly() {
    let Some(corpus) = std::env::var_os("ONESESSION_CORPUS").map(PathBuf::from) else {
        eprintln!("skipped: set ONESESSION_CORPUS to the directory holding the real backends");
        return;
    };
    if !python3() {
        return;
    }
    let listing = std::fs::read_to_string(repo().join("docs/real-backends/corpus.toml")).unwrap();
    let table: toml::Table = toml::from_str(&listing).unwrap();
    let mut failures = Vec::new();
    for entry in table["repo"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let subdir = entry["subdir"].as_str().unwrap();
        let project = corpus.join(name).join(subdir);
        if !project.is_dir() {
            eprintln!("skipped {name}: no checkout at {}", project.display());
            continue;
        }
        let config = repo()
            .join("docs/real-backends")
            .join(name)
            .join("onesession.toml");
        if let Err(failure) = check_corpus(name, &project, Some(&config)) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
