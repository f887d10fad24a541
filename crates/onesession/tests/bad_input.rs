//! Bad input (issue 7, item 3): each case gives one clear line (an
//! `error:` line, a `warning:` line or a DB002 finding), the documented
//! exit code (0 clean, 1 findings, 2 usage/config/IO error), and leaves
//! every file as it was.
#![allow(clippy::print_stderr)] // a skipped test says why

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const TIMEOUT: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("onesession")
}

fn onesession(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("onesession").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1").timeout(TIMEOUT);
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The one line of `stderr`, which must be all there is.
fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line on stderr, got:\n{stderr}"
    );
    lines[0]
}

const CONFIG: &str = "[tool.onesession]\ncanonical-module = \"app.db.session\"\n";

/// A file with a safe fix (DB101 + DB102).
const FIXABLE: &str = "\
from app.db.session import async_session_factory


async def run():
    async with async_session_factory() as session:
        await session.execute(\"select 1\")
";

/// A clean project (the fixture base's session module) plus `files`.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let session = std::fs::read(repo().join("testdata/_base/app/db/session.py")).unwrap();
    let mut all: Vec<(&str, &[u8])> = vec![
        ("pyproject.toml", CONFIG.as_bytes()),
        ("app/__init__.py", b""),
        ("app/db/__init__.py", b""),
        ("app/db/session.py", &session),
    ];
    all.extend_from_slice(files);
    for (path, bytes) in all {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Every regular file under `root` (symlinks not followed), by relative path.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                // The check cache is onesession's own, not a project file.
                if entry.file_name() != ".onesession_cache" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().into();
                out.insert(relative, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// The files that differ, by name (the contents are too long to print).
#[track_caller]
fn assert_same(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let changed: Vec<&&String> = keys
        .iter()
        .filter(|k| before.get(**k) != after.get(**k))
        .collect();
    assert!(changed.is_empty(), "files touched: {changed:?}");
}

fn parses(path: &Path) -> bool {
    Process::new("python3")
        .args([
            "-c",
            "import sys; compile(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1], 'exec')",
        ])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Process::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `onesession` run by a user file permissions apply to: ourselves, or
/// when we are root (permissions do not stop root) `nobody` through
/// `setpriv`. `None` when permissions cannot be enforced here.
fn unprivileged(dir: &Path) -> Option<Command> {
    if !is_root() {
        return Some(onesession(dir));
    }
    let setpriv_works = Process::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !setpriv_works {
        return None;
    }
    // The checkout may sit where `nobody` cannot reach the binary (under
    // /root): then permissions cannot be tested this way.
    let binary_reachable = Process::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !binary_reachable {
        return None;
    }
    // `nobody` must reach the binary and the project.
    let mut ancestor = dir.to_owned();
    loop {
        let Ok(meta) = std::fs::metadata(&ancestor) else {
            return None;
        };
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o005 != 0o005 && ancestor.starts_with(dir) {
            let mut permissions = meta.permissions();
            permissions.set_mode(permissions.mode() | 0o755);
            std::fs::set_permissions(&ancestor, permissions).unwrap();
        }
        if !ancestor.pop() {
            break;
        }
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    Some(cmd)
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Makes the project readable by everyone except the `locked` paths.
fn open_up(dir: &Path) {
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            chmod(&path, 0o755);
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            chmod(&path, 0o644);
        }
    }
}

#[test]
fn unreadable_file_is_a_db002_finding_and_left_alone() {
    let dir = project(&[
        ("app/secret.py", FIXABLE.as_bytes()),
        ("app/ok.py", b"x = 1\n"),
    ]);
    open_up(dir.path());
    let Some(mut cmd) = unprivileged(dir.path()) else {
        eprintln!("skipped: running as root without setpriv: chmod 000 cannot be enforced");
        return;
    };
    chmod(&dir.path().join("app/secret.py"), 0o000);
    let before = snapshot(dir.path());
    let (code, stdout, stderr) = run(cmd.args(["check", "app/secret.py"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("app/secret.py:1:1: DB002 cannot read file: permission denied"),
        "{stdout}"
    );
    assert_eq!(stderr, "");

    let mut cmd = unprivileged(dir.path()).unwrap();
    let (code, stdout, stderr) = run(cmd.args(["fix", "app/secret.py"]));
    assert_eq!(code, 1, "remaining DB002: {stdout}{stderr}");
    chmod(&dir.path().join("app/secret.py"), 0o644);
    let mut after = snapshot(dir.path());
    after.insert(
        "app/secret.py".into(),
        before.get("app/secret.py").cloned().unwrap_or_default(),
    );
    assert_same(&before, &after);
    assert_eq!(
        std::fs::read(dir.path().join("app/secret.py")).unwrap(),
        FIXABLE.as_bytes()
    );
}

#[test]
fn directory_without_permission_is_one_warning() {
    let dir = project(&[("app/locked/a.py", FIXABLE.as_bytes())]);
    open_up(dir.path());
    let Some(mut cmd) = unprivileged(dir.path()) else {
        eprintln!("skipped: running as root without setpriv: chmod 000 cannot be enforced");
        return;
    };
    chmod(&dir.path().join("app/locked"), 0o000);
    let (code, stdout, stderr) = run(cmd.arg("check"));
    chmod(&dir.path().join("app/locked"), 0o755);
    // The rest of the project is clean: the skipped directory is a
    // warning, not a finding (see RELIABILITY.md).
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        one_line(&stderr),
        "warning: app/locked: permission denied (skipped)"
    );

    chmod(&dir.path().join("app/locked"), 0o000);
    let before = snapshot(dir.path());
    let mut cmd = unprivileged(dir.path()).unwrap();
    let (code, stdout, stderr) = run(cmd.arg("fix"));
    chmod(&dir.path().join("app/locked"), 0o755);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        one_line(&stderr),
        "warning: app/locked: permission denied (skipped)"
    );
    assert_same(&before, &snapshot(dir.path()));
    assert_eq!(
        std::fs::read(dir.path().join("app/locked/a.py")).unwrap(),
        FIXABLE.as_bytes()
    );
}

/// Non-UTF-8, UTF-16 and NUL bytes: one DB002 finding each, never written,
/// while the rest of the project is fixed.
#[test]
fn undecodable_files_are_db002_findings_and_never_written() {
    let cases: [(&str, &[u8], &str); 3] = [
        (
            "app/latin1.py",
            b"from app.db.session import async_session_factory\nname = \"caf\xe9\"\n",
            "app/latin1.py:1:1: DB002 file is not valid UTF-8 (byte 60); onesession reads UTF-8 only",
        ),
        (
            "app/utf16.py",
            b"\xff\xfef\x00r\x00o\x00m\x00 \x00a\x00p\x00p\x00\n\x00",
            "app/utf16.py:1:1: DB002 file is UTF-16; onesession reads UTF-8 only: convert it (e.g. `iconv -f UTF-16 -t UTF-8`)",
        ),
        (
            "app/nul.py",
            b"from app.db.session import async_session_factory\x00\n",
            "app/nul.py:1:1: DB002 file contains a NUL byte (byte 48); Python rejects it too",
        ),
    ];
    let mut files: Vec<(&str, &[u8])> = cases.iter().map(|(p, b, _)| (*p, *b)).collect();
    files.push(("app/tasks/sync.py", FIXABLE.as_bytes()));
    let dir = project(&files);
    for (path, bytes, line) in &cases {
        let (code, stdout, stderr) = run(onesession(dir.path()).args(["check", "--quiet", path]));
        assert_eq!(code, 1, "{path}: {stdout}{stderr}");
        assert_eq!(stdout.lines().next(), Some(*line), "{stdout}");
        assert_eq!(stdout.matches(": DB").count(), 1, "{stdout}");
        assert_eq!(stderr, "");
        let (code, stdout, _) = run(onesession(dir.path()).args(["fix", "--diff", path]));
        assert_eq!(code, 0, "nothing to fix in {path}");
        assert_eq!(stdout, "");
        assert_eq!(std::fs::read(dir.path().join(path)).unwrap(), *bytes);
    }
    let (code, stdout, stderr) = run(onesession(dir.path()).arg("fix"));
    assert_eq!(code, 1, "the DB002 findings remain: {stdout}{stderr}");
    for (path, bytes, _) in &cases {
        assert_eq!(
            std::fs::read(dir.path().join(path)).unwrap(),
            *bytes,
            "{path}"
        );
    }
    assert_ne!(
        std::fs::read(dir.path().join("app/tasks/sync.py")).unwrap(),
        FIXABLE.as_bytes(),
        "the readable file is fixed"
    );
}

fn max_rss_kb(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
}

/// A 50 MB module with trigger words (so it is really parsed): checked,
/// in bounded memory.
#[test]
fn fifty_megabyte_file_is_checked_in_bounded_memory() {
    let chunk = |i: usize| {
        format!(
            "\n\nasync def handler_{i}(session, item_id: int) -> dict:\n    # fetch item {i}\n    result = await session.execute(\"select 1 where id = :id\", {{\"id\": item_id}})\n    return {{\"id\": item_id, \"row\": result.first(), \"name\": \"item-{i}\"}}\n"
        )
    };
    let mut text = String::from("from app.db.session import get_session\n");
    let mut i = 0;
    while text.len() < 50_000_000 {
        text.push_str(&chunk(i));
        i += 1;
    }
    let dir = project(&[("app/big.py", text.as_bytes())]);
    let started = Instant::now();
    let time = Path::new("/usr/bin/time");
    let (code, stdout, stderr) = if time.exists() {
        let mut cmd = Command::new(time);
        cmd.arg("-v")
            .arg(bin())
            .args(["check", "--quiet", "app/big.py"])
            .current_dir(dir.path())
            .timeout(Duration::from_secs(600));
        run(&mut cmd)
    } else {
        run(onesession(dir.path())
            .args(["check", "--quiet", "app/big.py"])
            .timeout(Duration::from_secs(600)))
    };
    eprintln!("50 MB check took {:?}", started.elapsed());
    assert_eq!(code, 0, "{stdout}{}", &stderr[..stderr.len().min(2000)]);
    match max_rss_kb(&stderr) {
        Some(kb) => {
            eprintln!("max RSS {} MB", kb / 1024);
            assert!(kb < 2 * 1024 * 1024, "max RSS {kb} kB");
        }
        None => eprintln!("skipped the memory assertion: /usr/bin/time -v unavailable"),
    }
    assert_eq!(
        std::fs::read(dir.path().join("app/big.py")).unwrap().len(),
        text.len()
    );
}

/// Deep nesting must not overflow the stack (the engine parses and walks
/// on threads with large stacks).
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let head = "from app.db.session import get_session\n";
    let parens = format!("{head}x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let mut ifs = String::from(head);
    for depth in 0..1000 {
        ifs.push_str(&format!("{}if x:\n", " ".repeat(depth)));
    }
    ifs.push_str(&format!("{}pass\n", " ".repeat(1000)));
    let unary = format!("{head}x = {}1\n", "-".repeat(100_000));
    let lists = format!("{head}x = {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let calls = format!("{head}x = {}{}\n", "f(".repeat(20_000), ")".repeat(20_000));
    let dir = project(&[
        ("app/parens.py", parens.as_bytes()),
        ("app/ifs.py", ifs.as_bytes()),
        ("app/unary.py", unary.as_bytes()),
        ("app/lists.py", lists.as_bytes()),
        ("app/calls.py", calls.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    let (code, stdout, stderr) = run(onesession(dir.path()).args(["check", "--quiet"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(onesession(dir.path()).arg("fix"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_same(&before, &snapshot(dir.path()));
}

#[test]
fn symlink_loops_terminate() {
    let dir = project(&[("app/tasks/sync.py", FIXABLE.as_bytes())]);
    let app = dir.path().join("app");
    std::os::unix::fs::symlink(".", app.join("self")).unwrap();
    std::os::unix::fs::symlink("..", app.join("tasks/up")).unwrap();
    std::os::unix::fs::symlink("b.py", app.join("a.py")).unwrap();
    std::os::unix::fs::symlink("a.py", app.join("b.py")).unwrap();
    let before = snapshot(dir.path());

    // The walk does not follow links: the project is checked once.
    let (code, stdout, stderr) = run(onesession(dir.path()).args(["check", "--quiet"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout.matches("app/tasks/sync.py:1:").count(),
        1,
        "{stdout}"
    );
    assert_eq!(stderr, "");

    // A looping path on the command line is one error line.
    let (code, stdout, stderr) = run(onesession(dir.path()).args(["check", "app/a.py"]));
    assert_eq!(code, 2, "{stdout}");
    let line = one_line(&stderr);
    assert!(
        line.starts_with("error: app/a.py: ") && line.contains("symbolic links"),
        "{line}"
    );
    let (code, _, stderr) = run(onesession(dir.path()).args(["fix", "app/a.py"]));
    assert_eq!(code, 2);
    one_line(&stderr);
    assert_same(&before, &snapshot(dir.path()));
}

#[test]
fn missing_path_is_an_error() {
    let dir = project(&[]);
    for command in ["check", "fix", "audit"] {
        let (code, stdout, stderr) = run(onesession(dir.path()).args([command, "nope.py"]));
        assert_eq!(code, 2, "{command}: {stdout}");
        assert_eq!(
            one_line(&stderr),
            "error: nope.py: no such file or directory",
            "{command}"
        );
    }
}

/// `check` and `fix` under `pyproject` (a bad configuration): exit 2, the
/// tree untouched; returns each command's one error line.
fn bad_config_errors(pyproject: &str) -> Vec<String> {
    let dir = project(&[("app/tasks/sync.py", FIXABLE.as_bytes())]);
    std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    let before = snapshot(dir.path());
    let lines = ["check", "fix"]
        .into_iter()
        .map(|command| {
            let (code, stdout, stderr) = run(onesession(dir.path()).arg(command));
            assert_eq!(code, 2, "{stdout}");
            one_line(&stderr).to_owned()
        })
        .collect();
    assert_same(&before, &snapshot(dir.path()));
    lines
}

#[test]
fn config_with_a_typo_is_an_error_naming_file_line_and_key() {
    let config = "[tool.onesession]\ncanonical-module = \"app.db.session\"\nfactorys = [\"x\"]\n";
    for line in bad_config_errors(config) {
        assert!(
            line.starts_with("error: ")
                && line.contains("pyproject.toml:3")
                && line.contains("unknown field `factorys`"),
            "{line}"
        );
    }
}

#[test]
fn config_naming_a_missing_canonical_module_is_an_error() {
    let config = "[tool.onesession]\ncanonical-module = \"app.db.sesion\"\n";
    for line in bad_config_errors(config) {
        assert!(
            line.contains("canonical-module = \"app.db.sesion\": no such module"),
            "{line}"
        );
    }
}

/// The writer compares the file on disk with what was read: a file
/// changed or deleted in between is refused, never overwritten or
/// recreated. (The CLI has no deterministic hook between its read and its
/// write, so this is tested at the writer the CLI calls.)
#[test]
fn file_changed_or_deleted_between_read_and_write_is_refused() {
    use onesession_review::write::{write_atomically, WriteError};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.py");
    std::fs::write(&path, "a = 1  # edited by someone else\n").unwrap();
    let error = write_atomically(&path, b"a = 1\n", "a = 2\n", false).unwrap_err();
    assert!(matches!(error, WriteError::Changed), "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "a = 1  # edited by someone else\n"
    );

    std::fs::remove_file(&path).unwrap();
    let error = write_atomically(&path, b"a = 1\n", "a = 2\n", false).unwrap_err();
    assert!(matches!(error, WriteError::Io(_)), "{error}");
    assert!(!path.exists(), "a deleted file is not recreated");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A write that fails (the file-size limit stands in for a full disk:
/// `write(2)` fails with EFBIG exactly like ENOSPC, even as root) is one
/// `error:` line, exit 2, the original intact and no temp file left.
#[test]
fn write_error_leaves_the_original_and_no_temp_file() {
    let padded = format!(
        "{}{FIXABLE}",
        "# padding so the fixed file exceeds one kilobyte\n".repeat(40)
    );
    let dir = project(&[("app/tasks/sync.py", padded.as_bytes())]);
    let before = snapshot(dir.path());
    let mut cmd = Command::new("bash");
    cmd.args(["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" fix"])
        .arg(bin())
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}{stderr}");
    let line = one_line(&stderr);
    assert!(
        line.starts_with("error: app/tasks/sync.py: cannot write: "),
        "{line}"
    );
    // The original kept, no temp file left.
    assert_same(&before, &snapshot(dir.path()));

    // A parent that is not a directory: the writer fails cleanly too.
    let file = dir.path().join("pyproject.toml");
    let error = onesession_review::write::write_atomically(
        &file.join("x.py"),
        b"a = 1\n",
        "a = 2\n",
        false,
    )
    .unwrap_err();
    assert!(error.to_string().starts_with("cannot write: "), "{error}");
}

/// SIGINT at any moment of `fix` leaves every file either as it was or
/// fully fixed (atomic rename), never half-written.
#[test]
fn sigint_during_fix_leaves_no_partial_file() {
    const FILES: usize = 400;
    let body = format!(
        "{FIXABLE}{}",
        "\n\nasync def other(session):\n    return await session.get(int, 1)\n".repeat(30)
    );
    let names: Vec<String> = (0..FILES).map(|i| format!("app/tasks/t{i}.py")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), body.as_bytes()))
        .collect();

    // The fully fixed text, and how long a whole run takes.
    let reference = project(&files[..1]);
    let started = Instant::now();
    let (code, stdout, stderr) = run(onesession(reference.path()).arg("fix"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let fixed = std::fs::read(reference.path().join(&names[0])).unwrap();
    assert_ne!(fixed, body.as_bytes());
    // Every file is byte-equal to the original or to this, which parses.
    assert!(parses(&reference.path().join(&names[0])));

    let whole = {
        let dir = project(&files);
        let started = Instant::now();
        let (code, _, stderr) = run(onesession(dir.path()).arg("fix"));
        assert_eq!(code, 0, "{stderr}");
        started.elapsed()
    };
    let _ = started;
    let mut interrupted = 0;
    // Files are written at the end, after every fix round: most delays
    // aim at that last stretch.
    let steps = [20u32, 50, 80, 85, 88, 90, 92, 94, 96, 98];
    let mut mixed = 0;
    for percent in steps {
        let dir = project(&files);
        let delay = whole * percent / 100;
        let mut child = Process::new(bin())
            .arg("fix")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = Process::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            interrupted += 1;
        }
        let mut original = 0;
        let mut done = 0;
        for name in &names {
            let bytes = std::fs::read(dir.path().join(name)).unwrap();
            if bytes == body.as_bytes() {
                original += 1;
            } else {
                assert_eq!(bytes, fixed, "{name} is neither original nor fixed");
                done += 1;
            }
        }
        if original > 0 && done > 0 {
            mixed += 1;
        }

        let leftovers: Vec<String> = snapshot(dir.path())
            .into_keys()
            .filter(|k| !k.ends_with(".py") && !k.ends_with(".toml"))
            .collect();
        eprintln!(
            "SIGINT after {delay:?}: {status}, {original} original, {done} fixed, temp files left: {leftovers:?}"
        );
        assert!(
            leftovers.len() <= 1,
            "at most the one temp file being written when killed: {leftovers:?}"
        );
    }
    eprintln!(
        "{interrupted} of {} runs interrupted, {mixed} mid-write (whole run {whole:?})",
        steps.len()
    );
}

#[test]
fn interactive_fix_without_a_terminal_is_refused() {
    let dir = project(&[("app/tasks/sync.py", FIXABLE.as_bytes())]);
    let before = snapshot(dir.path());
    // Standard input an empty pipe (not a terminal).
    let (code, stdout, stderr) = run(onesession(dir.path()).args(["fix", "-i"]).write_stdin(""));
    assert_eq!(code, 2, "{stdout}");
    assert!(
        one_line(&stderr).starts_with("error: `fix -i` needs a terminal"),
        "{stderr}"
    );
    // Standard input closed altogether.
    let mut cmd = Command::new("bash");
    cmd.args(["-c", "exec \"$0\" fix -i <&-"])
        .arg(bin())
        .current_dir(dir.path())
        .timeout(TIMEOUT);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        one_line(&stderr).starts_with("error: `fix -i` needs a terminal"),
        "{stderr}"
    );
    assert_same(&before, &snapshot(dir.path()));
}
