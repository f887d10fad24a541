//! Command-line arguments. Each flag is defined once, with its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  onesession check                       lint the project in this directory
  onesession check app/ --format json    findings as JSON, for tools
  onesession fix                         apply every safe fix
  onesession fix --diff | git apply      review the patch first (nothing written)
  onesession fix -i                      approve each change in the terminal
  onesession fix --branch db-sessions    commit the fixes on a new branch
  onesession explain DB104               what a rule finds and how to fix it
  onesession rules                       every rule
  onesession init                        detect the session module, write onesession.toml

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or I/O error.";

#[derive(Debug, Parser)]
#[command(
    name = "onesession",
    version,
    about = "Enforce one sanctioned way of obtaining a database session in FastAPI/SQLAlchemy backends",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report session-discipline violations (the CI gate).
    Check(CheckArgs),
    /// Apply fixes (safe ones by default), or print them as a patch.
    Fix(FixArgs),
    /// Inventory of every database-touching file: category, status,
    /// priority, and progress since a git ref.
    Audit(AuditArgs),
    /// Record today's findings so `check --baseline` reports only new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a rule's documentation (also `onesession rule`).
    #[command(alias = "rule")]
    Explain {
        /// Rule id (DB104) or name (db-params).
        rule: String,
    },
    /// List every rule.
    Rules {
        /// Output format (also `--output-format`).
        #[arg(long, alias = "output-format", value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Infer the project model (canonical module, providers, redundant
    /// modules, layers) and write it to onesession.toml.
    Init {
        /// Project directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Overwrite an existing onesession.toml.
        #[arg(long)]
        force: bool,
        /// The canonical session module (dotted name), when the evidence
        /// does not decide or decides wrong.
        #[arg(long, value_name = "MODULE")]
        canonical: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `path:line:col: RULE message` with a code frame.
    Text,
    /// A JSON array, one object per finding.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML, one test case per finding.
    Junit,
}

/// Which files and rules: shared by every command that checks.
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// Files or directories to check (default: the current directory);
    /// `-` reads the file named by --stdin-filename from standard input.
    pub paths: Vec<PathBuf>,
    /// Only these rules (ids, prefixes like DB1, or names); replaces the
    /// configured selection.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Add these rules to the selection (e.g. rules off by default).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Skip these rules.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// More globs to exclude (relative to the project root).
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Apply the excludes to files named on the command line too (as
    /// pre-commit passes them); also `force-exclude = true` in the config.
    #[arg(long)]
    pub force_exclude: bool,
    /// Use this configuration file instead of searching for one.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The path of the file read from standard input (with `-`).
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Output format (also `--output-format`).
    #[arg(long, alias = "output-format", value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Apply the safe fixes, as `onesession fix` does (ruff's habit).
    #[arg(long, conflicts_with_all = ["statistics", "baseline", "show_settings"])]
    pub fix: bool,
    /// With --fix or --diff: also apply fixes that may change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff, as `onesession fix --diff` does.
    #[arg(long, conflicts_with_all = ["fix", "statistics", "baseline", "show_settings"])]
    pub diff: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print counts per rule instead of each finding.
    #[arg(long)]
    pub statistics: bool,
    /// Print only the findings (no summary, no notices).
    #[arg(long, short)]
    pub quiet: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: baseline entries that match nothing fail the check.
    #[arg(long, requires = "baseline")]
    pub strict_baseline: bool,
    /// Neither read nor write the cache (.onesession_cache in the project
    /// root, or ONESESSION_CACHE_DIR).
    #[arg(long)]
    pub no_cache: bool,
    /// Print the project model and settings that would be used (the
    /// canonical module and its providers, redundant modules, layers,
    /// source roots, rules), then exit.
    #[arg(long)]
    pub show_settings: bool,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write the current findings as a baseline.
    Write {
        #[command(flatten)]
        selection: Selection,
        /// Where to write it (default: onesession-baseline.json in the
        /// project root).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Also apply fixes that may change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff (for `git apply`) instead of writing; exit 1
    /// when there is something to change.
    #[arg(long)]
    pub diff: bool,
    /// List the fixes applied, per rule.
    #[arg(long)]
    pub show_fixes: bool,
    /// Approve each change: y/n/a/A/s/e/q/? (needs a terminal).
    #[arg(long, short, conflicts_with = "diff")]
    pub interactive: bool,
    /// Apply on a new git branch NAME, one commit per transform, then
    /// return to the current branch.
    #[arg(long, value_name = "NAME", conflicts_with = "diff")]
    pub branch: Option<String>,
    /// With --branch: proceed with uncommitted changes (files with changes
    /// are never touched).
    #[arg(long, requires = "branch")]
    pub allow_dirty: bool,
    /// With --branch: replace an existing branch of that name.
    #[arg(long, requires = "branch")]
    pub force: bool,
    /// With --branch: stay on the new branch afterwards.
    #[arg(long, requires = "branch")]
    pub stay: bool,
    /// With --branch: commit without running the repository's commit
    /// hooks (they run by default).
    #[arg(long, requires = "branch")]
    pub no_verify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Tables a person can paste into a document.
    Markdown,
    /// For tools.
    Json,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Output format (also `--output-format`).
    #[arg(long, alias = "output-format", value_enum, default_value_t = AuditFormat::Markdown)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare with a git ref: what was fixed since, and what is new.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
}
