//! End-to-end tests of `fix` and `fix --diff`.
#![allow(clippy::print_stderr)] // a skipped test says why

mod common;
use common::{copy_tree, project, repo, snapshot, stdlib};

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use pretty_assertions::assert_eq;

fn onesession(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("onesession").unwrap();
    cmd.current_dir(dir);
    cmd
}

fn python_files(root: &Path) -> Vec<String> {
    snapshot(root)
        .into_keys()
        .filter(|p| p.ends_with(".py"))
        .collect()
}

fn compiles(root: &Path, file: &str) -> bool {
    Process::new("python3")
        .args([
            "-c",
            "import sys; compile(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1], 'exec')",
        ])
        .arg(file)
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn diff_applies_with_git_and_equals_fix_on_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let patched = dir.path().join("patched");
    let fixed = dir.path().join("fixed");
    copy_tree(&repo().join("testdata/example"), &patched);
    copy_tree(&repo().join("testdata/example"), &fixed);
    let before = snapshot(&fixed);

    let output = onesession(&patched)
        .args(["fix", "--diff"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let patch = dir.path().join("fix.patch");
    std::fs::write(&patch, &output.stdout).unwrap();
    assert_eq!(snapshot(&patched), before, "--diff writes nothing");
    for args in [vec!["apply", "--check"], vec!["apply"]] {
        let status = Process::new("git")
            .args(&args)
            .arg(&patch)
            .current_dir(&patched)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?} failed");
    }

    let output = onesession(&fixed).arg("fix").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Fixed "), "{stdout}");
    let after = snapshot(&fixed);
    assert_eq!(
        snapshot(&patched),
        after,
        "git apply of --diff gives the same tree as fix"
    );
    assert_ne!(after, before);

    // Every file that compiled before still compiles.
    let python3 = Process::new("python3").arg("--version").output().is_ok();
    if python3 {
        let original = repo().join("testdata/example");
        for file in python_files(&fixed) {
            if compiles(&original, &file) {
                assert!(
                    compiles(&fixed, &file),
                    "{file} no longer compiles after fix"
                );
            }
        }
    } else {
        eprintln!("python3 not found: compile check skipped");
    }

    // check finds no safe-fixable finding; fix again changes nothing.
    let output = onesession(&fixed)
        .args(["check", "--no-cache", "--format", "json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let safe: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["fix"] == "safe")
        .collect();
    assert!(safe.is_empty(), "safe-fixable after fix: {safe:#?}");
    let output = onesession(&fixed).arg("fix").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("Nothing to fix"));
    assert_eq!(snapshot(&fixed), after, "fix is idempotent");
}

const SESSION_MODULE: &str = "\
from contextlib import asynccontextmanager
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})
async_session_factory = async_sessionmaker(engine)


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
";

const UNUSED_FACTORY: &str = "from app.db.session import async_session_factory\nfrom app.db.session import get_session\n\n\nasync def run():\n    async with get_session() as session:\n        pass\n";

#[test]
fn crlf_and_bom_are_kept() {
    let crlf = UNUSED_FACTORY.replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(crlf.as_bytes());
    let dir = project(&[
        ("app/db/session.py", SESSION_MODULE.as_bytes()),
        ("app/tasks/x.py", &bytes),
    ]);
    let output = onesession(dir.path()).arg("fix").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = std::fs::read(dir.path().join("app/tasks/x.py")).unwrap();
    assert!(after.starts_with(b"\xEF\xBB\xBF"), "BOM kept");
    let text = String::from_utf8(after[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        crlf.replacen(
            "from app.db.session import async_session_factory\r\n",
            "",
            1
        )
    );
}

#[test]
fn read_only_file_is_left_untouched_with_a_reason() {
    let dir = project(&[
        ("app/db/session.py", SESSION_MODULE.as_bytes()),
        ("app/tasks/x.py", UNUSED_FACTORY.as_bytes()),
    ]);
    let path = dir.path().join("app/tasks/x.py");
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let output = onesession(dir.path()).arg("fix").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("app/tasks/x.py: file is read-only; not written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), UNUSED_FACTORY);
}

/// One read-only file among many to fix: nothing is written, since a fix
/// may span files (DB104 rewrote `crawl_service.py` while the read-only
/// `crawl.py` kept passing the removed parameter).
#[test]
fn a_read_only_file_leaves_every_file_unwritten() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/example"), dir.path());
    let before = snapshot(dir.path());
    let path = dir.path().join("app/routers/crawl.py");
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let output = onesession(dir.path())
        .args(["fix", "--unsafe-fixes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("app/routers/crawl.py: file is read-only; not written")
            && stderr.contains("no file written"),
        "{stderr}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn diff_exit_codes() {
    let clean = project(&[("app/db/session.py", SESSION_MODULE.as_bytes())]);
    let output = onesession(clean.path())
        .args(["fix", "--diff"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

/// The standard library has nothing to fix.
#[test]
fn cpython_stdlib_diff_is_empty() {
    let Some(stdlib) = stdlib() else {
        return;
    };
    let output = onesession(&repo())
        .args(["fix", "--diff"])
        .arg(&stdlib)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
}
