//! check → fix → verify on arbitrary bytes (and, from the seed corpus,
//! mutations of the fixture files): no panic, no hang, and every fixed
//! text the engine produces parses and is stable under a second check.
//!
//! The input is one module, `app/fuzz.py`, inside the fixture base project
//! (`testdata/_base`, copied once to a temp dir), fed through the engine's
//! stdin path so nothing is written.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use onesession_engine::fix::{fix_project, FixOptions};
use onesession_engine::project::{decode_source, STACK_SIZE};
use onesession_engine::python::parse_module;
use onesession_engine::{run, Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;

fn base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("onesession-fuzz-{}", std::process::id()));
        let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/_base");
        copy_tree(&from, &dir);
        dir.canonicalize().unwrap()
    })
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn one(data: &[u8]) {
    // Undecodable input must be a clean error, never a panic.
    let Ok(source) = decode_source(data.to_vec()) else {
        return;
    };
    let root = base().clone();
    let path = root.join("app/fuzz.py");
    let settings = Settings::discover(&root, &root).unwrap();
    let inputs = Inputs {
        paths: Vec::new(),
        stdin: Some((path, source.text.to_string())),
    };
    let Ok(mut project) = Project::load(settings, &inputs) else {
        return;
    };
    let rules = RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap();
    let _ = run::check(&project, &rules);
    let options = FixOptions { unsafe_fixes: true };
    let Ok(report) = fix_project(&mut project, &rules, options) else {
        return;
    };
    for (_, _, fixed) in &report.changes {
        if let Err(error) = parse_module(fixed) {
            panic!("fix produced text that does not parse ({error}):\n{fixed}");
        }
    }
    // The fixed project checks without panicking.
    let _ = run::check(&project, &rules);
}

fuzz_target!(|data: &[u8]| {
    // Parsing and walking recurse per nesting level: run on a thread with
    // the engine's large stack, as the CLI does.
    let data = data.to_vec();
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || one(&data))
        .unwrap()
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
});
