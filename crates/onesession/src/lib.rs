//! The onesession command line. `main` only builds the [`Console`] and
//! calls [`run`], so tests drive the whole CLI in process.

mod args;
mod commands;
mod output;
mod progress;
mod prompter;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// What the terminal allows, decided once in `main`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console {
    /// Standard output is a terminal: colour by default.
    pub color: bool,
    /// Standard input and standard error are both terminals.
    pub interactive: bool,
}

/// Exit codes: documented in `--help`.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Runs the CLI. Errors become one `error:` line and exit code 2.
pub fn run<I, T>(
    args: I,
    console: &Console,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdin: &mut dyn Read,
) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let rendered = if console.color && error.use_stderr() {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let out: &mut dyn Write = if error.use_stderr() { stderr } else { stdout };
            let _ = out.write_all(rendered.as_bytes());
            return ExitCode::from(code);
        }
    };
    let color = match cli.color {
        args::ColorChoice::Always => true,
        args::ColorChoice::Never => false,
        args::ColorChoice::Auto => console.color && std::env::var_os("NO_COLOR").is_none(),
    };
    let result = commands::dispatch(cli.command, console, color, stdout, stderr, stdin);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::from(EXIT_CLEAN);
            }
            let _ = writeln!(stderr, "error: {}", one_line(&error));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `context: cause` on one line; a cause the message above it already
/// ends with (an error that prints its source) is said once.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if line.ends_with(&cause) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&cause);
    }
    line.replace('\n', " ")
}
