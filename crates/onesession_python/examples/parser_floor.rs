//! What rustpython-parser alone costs on a tree: the floor under any
//! `onesession check` that reads every byte (`lex`), that parses every
//! file whole (`parse`, as onesession did before it skipped bodies), or
//! that skips bodies as `check` does (`kept`). The benchmark (`bench/run`)
//! times it beside `check` and ruff, so the ratio a change around the
//! parser could reach is measured in the same run, not guessed.
//!
//!     cargo run --release -p onesession_python --example parser_floor -- lex|parse|kept DIR
//!
//! Files are the `*.py` under DIR that `ignore`'s walker yields (the
//! walk `check` does), read and handled in parallel with rayon. Prints
//! the number of files, bytes and tokens (or module-level statements);
//! `kept` also prints the share of the bytes outside skipped bodies.
//!
//! `kept` skips every body that does not say "session" (any case) and
//! names nothing the module imports or defines: a superset of what `check`
//! skips (its words include "session", and it also keeps bodies naming a
//! project package), so its share and its time are lower bounds of
//! `check`'s.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line measuring tool

use std::path::PathBuf;
use std::process::ExitCode;

use onesession_python::Relevance;
use rayon::prelude::*;
use rustpython_parser::lexer::lex;
use rustpython_parser::Mode;

// The allocator `onesession` runs with, so the floor is comparable.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, dir) = match args.as_slice() {
        [mode, dir] if ["lex", "parse", "kept"].contains(&mode.as_str()) => {
            (mode.as_str(), PathBuf::from(dir))
        }
        _ => {
            eprintln!("usage: parser_floor lex|parse|kept DIR");
            return ExitCode::from(2);
        }
    };
    let files: Vec<PathBuf> = ignore::WalkBuilder::new(&dir)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    // (bytes, tokens or statements, bytes skipped) per file; unreadable
    // or non-UTF-8 files count nothing, as `check` parses none of them.
    let counts: Vec<(usize, usize, usize)> = files
        .par_iter()
        .with_max_len(1)
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 0, 0);
            };
            let parsed = match mode {
                "lex" => {
                    let tokens = lex(&text, Mode::Module).take_while(Result::is_ok).count();
                    return (text.len(), tokens, 0);
                }
                "parse" => onesession_python::parse_module(&text),
                _ => onesession_python::parse_module_skipping(&text, &SaysSession),
            };
            parsed.map_or((text.len(), 0, 0), |parsed| {
                let skipped = parsed.skipped.iter().map(|r| r.end - r.start).sum();
                (text.len(), parsed.body.len(), skipped)
            })
        })
        .collect();
    let bytes: usize = counts.iter().map(|c| c.0).sum();
    let units: usize = counts.iter().map(|c| c.1).sum();
    let skipped: usize = counts.iter().map(|c| c.2).sum();
    let unit = if mode == "lex" {
        "tokens"
    } else {
        "statements"
    };
    print!("{} files, {bytes} bytes, {units} {unit}", files.len());
    if mode == "kept" {
        print!(
            ", kept share {:.3}",
            1.0 - skipped as f64 / bytes.max(1) as f64
        );
    }
    println!();
    ExitCode::SUCCESS
}

/// Keeps a body that says "session" (and, as `inert` always does, one
/// naming what the module imports or defines).
struct SaysSession;

impl Relevance for SaysSession {
    fn mentions(&self, text: &str) -> bool {
        text.to_ascii_lowercase().contains("session")
    }
    fn is_first_party(&self, _: &str) -> bool {
        false
    }
}
