//! Baselines: write → check clean → a new violation is reported → edits
//! above it keep the baseline matching → fixing a recorded violation
//! leaves a stale entry, which --strict-baseline turns into a failure.

use std::path::Path;

use assert_cmd::Command;

const SESSION: &str = "\
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})
async_session_factory = async_sessionmaker(engine)


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
";

const LEGACY: &str = "\
from app.db.session import async_session_factory


async def run():
    session = async_session_factory()
    await session.close()
";

fn onesession(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("onesession")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn baseline_ratchet() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("app/db")).unwrap();
    std::fs::create_dir_all(root.join("app/tasks")).unwrap();
    std::fs::write(
        root.join("onesession.toml"),
        "canonical-module = \"app.db.session\"\n",
    )
    .unwrap();
    std::fs::write(root.join("app/db/session.py"), SESSION).unwrap();
    std::fs::write(root.join("app/tasks/legacy.py"), LEGACY).unwrap();

    let (code, stdout, _) = onesession(root, &["baseline", "write"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("wrote onesession-baseline.json (2 findings)"),
        "{stdout}"
    );
    let check = [
        "check",
        "--baseline",
        "onesession-baseline.json",
        "--format",
        "json",
    ];

    // Nothing new.
    let (code, stdout, stderr) = onesession(root, &check);
    assert_eq!((code, stdout.trim()), (0, "[]"), "{stderr}");

    // A new violation is the one finding.
    let new =
        "\nasync def other():\n    session = async_session_factory()\n    await session.close()\n";
    std::fs::write(root.join("app/tasks/legacy.py"), format!("{LEGACY}{new}")).unwrap();
    let (code, stdout, _) = onesession(root, &check);
    assert_eq!(code, 1);
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{stdout}");
    assert_eq!(rows[0]["rule"], "DB102");
    assert_eq!(rows[0]["line"], 9);

    // Edits above the recorded findings do not break the match.
    std::fs::write(
        root.join("app/tasks/legacy.py"),
        format!("\"\"\"Legacy jobs.\"\"\"\n\nimport os\n{LEGACY}"),
    )
    .unwrap();
    let (code, stdout, stderr) = onesession(root, &check);
    assert_eq!((code, stdout.trim()), (0, "[]"), "{stderr}");

    // Fixing a recorded violation leaves a stale entry.
    std::fs::write(
        root.join("app/tasks/legacy.py"),
        "from app.db.session import get_session\n\n\nasync def run():\n    async with get_session() as session:\n        await session.close()\n",
    )
    .unwrap();
    let (code, _, stderr) = onesession(root, &check);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr
            .contains("stale baseline entry: DB102 app/tasks/legacy.py `async_session_factory()`"),
        "{stderr}"
    );
    let (code, _, stderr) = onesession(
        root,
        &[
            "check",
            "--baseline",
            "onesession-baseline.json",
            "--strict-baseline",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("2 stale baseline entries (--strict-baseline)"),
        "{stderr}"
    );

    // A broken baseline file is one clear error.
    std::fs::write(root.join("bad.json"), "{}").unwrap();
    let (code, _, stderr) = onesession(root, &["check", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.json: not a onesession baseline"),
        "{stderr}"
    );
}

#[test]
fn completions_and_version() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, _) = onesession(dir.path(), &["completions", shell]);
        assert_eq!(code, 0);
        assert!(stdout.contains("onesession"), "{shell}");
    }
    let (code, stdout, _) = onesession(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("onesession {}", env!("CARGO_PKG_VERSION"))
    );
    let (_, stdout, _) = onesession(dir.path(), &["--help"]);
    for example in [
        "onesession fix -i",
        "onesession fix --branch",
        "onesession fix --diff",
    ] {
        assert!(stdout.contains(example), "--help shows {example}");
    }
}
