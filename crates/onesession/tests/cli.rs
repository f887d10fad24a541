//! End-to-end tests of the binary: every command and exit code.
#![allow(clippy::print_stderr)] // a skipped test says why

mod common;
use common::{project, repo, stdlib};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use pretty_assertions::assert_eq;

fn example() -> PathBuf {
    repo().join("testdata/example")
}

fn onesession() -> Command {
    let mut cmd = Command::cargo_bin("onesession").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
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


async def get_session_dependency():
    async with get_session() as session:
        yield session
";

#[test]
fn example_json_matches_expected_exactly() {
    let (code, stdout, stderr) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--format", "json"]),
    );
    assert_eq!(code, 1, "{stderr}");
    let expected = std::fs::read_to_string(repo().join("testdata/example.expected.json")).unwrap();
    let actual: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(actual, expected);
}

#[test]
fn text_output_has_location_code_frame_and_summary() {
    let (code, stdout, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--select", "DB101", "--color", "never"]),
    );
    assert_eq!(code, 1);
    assert!(stdout.contains("app/tasks/carrier_sync.py:7:"), "{stdout}");
    assert!(stdout.contains(" | from app.db.session import"), "{stdout}");
    assert!(stdout.contains("^^^"), "{stdout}");
    assert!(stdout.contains("Found 2 findings"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour when asked");
}

/// A finding that rests on a heuristic says so after its rule id, in text
/// and in JSON; a sure one says nothing more in text.
#[test]
fn likely_findings_say_so() {
    let (_, stdout, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--select", "DB115", "--color", "never"]),
    );
    assert!(
        stdout.contains(
            "app/scheduler/jobs.py:34:18: DB115 (likely) `get_raw_connection()` opens a raw driver connection"
        ),
        "{stdout}"
    );
    let (_, json, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--select", "DB115", "--format", "json"]),
    );
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let confidence: Vec<(u64, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "app/scheduler/jobs.py")
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["confidence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(confidence, [(18, "sure"), (34, "likely")]);
    assert!(
        stdout.contains("app/scheduler/jobs.py:18:16: DB115 `direct_engine.connect()`"),
        "{stdout}"
    );
}

#[test]
fn statistics_count_per_rule() {
    let (code, stdout, _) = stdout_of(onesession().current_dir(example()).args([
        "check",
        "--statistics",
        "--select",
        "DB104",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "    6  DB104  db-params  (6 with --unsafe-fixes)\n    6  total  (6 with --unsafe-fixes)\n"
    );
}

/// `check`, `check --statistics` and `fix --diff` count the same findings
/// the same way, each on its stream, with singulars where they belong.
#[test]
fn summaries_agree_and_say_each_count_once() {
    let (_, stdout, _) = stdout_of(onesession().current_dir(example()).args(["check"]));
    assert_eq!(
        stdout.lines().last().unwrap(),
        "Found 52 findings in 32 files. 8 fixable with `onesession fix`. 15 more with `onesession fix --unsafe-fixes`."
    );
    let (_, stdout, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--statistics"]),
    );
    assert_eq!(
        stdout.lines().last().unwrap(),
        "   52  total  (8 fixable, 15 with --unsafe-fixes)"
    );
    let (code, patch, stderr) =
        stdout_of(onesession().current_dir(example()).args(["fix", "--diff"]));
    assert_eq!(code, 1);
    assert!(
        patch.starts_with("diff --git a/"),
        "the patch alone on stdout"
    );
    assert_eq!(
        stderr,
        "Would fix 8 findings with 4 fixes in 6 files (DB101 ×1, DB102 ×1, DB103 ×2, DB105 ×1, DB111 ×1, DB112 ×2).\n\
         15 more fixable with `onesession fix --unsafe-fixes`.\n\
         29 findings need a manual fix (`onesession check` lists them).\n"
    );
    let one = project(&[
        ("app/db/session.py", SESSION_MODULE),
        (
            "app/tasks/one.py",
            "from app.db.session import async_session_factory\n\n\nasync def run():\n    async with async_session_factory() as s:\n        await s.execute('select 1')\n",
        ),
    ]);
    let (_, stdout, _) = stdout_of(onesession().current_dir(one.path()).args([
        "check",
        "--select",
        "DB101",
        "app/tasks/one.py",
    ]));
    assert_eq!(
        stdout.lines().last().unwrap(),
        "Found 1 finding in 1 file. 1 fixable with `onesession fix`."
    );
    let (_, stdout, _) = stdout_of(onesession().current_dir(one.path()).args([
        "check",
        "--select",
        "DB118",
        "app/tasks/one.py",
    ]));
    assert_eq!(stdout, "All checks passed (1 file).\n");
}

/// ruff's habits: `check --fix`, `--output-format`, `rule`.
#[test]
fn habits_from_ruff_work() {
    let (_, explained, _) = stdout_of(onesession().args(["explain", "DB104"]));
    let (code, rule, _) = stdout_of(onesession().args(["rule", "DB104"]));
    assert_eq!((code, rule), (0, explained));
    let (code, json, _) = stdout_of(onesession().current_dir(example()).args([
        "check",
        "--output-format",
        "json",
        "--select",
        "DB101",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()[0]["rule"],
        "DB101"
    );
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&example(), dir.path());
    let (code, stdout, stderr) = stdout_of(
        onesession()
            .current_dir(dir.path())
            .args(["check", "--fix"]),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.starts_with("Fixed 8 findings with 4 fixes in 6 files"),
        "{stdout}"
    );
    let (_, patch, _) = stdout_of(
        onesession()
            .current_dir(dir.path())
            .args(["check", "--diff"]),
    );
    assert_eq!(patch, "", "the safe fixes are applied");
}

/// A missing baseline is one line: what, where, what to do; its cause once.
#[test]
fn a_missing_baseline_is_said_once() {
    let (code, _, stderr) = stdout_of(onesession().current_dir(example()).args([
        "check",
        "--baseline",
        "missing.json",
    ]));
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.ends_with("; write one with `onesession baseline write`\n"),
        "{stderr}"
    );
}

/// Files named on the command line bypass the excludes, unless
/// `--force-exclude` (or `force-exclude = true`) says otherwise: what a
/// pre-commit hook passes. The shipped hooks say it.
#[test]
fn force_exclude_applies_the_excludes_to_named_files() {
    let args = ["check", "--exclude", "scripts/**", "scripts/backfill.py"];
    let (code, stdout, _) = stdout_of(onesession().current_dir(example()).args(args));
    assert_eq!(code, 1, "a named file is checked: {stdout}");
    let (code, stdout, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(args)
            .arg("--force-exclude"),
    );
    assert_eq!(
        (code, stdout.as_str()),
        (0, "All checks passed (0 files).\n")
    );
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&example(), dir.path());
    let config = std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        config.replace(
            "[tool.onesession]\n",
            "[tool.onesession]\nforce-exclude = true\n",
        ),
    )
    .unwrap();
    let (code, _, stderr) = stdout_of(onesession().current_dir(dir.path()).args(args));
    assert_eq!(code, 0, "{stderr}");
    let hooks = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter(|l| l.trim_start().starts_with("entry:"))
        .collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    assert!(
        entries.iter().all(|e| e.ends_with("--force-exclude")),
        "{entries:?}"
    );
}

#[test]
fn exit_codes() {
    let clean = project(&[
        ("app/db/session.py", SESSION_MODULE),
        (
            "app/routers/items.py",
            "from app.db.session import get_session_dependency\n",
        ),
    ]);
    let (code, stdout, stderr) = stdout_of(onesession().current_dir(clean.path()).arg("check"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("All checks passed"));
    assert!(
        stderr.contains("detected canonical session module `app.db.session`"),
        "{stderr}"
    );

    let dirty = project(&[
        ("app/db/session.py", SESSION_MODULE),
        (
            "app/tasks/x.py",
            "from app.db.session import async_session_factory\nasync_session_factory()\n",
        ),
    ]);
    assert_eq!(
        stdout_of(onesession().current_dir(dirty.path()).arg("check")).0,
        1
    );
    assert_eq!(
        stdout_of(
            onesession()
                .current_dir(dirty.path())
                .args(["check", "--exit-zero"])
        )
        .0,
        0
    );

    let (code, _, stderr) = stdout_of(
        onesession()
            .current_dir(dirty.path())
            .args(["check", "nope/"]),
    );
    assert_eq!(code, 2);
    assert_eq!(stderr.trim(), "error: nope/: no such file or directory");

    let (code, _, stderr) = stdout_of(
        onesession()
            .current_dir(dirty.path())
            .args(["check", "--select", "DB999"]),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule `DB999`"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);

    let (code, _, _) = stdout_of(onesession().args(["check", "--no-such-flag"]));
    assert_eq!(code, 2);
}

#[test]
fn config_errors_name_file_and_key() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.onesession]\ncanonical-modul = \"app.db.session\"\n",
        ),
        ("app/db/session.py", SESSION_MODULE),
    ]);
    let (code, _, stderr) = stdout_of(onesession().current_dir(dir.path()).arg("check"));
    assert_eq!(code, 2);
    assert!(stderr.contains("pyproject.toml:2"), "{stderr}");
    assert!(stderr.contains("canonical-modul"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let missing = project(&[
        (
            "pyproject.toml",
            "[tool.onesession]\ncanonical-module = \"app.db.nope\"\n",
        ),
        ("app/db/session.py", SESSION_MODULE),
    ]);
    let (code, _, stderr) = stdout_of(onesession().current_dir(missing.path()).arg("check"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("canonical-module") && stderr.contains("app.db.nope"),
        "{stderr}"
    );

    let bad_glob = project(&[("onesession.toml", "exclude = [\"a/[\"]\n")]);
    let (code, _, stderr) = stdout_of(onesession().current_dir(bad_glob.path()).arg("check"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("onesession.toml") && stderr.contains("exclude"),
        "{stderr}"
    );
}

/// A file that does not parse is DB001 when it could have a finding (it
/// reaches a database); one that could not (no trigger word, or out of
/// reach by its imports) is not parsed, so not reported.
#[test]
fn syntax_and_encoding_problems_are_findings() {
    let dir = project(&[
        ("app/db/session.py", SESSION_MODULE),
        (
            "app/broken.py",
            "from app.db.session import get_session\nsession = (\n",
        ),
        ("app/unrelated.py", "session = (\n"),
    ]);
    std::fs::write(dir.path().join("app/latin1.py"), b"# session caf\xe9\n").unwrap();
    let (code, stdout, _) = stdout_of(
        onesession()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    assert_eq!(code, 1);
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![("DB001", "app/broken.py"), ("DB002", "app/latin1.py")]
    );
}

#[test]
fn stdin_with_filename() {
    let dir = project(&[("app/db/session.py", SESSION_MODULE)]);
    // An editor's unsaved buffer for app/tasks/x.py, checked with `extra`.
    let check_buffer = |extra: &[&str]| {
        stdout_of(
            onesession()
                .current_dir(dir.path())
                .args(["check", "-", "--stdin-filename", "app/tasks/x.py"])
                .args(extra)
                .write_stdin(
                    "from app.db.session import async_session_factory\nasync_session_factory()\n",
                ),
        )
    };
    let (code, stdout, stderr) = check_buffer(&["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("\"path\": \"app/tasks/x.py\""), "{stdout}");
    assert!(stdout.contains("DB101"));

    // What is on disk does not decide: the buffer does.
    std::fs::create_dir_all(dir.path().join("app/tasks")).unwrap();
    std::fs::write(dir.path().join("app/tasks/x.py"), "session = 1\n").unwrap();
    let (code, stdout, stderr) = check_buffer(&["--no-cache"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("DB101"), "{stdout}");

    let (code, _, stderr) = stdout_of(onesession().current_dir(dir.path()).args(["check", "-"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--stdin-filename"), "{stderr}");
}

#[test]
fn suppression_comments() {
    let dir = project(&[
        ("app/db/session.py", SESSION_MODULE),
        (
            "app/tasks/x.py",
            "from app.db.session import async_session_factory  # onesession: ignore[DB101]\n\
             async_session_factory()  # onesession: ignore\n",
        ),
    ]);
    let (code, stdout, _) = stdout_of(onesession().current_dir(dir.path()).arg("check"));
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn explain_and_rules() {
    let (code, stdout, _) = stdout_of(onesession().args(["explain", "DB104"]));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# db-params (DB104)"), "{stdout}");
    for section in ["## What it finds", "## Why is this bad?", "## Fix safety"] {
        assert!(stdout.contains(section), "{section} missing");
    }
    let (code, _, stderr) = stdout_of(onesession().args(["explain", "DB999"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule"));

    let (_, stdout, _) = stdout_of(onesession().args(["rules"]));
    let ids: Vec<&str> = stdout.lines().map(|l| &l[..5]).collect();
    let mut expected: Vec<String> = vec!["DB001".into(), "DB002".into(), "DB003".into()];
    expected.extend((101..=119).map(|n| format!("DB{n}")));
    assert_eq!(ids, expected);
}

/// The README's rule table is the output of `onesession rules`.
#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let (_, stdout, _) = stdout_of(onesession().args(["rules", "--format", "json"]));
    let rules: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for rule in rules.as_array().unwrap() {
        let row = format!(
            "| {} | {} | {} |",
            rule["id"].as_str().unwrap(),
            rule["name"].as_str().unwrap(),
            rule["summary"].as_str().unwrap()
        );
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}

#[test]
fn init_detects_and_writes_config() {
    let dir = project(&[("app/db/session.py", SESSION_MODULE)]);
    let (code, stdout, stderr) = stdout_of(onesession().current_dir(dir.path()).arg("init"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("wrote onesession.toml"));
    let config = std::fs::read_to_string(dir.path().join("onesession.toml")).unwrap();
    assert!(
        config.contains("canonical-module = \"app.db.session\""),
        "{config}"
    );
    assert!(
        config.contains("factories = [\"async_session_factory\"]"),
        "{config}"
    );
    // The written config is valid and used.
    let (code, _, stderr) = stdout_of(onesession().current_dir(dir.path()).arg("check"));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("detected"), "configured now: {stderr}");
    // Refuses to overwrite.
    assert_eq!(
        stdout_of(onesession().current_dir(dir.path()).arg("init")).0,
        2
    );

    let ambiguous = project(&[
        ("app/db/session.py", SESSION_MODULE),
        ("app/db/other.py", SESSION_MODULE),
    ]);
    let (code, _, stderr) = stdout_of(onesession().current_dir(ambiguous.path()).arg("init"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("app.db.other") && stderr.contains("app.db.session"),
        "{stderr}"
    );
}

#[test]
fn migrations_are_excluded_by_default() {
    let (_, stdout, _) = stdout_of(
        onesession()
            .current_dir(example())
            .args(["check", "--format", "json"]),
    );
    assert!(!stdout.contains("migrations/"), "{stdout}");
}

/// The standard library has no session factory: no DB finding, no panic.
#[test]
fn cpython_stdlib_has_no_findings() {
    let Some(stdlib) = stdlib() else {
        return;
    };
    let (code, stdout, stderr) = stdout_of(
        onesession()
            .args(["check", "--no-cache", "--format", "json"])
            .arg(&stdlib),
    );
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let db_findings: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("DB1"))
        .collect();
    assert!(
        db_findings.is_empty(),
        "likely false positives: {db_findings:#?}"
    );
}

/// `docs/rules/<id>.md` (what SARIF's helpUri points at) is exactly
/// `onesession explain <id>`. `UPDATE_DOCS=1` rewrites them.
#[test]
fn rule_docs_match_explain() {
    let (_, stdout, _) = stdout_of(onesession().args(["rules", "--format", "json"]));
    let rules: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let docs = repo().join("docs/rules");
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let (_, explained, _) = stdout_of(onesession().args(["explain", id]));
        let path = docs.join(format!("{id}.md"));
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(&path, &explained).unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            written,
            explained,
            "{} is out of date (UPDATE_DOCS=1 cargo test)",
            path.display()
        );
    }
}

/// `check --format json` in `dir` with its cache in `cache`.
fn check_cached(dir: &Path, cache: &Path, extra: &[&str]) -> (i32, String, String) {
    stdout_of(
        onesession()
            .current_dir(dir)
            .env("ONESESSION_CACHE_DIR", cache)
            .args(["check", "--format", "json"])
            .args(extra),
    )
}

/// The file in the cache directory whose name starts with `prefix`.
fn cache_file(cache: &Path, prefix: &str) -> Option<PathBuf> {
    std::fs::read_dir(cache)
        .ok()?
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
}

/// A project whose `app/tasks/x.py` holds `x` (and the session module).
fn project_with_task(x: &str) -> tempfile::TempDir {
    project(&[("app/db/session.py", SESSION_MODULE), ("app/tasks/x.py", x)])
}

/// A warm run (nothing changed) answers from the cache with the same
/// findings; a changed file, a corrupt entry or --no-cache do not use it.
#[test]
fn check_cache() {
    let dir = project_with_task(
        "from app.db.session import async_session_factory\nasync_session_factory()\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| check_cached(dir.path(), cache.path(), extra);
    let entries = || {
        std::fs::read_dir(cache.path()).map_or(0, |d| {
            d.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("check-")
            })
            .count()
        })
    };

    let (_, _, _) = run(&["--no-cache"]);
    assert_eq!(entries(), 0, "--no-cache writes nothing");
    let (code, cold, _) = run(&[]);
    assert_eq!((code, entries()), (1, 1));
    let (code, warm, _) = run(&[]);
    assert_eq!(
        (code, &warm),
        (1, &cold),
        "the warm run gives the same findings"
    );

    // A changed file is seen.
    std::fs::write(
        dir.path().join("app/tasks/x.py"),
        "from app.db.session import get_session\n",
    )
    .unwrap();
    let (code, changed, _) = run(&[]);
    assert_eq!((code, changed.trim()), (0, "[]"));

    // A corrupt entry is ignored, not trusted.
    std::fs::write(cache_file(cache.path(), "check-").unwrap(), "{ not json").unwrap();
    let (code, after, _) = run(&[]);
    assert_eq!((code, after.trim()), (0, "[]"));
}

/// Files unchanged since the last run (size and mtime) are hashed from the
/// record without being read; a same-size edit with a new mtime is seen.
#[test]
fn check_stat_record() {
    let before = "from app.db.session import async_session_factory\nasync_session_factory()\n";
    let dir = project_with_task(before);
    let x = dir.path().join("app/tasks/x.py");
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in ["app/db/session.py", "app/tasks/x.py"] {
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join(name))
            .unwrap();
        file.set_modified(an_hour_ago).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let run = || check_cached(dir.path(), cache.path(), &[]);
    let record = || cache_file(cache.path(), "stat-");
    let (code, cold, _) = run();
    assert_eq!(code, 1);
    let written = record().expect("the first run records the files' stats");
    let stamp = std::fs::metadata(&written).unwrap().modified().unwrap();
    let (code, warm, _) = run();
    assert_eq!((code, &warm), (1, &cold));
    assert_eq!(
        std::fs::metadata(&written).unwrap().modified().unwrap(),
        stamp,
        "nothing was read, so the record is not rewritten"
    );
    // Without the findings cache the files are hashed from the record,
    // unread: what reach needs of them is read on demand.
    while let Some(entry) = cache_file(cache.path(), "check-") {
        std::fs::remove_file(entry).unwrap();
    }
    let (code, from_record, _) = run();
    assert_eq!((code, &from_record), (1, &cold));

    // Same size, new content, a different (still old) mtime.
    let after = format!(
        "from app.db.session import get_session\n{:#<1$}\n",
        "#",
        before.len() - 40
    );
    assert_eq!(after.len(), before.len());
    std::fs::write(&x, &after).unwrap();
    let file = std::fs::File::options().write(true).open(&x).unwrap();
    file.set_modified(an_hour_ago + std::time::Duration::from_secs(60))
        .unwrap();
    let (code, changed, _) = run();
    assert_eq!((code, changed.trim()), (0, "[]"), "the edit is seen");

    // A corrupt record is ignored: every file is read and hashed again.
    std::fs::write(&x, before).unwrap();
    std::fs::write(record().unwrap(), "{ not json").unwrap();
    let (code, again, _) = run();
    assert_eq!((code, &again), (1, &cold));
}

/// A cache entry whose ranges no longer fit the text (the file changed
/// between being hashed and being read) is a miss, not a panic.
#[test]
fn check_cache_entry_that_does_not_fit_the_text_is_ignored() {
    let dir = project_with_task(
        "# café\nfrom app.db.session import async_session_factory\nasync_session_factory()\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let run = || check_cached(dir.path(), cache.path(), &[]);
    let (code, cold, _) = run();
    assert_eq!(code, 1);
    let entry = cache_file(cache.path(), "check-").unwrap();
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
    // Byte 6 is inside the two-byte `é` (bytes 5 and 6).
    for finding in json["findings"].as_array_mut().unwrap() {
        finding["start"] = 6.into();
        finding["end"] = 6.into();
    }
    std::fs::write(&entry, json.to_string()).unwrap();
    let (code, warm, stderr) = run();
    assert_eq!((code, &warm), (1, &cold), "{stderr}");
}

/// A canonical module with an engine and a factory but no provider: DB113
/// does not send the shadow provider's callers to a provider that does not
/// exist.
#[test]
fn a_shadow_provider_is_not_sent_to_a_provider_that_does_not_exist() {
    let dir = project(&[
        (
            "onesession.toml",
            "canonical-module = \"app.core.db\"\n",
        ),
        (
            "app/core/db.py",
            "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n\nengine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})\nasync_session_factory = async_sessionmaker(engine)\n",
        ),
        (
            "app/api/deps.py",
            "from app.core.db import async_session_factory\n\n\nasync def get_db():\n    async with async_session_factory() as session:\n        yield session\n",
        ),
    ]);
    let (_, stdout, stderr) = stdout_of(onesession().current_dir(dir.path()).args([
        "check",
        "--select",
        "DB113",
        "--no-cache",
    ]));
    assert!(
        stdout.contains("the canonical module `app.core.db` provides none yet")
            && !stdout.contains("use the canonical session provider from"),
        "{stdout}{stderr}"
    );
}
