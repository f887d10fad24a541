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
    #[error("{0} (back on `{1}`, working tree as it was; branch `{2}` {3})")]
    RolledBack(String, String, String, &'static str),
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
    previous_tip: Option<String>,
    name: String,
}

#[derive(Debug, Clone)]
pub struct BranchOptions {
    pub name: String,
    pub allow_dirty: bool,
    pub force: bool,
    pub stay: bool,
}

/// Checks the repository and creates the branch.
pub fn start(dir: &Path, options: &BranchOptions) -> Result<Start, BranchError> {
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
    if !git.succeeds(&["check-ref-format", "--branch", &options.name]) {
        return Err(BranchError::Git {
            command: format!("check-ref-format {}", options.name),
            message: "not a valid branch name".into(),
        });
    }
    let original = git
        .run(&["symbolic-ref", "--quiet", "--short", "HEAD"])
        .or_else(|_| git.run(&["rev-parse", "HEAD"]))?;
    if original == options.name {
        return Err(BranchError::Exists(format!(
            "{} (it is the current branch)",
            options.name
        )));
    }
    let base = git.run(&["rev-parse", "HEAD"])?;
    let flag = if options.force { "-B" } else { "-b" };
    git.run(&["checkout", "-q", flag, &options.name])?;
    Ok(Start {
        git,
        top,
        original,
        base,
        frozen,
        previous_tip,
        name: options.name.clone(),
    })
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
        let mut commit = vec![
            "commit",
            "-q",
            "--no-verify",
            "-m",
            &step.subject,
            "-m",
            &step.body,
        ];
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
        self.git.run(&commit)?;
        Ok(Some(self.git.run(&["rev-parse", "--short", "HEAD"])?))
    }

    /// Back to the original branch (unless `stay`).
    pub fn finish(&self, stay: bool) -> Result<(), BranchError> {
        if !stay {
            self.git.run(&["checkout", "-q", &self.original])?;
        }
        Ok(())
    }

    /// Undoes everything: restores `written` files of an unfinished step,
    /// returns to the original branch, and deletes (or restores) the branch.
    pub fn roll_back(&self, written: &[PathBuf], reason: String) -> BranchError {
        if !written.is_empty() {
            let mut args = vec!["checkout".to_owned(), "-q".to_owned(), "--".to_owned()];
            args.extend(written.iter().map(|p| p.to_string_lossy().into_owned()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let _ = self.git.run(&args);
        }
        let _ = self.git.run(&["checkout", "-q", &self.original]);
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
