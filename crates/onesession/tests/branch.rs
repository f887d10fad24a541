//! `fix --branch`: one commit per transform on a new branch, the user's
//! branch and working tree untouched, and every refusal. Also what a
//! repository changes for the other outputs: patch and SARIF paths start
//! at its root, wherever in it the tool runs (a monorepo's backend).

mod common;
use common::{copy_tree, repo};

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use pretty_assertions::assert_eq;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Process::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A git repository holding the example project, one commit on `main`.
fn example_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/example"), dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

fn onesession(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("onesession").unwrap();
    cmd.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
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

#[test]
fn commits_one_per_transform_and_returns_to_the_original_branch() {
    let dir = example_repo();
    let root = dir.path();
    let head = git(root, &["rev-parse", "HEAD"]);
    let (code, stdout, stderr) = run(onesession(root).args(["fix", "--branch", "db-sessions"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Created branch `db-sessions`"), "{stdout}");
    assert!(stdout.contains("You are back on `main`"), "{stdout}");
    assert!(stdout.contains("git diff "), "{stdout}");

    // Back on main, nothing changed there.
    assert_eq!(
        git(root, &["symbolic-ref", "--short", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["status", "--porcelain"]), "");

    // One commit per transform, each naming its rules, with its files.
    let log = git(root, &["log", "--format=%s", "main..db-sessions"]);
    let subjects: Vec<&str> = log.lines().rev().collect();
    assert!(!subjects.is_empty());
    let mut transforms: Vec<&str> = subjects
        .iter()
        .map(|s| {
            s.strip_prefix("onesession: ")
                .unwrap()
                .split(" (")
                .next()
                .unwrap()
        })
        .collect();
    let count = transforms.len();
    transforms.dedup();
    assert_eq!(
        transforms.len(),
        count,
        "one commit per transform: {subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with("onesession: replace-factory-imports (DB1")),
        "{subjects:?}"
    );
    for (i, subject) in subjects.iter().enumerate() {
        let commit = format!("db-sessions~{}", subjects.len() - 1 - i);
        let files = git(root, &["show", "--name-only", "--format=", &commit]);
        let body = git(root, &["show", "-s", "--format=%b", &commit]);
        for file in files.lines().filter(|l| !l.is_empty()) {
            assert!(body.contains(file), "{subject}: body lists {file}: {body}");
        }
    }
    // The branch holds exactly what `fix` produces.
    let fixed = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/example"), fixed.path());
    run(onesession(fixed.path()).arg("fix"));
    let changed = git(root, &["diff", "--name-only", "main", "db-sessions"]);
    assert!(!changed.is_empty());
    for file in changed.lines() {
        let on_branch = git(root, &["show", &format!("db-sessions:{file}")]);
        let by_fix = std::fs::read_to_string(fixed.path().join(file)).unwrap();
        assert_eq!(on_branch, by_fix, "{file}");
    }
}

#[test]
fn refusals_are_one_line_with_exit_2() {
    // Outside a repository.
    let plain = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/example"), plain.path());
    let (code, _, stderr) = run(onesession(plain.path()).args(["fix", "--branch", "x"]));
    assert_eq!((code, stderr.lines().count()), (2, 1), "{stderr}");
    assert!(stderr.contains("not inside a git repository"), "{stderr}");

    // A dirty working tree.
    let dir = example_repo();
    let root = dir.path();
    std::fs::write(root.join("app/config.py"), "# local edit\n").unwrap();
    let (code, _, stderr) = run(onesession(root).args(["fix", "--branch", "x"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("uncommitted changes (app/config.py)"),
        "{stderr}"
    );
    assert_eq!(git(root, &["branch", "--list", "x"]), "");

    // An existing branch.
    git(root, &["checkout", "-q", "--", "app/config.py"]);
    git(root, &["branch", "taken"]);
    let (code, _, stderr) = run(onesession(root).args(["fix", "--branch", "taken"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("branch `taken` already exists"), "{stderr}");
    assert_eq!(
        git(root, &["rev-parse", "taken"]),
        git(root, &["rev-parse", "main"])
    );

    // --force replaces it, and says where it pointed.
    let old_tip = git(root, &["rev-parse", "taken"]);
    let (code, stdout, stderr) =
        run(onesession(root).args(["fix", "--branch", "taken", "--force"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "branch `taken` replaced (--force); it pointed at {}",
            old_tip.trim()
        )),
        "{stderr}"
    );
    assert_ne!(
        git(root, &["rev-parse", "taken"]),
        git(root, &["rev-parse", "main"])
    );
}

#[test]
fn allow_dirty_never_touches_changed_files() {
    let dir = example_repo();
    let root = dir.path();
    // A local change in a file that has fixes.
    let dirty = root.join("app/tasks/cleanup.py");
    let mut text = std::fs::read_to_string(&dirty).unwrap();
    text.push_str("# work in progress\n");
    std::fs::write(&dirty, &text).unwrap();
    let (code, stdout, stderr) =
        run(onesession(root).args(["fix", "--branch", "fixes", "--allow-dirty"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("note: 1 file with local changes left alone, with any fix that spans them: app/tasks/cleanup.py"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&dirty).unwrap(),
        text,
        "the local change survives"
    );
    assert_eq!(
        git(root, &["status", "--porcelain"]).trim(),
        "M app/tasks/cleanup.py"
    );
    let changed = git(root, &["diff", "--name-only", "main", "fixes"]);
    assert!(!changed.contains("app/tasks/cleanup.py"), "{changed}");
    assert!(!changed.is_empty());
}

/// Staged work (a new file, an edit of an existing one) stays staged on
/// the user's branch: the tool's commits take only its own files.
#[test]
fn allow_dirty_keeps_staged_work_out_of_the_commits() {
    let dir = example_repo();
    let root = dir.path();
    std::fs::write(root.join("newstaged.py"), "y = 2\n").unwrap();
    let config = root.join("app/config.py");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("# staged edit\n");
    std::fs::write(&config, &text).unwrap();
    git(root, &["add", "newstaged.py", "app/config.py"]);
    let (code, stdout, stderr) =
        run(onesession(root).args(["fix", "--branch", "fixes", "--allow-dirty"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "M  app/config.py\nA  newstaged.py\n"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    let changed = git(root, &["diff", "--name-only", "main", "fixes"]);
    assert!(
        !changed.contains("newstaged.py") && !changed.contains("app/config.py"),
        "{changed}"
    );
    assert!(!changed.is_empty());
}

#[test]
fn stay_leaves_the_user_on_the_new_branch() {
    let dir = example_repo();
    let root = dir.path();
    let (code, _, stderr) = run(onesession(root).args(["fix", "--branch", "here", "--stay"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        git(root, &["symbolic-ref", "--short", "HEAD"]).trim(),
        "here"
    );
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

#[test]
fn interactive_needs_a_terminal() {
    let dir = example_repo();
    let (code, _, stderr) = run(onesession(dir.path()).args(["fix", "-i"]));
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: `fix -i` needs a terminal on stdin and stderr; use `onesession fix --diff` to review a patch, or `onesession fix` to apply the safe fixes"
    );
}

#[test]
fn nothing_to_fix_makes_no_branch() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "import os\n").unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    let (code, stdout, _) = run(onesession(dir.path()).args(["fix", "--branch", "db-sessions"]));
    assert_eq!(code, 0);
    assert_eq!(stdout, "Nothing to fix; no branch created.\n");
    assert_eq!(git(dir.path(), &["branch", "--list", "db-sessions"]), "");
    assert_eq!(
        git(dir.path(), &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main\n"
    );
}

/// A pre-commit hook that refuses every commit.
fn refusing_hook(dir: &Path) {
    let hook = dir.join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho 'lint failed: fix me' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn commit_hooks_run_and_a_refusal_restores_the_tree() {
    let dir = example_repo();
    refusing_hook(dir.path());
    let worktree = |dir: &Path| {
        let mut files = common::snapshot(dir);
        files.retain(|path, _| !path.starts_with(".git/"));
        files
    };
    let before = worktree(dir.path());
    let (code, _, stderr) = run(onesession(dir.path()).args(["fix", "--branch", "db-sessions"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("a commit hook failed; pass --no-verify to skip the hooks")
            && stderr.contains("lint failed: fix me"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(worktree(dir.path()), before, "the tree is restored");
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
    assert_eq!(git(dir.path(), &["branch", "--list", "db-sessions"]), "");
    assert_eq!(
        git(dir.path(), &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main\n"
    );
}

#[test]
fn no_verify_skips_the_commit_hooks() {
    let dir = example_repo();
    refusing_hook(dir.path());
    let (code, stdout, stderr) =
        run(onesession(dir.path()).args(["fix", "--branch", "db-sessions", "--no-verify"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("Created branch `db-sessions`"),
        "{stdout}"
    );
}

/// A monorepo: the example under `backend/`, the repository above it.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo().join("testdata/example"),
        &dir.path().join("backend"),
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

#[test]
fn a_patch_made_in_a_subdirectory_applies_there() {
    let dir = monorepo();
    let app = dir.path().join("backend/app");
    let (code, patch, stderr) = run(onesession(&app).args(["fix", "--diff"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        patch.contains("+++ b/backend/app/tasks/carrier_sync.py"),
        "paths from the repository root: {patch}"
    );
    std::fs::write(dir.path().join("sessions.patch"), &patch).unwrap();
    git(&app, &["apply", "../../sessions.patch"]);
    let changed = git(dir.path(), &["diff", "--name-only"]);
    assert!(
        changed.contains("backend/app/tasks/carrier_sync.py"),
        "git apply from the subdirectory changed the files: {changed}"
    );
    let (code, patch, _) = run(onesession(&app).args(["fix", "--diff"]));
    assert_eq!((code, patch.as_str()), (0, ""), "nothing left to fix");
}

#[test]
fn sarif_paths_carry_the_repository_root_as_their_base() {
    let dir = monorepo();
    let backend = dir.path().join("backend");
    let (code, stdout, stderr) = run(onesession(&backend).args(["check", "--format", "sarif"]));
    assert_eq!(code, 1, "{stderr}");
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let run = &log["runs"][0];
    let root = dir.path().canonicalize().unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    assert!(
        location["uri"].as_str().unwrap().starts_with("backend/"),
        "{location}"
    );
}
