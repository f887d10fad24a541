//! Batch apply on a git branch: create the branch, apply one transform at
//! a time with one commit each, and return the user to where they were.
//! Uses the `git` command line (present wherever the user has a repo, and
//! exactly the behaviour they know). On any failure the user is back on
//! their branch with their working tree as it was, and the half-made
//! branch is deleted (or restored, with `--force`).

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum BranchError {
    #[error(
        "not inside a git repository; run `git init` or use `onesession fix` without --branch"
    )]
    NotARepo,
    #[error("the working tree has uncommitted changes ({0}); commit or stash them, or pass --allow-dirty")]
    Dirty(String),
    #[error("branch `{0}` already exists; choose another name or pass --force to replace it")]
    Exists(String),
    #[error("git {command}: {message}")]
    Git { command: String, message: String },
    #[error(
        "the commit was refused (a commit hook failed; pass --no-verify to skip the hooks): {0}"
    )]
    HookFailed(String),
    #[error("{0} (back on `{1}`, working tree as it was; branch `{2}` {3})")]
    RolledBack(String, String, String, &'static str),
    #[error("{0}; then returning to `{1}` failed ({2}): you are on `{3}`, which holds the commits made so far; check `git status`, then `git checkout {1}`")]
    NotRolledBack(String, String, String, String),
}

/// Runs git in one directory.
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Result<String, BranchError> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| BranchError::Git {
                command: args.join(" "),
                message: e.to_string(),
            })?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout)
                .trim_end()
                .to_owned())
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Err(BranchError::Git {
                command: args.join(" "),
                message: stderr.lines().next().unwrap_or("failed").to_owned(),
            })
        }
    }

    /// `git commit`: a refusal by the repository's hooks is reported with
    /// what they printed.
    fn commit(&self, args: &[&str]) -> Result<(), BranchError> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| BranchError::Git {
                command: "commit".into(),
                message: e.to_string(),
            })?;
        if output.status.success() {
            return Ok(());
        }
        let mut said: Vec<String> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .chain(String::from_utf8_lossy(&output.stdout).lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        said.truncate(5);
        Err(BranchError::HookFailed(said.join(" | ")))
    }

    fn succeeds(&self, args: &[&str]) -> bool {
        self.run(args).is_ok()
    }
}

/// What one transform changed, for its commit.
#[derive(Debug, Default)]
pub struct Step {
    /// Absolute paths written.
    pub written: Vec<PathBuf>,
    /// `onesession: <transform> (<rule ids>)`.
    pub subject: String,
    /// Files and counts.
    pub body: String,
}

/// The state of the repository before the branch was made.
pub struct Start {
    pub git: Git,
    pub top: PathBuf,
    /// The branch (or commit, when detached) to return to.
    pub original: String,
    pub base: String,
    /// Paths with uncommitted changes or untracked (never touched).
    pub frozen: Vec<PathBuf>,
    /// The commit a replaced branch (`--force`) pointed at.
    pub previous_tip: Option<String>,
    name: String,
    no_verify: bool,
}

#[derive(Debug, Clone)]
pub struct BranchOptions {
    pub name: String,
    pub allow_dirty: bool,
    pub force: bool,
    pub stay: bool,
    /// Commit without running the repository's commit hooks.
    pub no_verify: bool,
}

/// The repository, checked and ready for the branch, which is not made
/// yet (nothing to fix makes none).
pub struct Ready {
    git: Git,
    top: PathBuf,
    original: String,
    base: String,
    /// Paths with uncommitted changes or untracked (never touched).
    pub frozen: Vec<PathBuf>,
    previous_tip: Option<String>,
    options: BranchOptions,
}

impl Ready {
    /// Creates the branch and switches to it.
    pub fn create(self) -> Result<Start, BranchError> {
        let flag = if self.options.force { "-B" } else { "-b" };
        self.git
            .run(&["checkout", "-q", flag, &self.options.name])?;
        Ok(Start {
            git: self.git,
            top: self.top,
            original: self.original,
            base: self.base,
            frozen: self.frozen,
            previous_tip: self.previous_tip,
            name: self.options.name.clone(),
            no_verify: self.options.no_verify,
        })
    }
}

/// Checks the repository and the branch name (nothing is changed).
pub fn prepare(dir: &Path, options: &BranchOptions) -> Result<Ready, BranchError> {
    let git = Git::new(dir);
    let top = git
        .run(&["rev-parse", "--show-toplevel"])
        .map_err(|_| BranchError::NotARepo)?;
    let top = PathBuf::from(top);
    let git = Git::new(&top);
    git.run(&["rev-parse", "--verify", "--quiet", "HEAD"])
        .map_err(|_| BranchError::Git {
            command: "rev-parse HEAD".into(),
            message: "the repository has no commit yet; commit first".into(),
        })?;
    let status = git.run(&["status", "--porcelain=v1", "--untracked-files=all"])?;
    let mut frozen = Vec::new();
    let mut changed = Vec::new();
    for line in status.lines() {
        let (code, path) = line.split_at(3.min(line.len()));
        let path = path.rsplit(" -> ").next().unwrap_or(path).trim_matches('"');
        frozen.push(top.join(path));
        if !code.starts_with("??") {
            changed.push(path.to_owned());
        }
    }
    if !changed.is_empty() && !options.allow_dirty {
        let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
        let more = if changed.len() > 3 {
            format!(" and {} more", changed.len() - 3)
        } else {
            String::new()
        };
        return Err(BranchError::Dirty(format!("{}{more}", shown.join(", "))));
    }
    let reference = format!("refs/heads/{}", options.name);
    let previous_tip = git
        .run(&["rev-parse", "--verify", "--quiet", &reference])
        .ok();
    if previous_tip.is_some() && !options.force {
        return Err(BranchError::Exists(options.name.clone()));
    }
    // `@` is HEAD to git: a branch of that name makes every `X..@` the
    // review suggests name HEAD instead.
    if options.name == "@" || !git.succeeds(&["check-ref-format", "--branch", &options.name]) {
        return Err(BranchError::Git {
            command: format!("check-ref-format {}", options.name),
            message: "not a valid branch name".into(),
        });
    }
    let original = git
        .run(&["symbolic-ref", "--quiet", "--short", "HEAD"])
        .or_else(|_| git.run(&["rev-parse", "HEAD"]))?;
    if original == options.name {
        return Err(BranchError::Git {
            command: format!("checkout -B {}", options.name),
            message: "it is the current branch; choose another name".into(),
        });
    }
    let base = git.run(&["rev-parse", "HEAD"])?;
    Ok(Ready {
        git,
        top,
        original,
        base,
        frozen,
        previous_tip,
        options: options.clone(),
    })
}

/// Checks the repository and creates the branch.
pub fn start(dir: &Path, options: &BranchOptions) -> Result<Start, BranchError> {
    prepare(dir, options)?.create()
}

impl Start {
    /// Commits one transform's files (nothing when it changed nothing).
    pub fn commit(&self, step: &Step) -> Result<Option<String>, BranchError> {
        if step.written.is_empty() {
            return Ok(None);
        }
        let mut add = vec!["add".to_owned(), "--".to_owned()];
        add.extend(
            step.written
                .iter()
                .map(|p| p.to_string_lossy().into_owned()),
        );
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        self.git.run(&add)?;
        let mut commit = vec!["commit", "-q", "-m", &step.subject, "-m", &step.body];
        if self.no_verify {
            commit.push("--no-verify");
        }
        // Only the step's files: what the user staged (`--allow-dirty`)
        // stays staged, out of the tool's commit.
        commit.push("--");
        commit.extend(add[2..].iter().copied());
        let identity = !self.git.succeeds(&["config", "user.email"]);
        if identity {
            commit.splice(
                0..0,
                [
                    "-c",
                    "user.name=onesession",
                    "-c",
                    "user.email=onesession@localhost",
                ],
            );
        }
        self.git.commit(&commit)?;
        Ok(Some(self.git.run(&["rev-parse", "--short", "HEAD"])?))
    }

    /// Back to the original branch (unless `stay`).
    pub fn finish(&self, stay: bool) -> Result<(), BranchError> {
        if !stay {
            self.git.run(&["checkout", "-q", &self.original])?;
        }
        Ok(())
    }

    /// Nothing was committed: back to the original branch, and the branch
    /// deleted (or restored), as if it had never been made.
    pub fn abandon(&self) -> Result<(), BranchError> {
        self.git.run(&["checkout", "-q", &self.original])?;
        match &self.previous_tip {
            Some(tip) => self.git.run(&["branch", "-f", &self.name, tip])?,
            None => self.git.run(&["branch", "-D", &self.name])?,
        };
        Ok(())
    }

    /// Undoes everything: restores `written` files of an unfinished step,
    /// returns to the original branch, and deletes (or restores) the branch.
    pub fn roll_back(&self, written: &[PathBuf], reason: String) -> BranchError {
        if !written.is_empty() {
            // From HEAD, not the index: a commit a hook refused leaves the
            // step's files staged.
            let mut args = vec![
                "checkout".to_owned(),
                "-q".to_owned(),
                "HEAD".to_owned(),
                "--".to_owned(),
            ];
            args.extend(written.iter().map(|p| p.to_string_lossy().into_owned()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let _ = self.git.run(&args);
        }
        if let Err(error) = self.git.run(&["checkout", "-q", &self.original]) {
            // Still on the branch: it is neither deleted nor restored, and
            // saying so is all that is left.
            return BranchError::NotRolledBack(
                reason,
                self.original.clone(),
                error.to_string(),
                self.name.clone(),
            );
        }
        let fate = match &self.previous_tip {
            Some(tip) => {
                let _ = self.git.run(&["branch", "-f", &self.name, tip]);
                "restored to its previous commit"
            }
            None => {
                let _ = self.git.run(&["branch", "-D", &self.name]);
                "deleted"
            }
        };
        BranchError::RolledBack(reason, self.original.clone(), self.name.clone(), fate)
    }
}
