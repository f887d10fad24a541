//! The terminal-only behaviour, driven in a pseudo-terminal: `fix -i`
//! answering y, n and q, and the progress bar (none in a pipe).

use std::path::Path;
use std::process::Command;

const SESSION: &str = "\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})
async_session_factory = async_sessionmaker(engine)
legacy_factory = async_session_factory


async def get_session():
    async with async_session_factory() as session:
        yield session
";
const A: &str = "from app.db.session import async_session_factory\nx = 1\nfrom app.db.session import legacy_factory\ny = 2\n";
const B: &str = "from app.db.session import async_session_factory\n";

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `fix -i` started in a pseudo-terminal on the session module and `files`.
fn review_in_a_terminal(
    files: &[(&str, &str)],
) -> (tempfile::TempDir, rexpect::session::PtySession) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "onesession.toml",
        "canonical-module = \"app.db.session\"\nfactories = [\"async_session_factory\", \"legacy_factory\"]\n",
    );
    write(root, "app/db/session.py", SESSION);
    for (path, text) in files {
        write(root, path, text);
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_onesession"));
    command
        .args(["fix", "-i", "--color", "never"])
        .current_dir(root);
    let session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    (dir, session)
}

#[test]
fn answers_y_n_q_in_a_terminal() {
    let (dir, mut session) = review_in_a_terminal(&[("app/a.py", A), ("app/b.py", B)]);
    let root = dir.path();
    session
        .exp_string("DB111 unused-session-import  app/a.py:1")
        .unwrap();
    session.exp_string("Apply this change?").unwrap();
    session.send("y").unwrap();
    session.flush().unwrap();
    session.exp_string("app/a.py:3").unwrap();
    session.exp_string("Apply this change?").unwrap();
    session.send("n").unwrap();
    session.flush().unwrap();
    session.exp_string("wrote app/a.py").unwrap();
    session.exp_string("app/b.py:1").unwrap();
    session.exp_string("Apply this change?").unwrap();
    session.send("q").unwrap();
    session.flush().unwrap();
    session
        .exp_string("Applied 1 change in 1 file, skipped 1, left 1.")
        .unwrap();
    session.exp_eof().unwrap();

    assert_eq!(
        std::fs::read_to_string(root.join("app/a.py")).unwrap(),
        "x = 1\nfrom app.db.session import legacy_factory\ny = 2\n"
    );
    assert_eq!(std::fs::read_to_string(root.join("app/b.py")).unwrap(), B);
}

/// Ctrl-C at a prompt is `q`: what was accepted in the same file is
/// written (the key used to raise SIGINT and lose it).
#[test]
fn ctrl_c_writes_what_was_accepted() {
    let (dir, mut session) = review_in_a_terminal(&[("app/a.py", A)]);
    let root = dir.path();
    session.exp_string("app/a.py:1").unwrap();
    session.exp_string("Apply this change?").unwrap();
    session.send("y").unwrap();
    session.flush().unwrap();
    session.exp_string("app/a.py:3").unwrap();
    session.exp_string("Apply this change?").unwrap();
    session.send_control('c').unwrap();
    session.exp_string("Applied 1 change in 1 file").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("app/a.py")).unwrap(),
        "x = 1\nfrom app.db.session import legacy_factory\ny = 2\n"
    );
}

/// On a terminal a check pass draws its progress on standard error (here
/// at once: the delay is set to 0); in a pipe, never.
#[test]
fn progress_shows_on_a_terminal_and_never_in_a_pipe() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/example");
    let mut command = Command::new(env!("CARGO_BIN_EXE_onesession"));
    command
        .args(["check", "--no-cache", "--color", "never", "--quiet"])
        .current_dir(&example)
        .env("ONESESSION_PROGRESS_DELAY_MS", "0")
        .env_remove("CI");
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    session.exp_regex(r"checking \d+/\d+ files").unwrap();
    session.exp_eof().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_onesession"))
        .args(["check", "--no-cache", "--quiet"])
        .current_dir(&example)
        .env("ONESESSION_PROGRESS_DELAY_MS", "0")
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("checking"), "{stderr}");
}
