//! Issue 13 at the command line: the inferred model is said on stderr
//! and printed by `check --show-settings`; configured names must exist;
//! `init` writes the model down; sync projects get sync advice.

mod common;
use common::{copy_tree, project, repo};

use std::path::Path;

use assert_cmd::Command;
use pretty_assertions::assert_eq;

fn onesession(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("onesession").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn backend(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/backends").join(name), dir.path());
    dir
}

/// `(path, line, rule)` of every finding, and the messages.
fn findings(dir: &Path, args: &[&str]) -> (Vec<(String, u64, String)>, Vec<String>) {
    let (code, stdout, stderr) = run(onesession(dir)
        .args(["check", "--no-cache", "--format", "json"])
        .args(args));
    assert!(code == 0 || code == 1, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = rows.as_array().unwrap();
    (
        rows.iter()
            .map(|r| {
                (
                    r["path"].as_str().unwrap().to_owned(),
                    r["line"].as_u64().unwrap(),
                    r["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
        rows.iter()
            .map(|r| r["message"].as_str().unwrap().to_owned())
            .collect(),
    )
}

#[test]
fn the_inferred_model_is_said_in_one_short_block() {
    let dir = backend("two_session_modules");
    std::fs::remove_file(dir.path().join("pyproject.toml")).ok();
    let (_, _, stderr) = run(onesession(dir.path()).args(["check", "--no-cache", "--statistics"]));
    let block: Vec<&str> = stderr.lines().take(5).collect();
    assert_eq!(
        block,
        [
            "note: detected canonical session module `app.db.session` (app/db/session.py); set `canonical-module` in [tool.onesession] to override (`onesession init` writes the model down)",
            "  providers: `engine` (engine), `async_session_factory` (factory), `get_session` (async context manager, for background work), `get_session_dependency` (async dependency, for routers)",
            "  redundant: `app.db.direct`",
            "  source roots: .",
        ][..block.len().min(4)]
    );
    let (code, stdout, _) = run(onesession(dir.path()).args(["check", "--show-settings"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("configuration: none (the model below is inferred)"),
        "{stdout}"
    );
    assert!(stdout.contains("candidates (score: evidence):"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("test ")),
        "{stdout}"
    );
}

#[test]
fn zero_config_finds_what_the_configured_run_finds() {
    let dir = backend("two_session_modules");
    let (configured, _) = findings(dir.path(), &["--config", "configured.toml"]);
    let (zero, _) = findings(dir.path(), &[]);
    let found = configured.iter().filter(|f| zero.contains(f)).count();
    assert!(
        found * 10 >= configured.len() * 9,
        "zero-config finds {found} of {}: missing {:?}",
        configured.len(),
        configured
            .iter()
            .filter(|f| !zero.contains(f))
            .collect::<Vec<_>>()
    );
}

#[test]
fn sync_projects_get_sync_advice_and_no_invented_names() {
    for name in ["sync_sessionlocal", "domain_layout"] {
        let dir = backend(name);
        let (rows, messages) = findings(dir.path(), &[]);
        assert!(!rows.is_empty(), "{name}: the backend has violations");
        for message in &messages {
            assert!(!message.contains("async with"), "{name}: {message}");
            assert!(!message.contains("get_session()"), "{name}: {message}");
        }
    }
    let dir = backend("session_manager");
    let (_, messages) = findings(dir.path(), &[]);
    for message in &messages {
        assert!(!message.contains("get_session()"), "{message}");
    }
}

#[test]
fn a_configured_name_that_does_not_exist_is_one_clear_error() {
    let session = "\
from contextlib import asynccontextmanager
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c')
async_session_factory = async_sessionmaker(engine)


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
";
    for (key, line, wanted) in [
        ("context-manager = \"get_sesion\"", 2, "context-manager = \"get_sesion\": `app.db.session` (app/db/session.py) defines no `get_sesion`; it provides `engine` (engine), `async_session_factory` (factory), `get_session` (async context manager)"),
        ("factories = [\"SessionLocal\"]", 2, "factories names \"SessionLocal\", which `app.db.session` (app/db/session.py) does not define"),
    ] {
        let config = format!("canonical-module = \"app.db.session\"\n{key}\n");
        let dir = project(&[("onesession.toml", config.as_str()), ("app/db/session.py", session)]);
        let (code, stdout, stderr) = run(onesession(dir.path()).args(["check", "--no-cache"]));
        assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&format!("onesession.toml:{line}: ")), "{stderr}");
        assert!(stderr.contains(wanted), "{stderr}");
    }
}

#[test]
fn init_writes_the_model_and_check_then_uses_it() {
    for name in [
        "sync_sessionlocal",
        "session_manager",
        "src_layout",
        "domain_layout",
        "two_session_modules",
    ] {
        let dir = backend(name);
        std::fs::remove_file(dir.path().join("pyproject.toml")).ok();
        let (code, stdout, stderr) = run(onesession(dir.path()).arg("init"));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(stdout, "wrote onesession.toml\n");
        let config = std::fs::read_to_string(dir.path().join("onesession.toml")).unwrap();
        let expected: toml::Table = toml::from_str(
            &std::fs::read_to_string(dir.path().join("expected-model.toml")).unwrap(),
        )
        .unwrap();
        let module = expected["canonical-module"].as_str().unwrap();
        assert!(
            config.contains(&format!("canonical-module = \"{module}\"")),
            "{name}: {config}"
        );
        let (code, _, stderr) = run(onesession(dir.path()).args(["check", "--no-cache"]));
        assert!(code == 0 || code == 1, "{name}: {stderr}");
        assert!(
            !stderr.contains("detected"),
            "{name}: configured now: {stderr}"
        );
    }
}

#[test]
fn init_asks_for_a_choice_only_on_a_tie() {
    let module = "\
from sqlalchemy.orm import sessionmaker
from sqlalchemy import create_engine

engine = create_engine('sqlite://')
SessionLocal = sessionmaker(bind=engine)
";
    let dir = project(&[("app/first.py", module), ("app/second.py", module)]);
    let (code, _, stderr) = run(onesession(dir.path()).arg("init"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("(app.first, app.second)") && stderr.contains("--canonical MODULE"),
        "{stderr}"
    );
    let (code, _, stderr) = run(onesession(dir.path()).args(["init", "--canonical", "app.second"]));
    assert_eq!(code, 0, "{stderr}");
    let config = std::fs::read_to_string(dir.path().join("onesession.toml")).unwrap();
    assert!(
        config.contains("canonical-module = \"app.second\""),
        "{config}"
    );
    assert!(config.contains("# [deprecated.\"app.first\"]"), "{config}");
}

/// In a router module, `Depends(...)` is advised only where FastAPI injects
/// it: in an endpoint, not in the app's lifespan or a helper.
#[test]
fn dependency_advice_only_inside_endpoints() {
    let dir = project(&[
        ("app/__init__.py", ""),
        (
            "app/database.py",
            "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n\n\
             engine = create_async_engine('postgresql+asyncpg://a@b/c')\n\
             AsyncSessionFactory = async_sessionmaker(engine)\n\n\n\
             async def get_db():\n    async with AsyncSessionFactory() as session:\n        yield session\n",
        ),
        (
            "app/main.py",
            "import asyncpg\nfrom contextlib import asynccontextmanager\n\n\
             from fastapi import APIRouter, FastAPI\n\n\
             router = APIRouter()\n\n\n\
             @asynccontextmanager\nasync def lifespan(app: FastAPI):\n    app.pool = await asyncpg.create_pool('postgresql://a@b/c')\n    yield\n\n\n\
             @router.get('/rows')\nasync def rows():\n    pool = await asyncpg.create_pool('postgresql://a@b/c')\n    return await pool.fetch('SELECT 1')\n",
        ),
    ]);
    let (rows, messages) = findings(dir.path(), &[]);
    let advice: Vec<(u64, &String)> = rows
        .iter()
        .zip(&messages)
        .filter(|((path, _, rule), _)| path == "app/main.py" && rule == "DB115")
        .map(|((_, line, _), message)| (*line, message))
        .collect();
    let lifespan = advice
        .iter()
        .find(|(line, _)| *line == 11)
        .expect("lifespan finding");
    assert!(!lifespan.1.contains("Depends"), "{}", lifespan.1);
    let endpoint = advice
        .iter()
        .find(|(line, _)| *line == 17)
        .expect("endpoint finding");
    assert!(endpoint.1.contains("`Depends(get_db)`"), "{}", endpoint.1);
}

/// The same files give the same findings from the root or from a
/// subdirectory, with a configuration or without one (module names, and
/// so every rule, start at the project root either way).
#[test]
fn findings_do_not_depend_on_the_working_directory() {
    let absolute = |dir: &Path, rows: Vec<(String, u64, String)>| {
        let mut rows: Vec<(std::path::PathBuf, u64, String)> = rows
            .into_iter()
            .map(|(path, line, rule)| (dir.join(path).canonicalize().unwrap(), line, rule))
            .collect();
        rows.sort();
        rows
    };
    for (name, keep_config) in [
        ("two_session_modules", false),
        ("two_session_modules", true),
    ] {
        let dir = backend(name);
        if !keep_config {
            std::fs::remove_file(dir.path().join("pyproject.toml")).unwrap();
        }
        let root = dir.path();
        let (all, _) = findings(root, &[]);
        let all = absolute(root, all);
        for sub in ["app", "app/services", "app/api/routes"] {
            let subdir = root.join(sub).canonicalize().unwrap();
            let (here, _) = findings(&subdir, &[]);
            let here = absolute(&subdir, here);
            let expected: Vec<_> = all
                .iter()
                .filter(|(path, _, _)| path.starts_with(&subdir))
                .cloned()
                .collect();
            assert!(!expected.is_empty(), "{name} {sub}: findings there");
            assert_eq!(here, expected, "{name} (config: {keep_config}) from {sub}");
        }
    }
}
