//! Inputs that once crashed or hung onesession (found by the fuzz target,
//! by `crates/onesession/tests/bad_input.rs`, or in real code), kept in
//! `testdata/regressions/`: each goes through check → fix → verify inside
//! the fixture base project, as `fuzz/fuzz_targets/check_fix.rs` does, and
//! must not panic, and every fixed text must parse. Any file type is fed
//! as raw bytes (fuzz crash files have no extension).

use std::path::{Path, PathBuf};

use onesession_engine::fix::{fix_project, FixOptions};
use onesession_engine::project::{decode_source, STACK_SIZE};
use onesession_engine::python::parse_module;
use onesession_engine::{run, Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;

mod common;
use common::{copy_tree, testdata};

fn check_fix_verify(root: &Path, data: Vec<u8>) -> Result<(), String> {
    let Ok(source) = decode_source(data) else {
        return Ok(());
    };
    let settings = Settings::discover(root, root).map_err(|e| e.to_string())?;
    let inputs = Inputs {
        paths: Vec::new(),
        stdin: Some((root.join("app/fuzz.py"), source.text.to_string())),
        known: None,
    };
    let Ok(mut project) = Project::load(settings, &inputs) else {
        return Ok(());
    };
    let rules = RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap();
    run::check(&project, &rules);
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let report = fix_project(&mut project, &rules, options).map_err(|e| e.to_string())?;
    for (_, _, fixed) in &report.changes {
        parse_module(fixed).map_err(|e| format!("fixed text does not parse ({e}):\n{fixed}"))?;
    }
    run::check(&project, &rules);
    Ok(())
}

#[test]
fn every_regression_input_checks_and_fixes_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_tree(&testdata().join("_base"), &root);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(testdata().join("regressions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let data = std::fs::read(&case).unwrap();
        let root = root.clone();
        // As the CLI does: parse and walk on a thread with the large stack.
        let result = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || check_fix_verify(&root, data))
            .unwrap()
            .join();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(message)) => panic!("{}: {message}", case.display()),
            Err(_) => panic!("{}: panicked", case.display()),
        }
    }
}
