//! Property tests (issue 7, item 2): generated backends built from the
//! fixture patterns (the `testdata/_base` project plus modules mixing the
//! DB101/DB102/DB105/DB111/DB112 patterns) with random names, nesting,
//! comments and formatting. For each:
//!
//! - `fix` is idempotent (a second run over the written files changes nothing);
//! - `check` after `fix` has no finding with a safe fix;
//! - the diff touches only lines inside the first round's safe-fix edit ranges;
//! - comments outside those ranges are kept byte for byte, in order.
//!
//! `PROPTEST_CASES=500 cargo test -p onesession_transforms --test properties`
//! runs more cases; `PROPERTIES_DEBUG=1` prints what each case exercised.
#![allow(clippy::print_stderr)] // the debug statistics

use std::collections::BTreeSet;
use std::path::Path;

use onesession_engine::fix::{fix_project, FixOptions};
use onesession_engine::text::Applicability;
use onesession_engine::{run, Inputs, Project, RuleSet, Settings};
use onesession_transforms::TRANSFORMS;
use proptest::prelude::*;

mod common;
use common::{copy_tree, testdata};

/// One piece of a generated module body.
#[derive(Debug, Clone)]
enum Item {
    /// `async with <factory>() as <var>:` in an async function (DB102).
    FactorySession { func: String, var: String },
    /// A router endpoint with `Depends(get_session)` (DB105).
    Endpoint { func: String, var: String },
    /// A deprecated provider called (DB112 import).
    Legacy { func: String },
    /// Unrelated code.
    Plain { func: String, value: u32 },
    /// A comment line.
    Comment,
}

#[derive(Debug, Clone)]
struct Module {
    factory_alias: Option<String>,
    parenthesized: bool,
    /// Import the factory only (DB111 when unused).
    items: Vec<(Item, u8, u8)>, // item, nesting (0-2), blank lines after (0-3)
    indent: usize,
    comments: Vec<String>,
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}".prop_map(|s| format!("x_{s}"))
}

fn comment() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9,.:!()=_-]{0,24}".prop_map(|s| format!("# {s}"))
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (ident(), ident()).prop_map(|(func, var)| Item::FactorySession { func, var }),
        (ident(), ident()).prop_map(|(func, var)| Item::Endpoint { func, var }),
        ident().prop_map(|func| Item::Legacy { func }),
        (ident(), 0u32..1000).prop_map(|(func, value)| Item::Plain { func, value }),
        Just(Item::Comment),
    ]
}

fn module() -> impl Strategy<Value = Module> {
    (
        proptest::option::of(ident()),
        any::<bool>(),
        proptest::collection::vec((item(), 0u8..3, 0u8..4), 1..6),
        prop_oneof![Just(2usize), Just(4)],
        proptest::collection::vec(comment(), 8),
    )
        .prop_map(
            |(factory_alias, parenthesized, items, indent, comments)| Module {
                factory_alias,
                parenthesized,
                items,
                indent,
                comments,
            },
        )
}

impl Module {
    fn render(&self, index: usize) -> String {
        let c = |i: usize| &self.comments[i % self.comments.len()];
        let pad = |depth: usize| " ".repeat(depth * self.indent);
        let factory = self
            .factory_alias
            .clone()
            .unwrap_or_else(|| "async_session_factory".into());
        let mut out = format!("{}\n", c(0));
        out.push_str("from fastapi import APIRouter, Depends\n");
        let alias = self
            .factory_alias
            .as_ref()
            .map(|a| format!("async_session_factory as {a}"))
            .unwrap_or_else(|| "async_session_factory".into());
        if self.parenthesized {
            out.push_str(&format!(
                "from app.db.session import (  {}\n    {alias},  {}\n    get_session,\n)\n",
                c(1),
                c(2)
            ));
        } else {
            out.push_str(&format!(
                "from app.db.session import {alias}, get_session  {}\n",
                c(1)
            ));
        }
        out.push_str("from app.db.legacy_session import get_legacy_session\n\n");
        out.push_str(&format!("router = APIRouter()  {}\n\n", c(3)));
        for (n, (item, nesting, blanks)) in self.items.iter().enumerate() {
            let mut depth = 0;
            for level in 0..*nesting {
                if level == 0 {
                    out.push_str(&format!("if True:  {}\n", c(n + 4)));
                } else {
                    out.push_str(&format!("{}class K{index}_{n}:\n", pad(depth)));
                }
                depth += 1;
            }
            let p = pad(depth);
            let q = pad(depth + 1);
            let r = pad(depth + 2);
            let func = |f: &String| format!("{f}_{index}_{n}");
            match item {
                Item::FactorySession { func: f, var } => out.push_str(&format!(
                    "{p}async def {}():\n{q}{}\n{q}async with {factory}() as {var}:  {}\n{r}await {var}.execute(\"select 1\")\n",
                    func(f),
                    c(n + 5),
                    c(n + 6)
                )),
                Item::Endpoint { func: f, var } if depth == 0 => out.push_str(&format!(
                    "@router.get(\"/{}\")\nasync def {}({var}=Depends(get_session)):  {}\n    return await {var}.scalar(\"select 1\")\n",
                    func(f),
                    func(f),
                    c(n + 5)
                )),
                Item::Endpoint { func: f, .. } => out.push_str(&format!(
                    "{p}def {}():\n{q}return {n}  {}\n",
                    func(f),
                    c(n + 7)
                )),
                Item::Plain { func: f, value } => out.push_str(&format!(
                    "{p}def {}():\n{q}return {value}  {}\n",
                    func(f),
                    c(n + 7)
                )),
                Item::Legacy { func: f } => out.push_str(&format!(
                    "{p}async def {}():\n{q}{}\n{q}return await get_legacy_session()\n",
                    func(f),
                    c(n + 3)
                )),
                Item::Comment => out.push_str(&format!("{p}{}\n{p}pass\n", c(n + 2))),
            }
            out.push_str(&"\n".repeat(*blanks as usize));
        }
        out
    }
}

fn load(root: &Path) -> Project {
    let settings = Settings::discover(root, root).unwrap();
    Project::load(
        settings,
        &Inputs {
            paths: vec![root.to_owned()],
            stdin: None,
            known: None,
        },
    )
    .unwrap()
}

fn rules() -> RuleSet<'static> {
    RuleSet::new(TRANSFORMS, Some(&["ALL".to_owned()]), &[], &[]).unwrap()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count()
}

fn check_backend(modules: &[Module]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_tree(&testdata().join("_base"), &root);
    std::fs::create_dir_all(root.join("app/gen")).unwrap();
    std::fs::write(root.join("app/gen/__init__.py"), "").unwrap();
    for (i, module) in modules.iter().enumerate() {
        std::fs::write(root.join(format!("app/gen/m{i}.py")), module.render(i)).unwrap();
    }
    let rules = rules();

    // The lines each file's safe fixes may touch (first round).
    let mut project = load(&root);
    let findings = run::check(&project, &rules);
    let mut allowed: BTreeSet<(u32, usize)> = BTreeSet::new();
    for finding in &findings {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability != Applicability::Safe {
            continue;
        }
        for (file, edit) in &fix.edits {
            let text = project.file(*file).text();
            let first = line_of(text, edit.range.start);
            let last = line_of(text, edit.range.end);
            for line in first.saturating_sub(1)..=last {
                allowed.insert((file.0, line));
            }
        }
    }

    let options = FixOptions {
        unsafe_fixes: false,
        ..FixOptions::default()
    };
    let report = fix_project(&mut project, &rules, options).unwrap();
    if std::env::var_os("PROPERTIES_DEBUG").is_some() {
        eprintln!(
            "{} findings, {} safe-fix lines, {} files changed",
            findings.len(),
            allowed.len(),
            report.changes.len()
        );
    }
    for (file, original, fixed) in &report.changes {
        let relative = project.file(*file).relative.clone();
        prop_assert!(
            onesession_engine::python::parse_module(fixed).is_ok(),
            "{relative} does not parse after fix:\n{fixed}"
        );
        let diff = similar::TextDiff::from_lines(original.as_str(), fixed.as_str());
        for op in diff.ops() {
            let old = op.old_range();
            let touched: Vec<usize> = match op.tag() {
                similar::DiffTag::Equal => continue,
                similar::DiffTag::Insert => vec![old.start],
                _ => old.collect(),
            };
            for line in touched {
                prop_assert!(
                    allowed.contains(&(file.0, line)),
                    "{relative}: line {} changed outside the fix edits:\n{original}\n---\n{fixed}",
                    line + 1
                );
            }
        }
        // Comments outside the edited lines, byte for byte and in order.
        let kept: Vec<&str> = original
            .lines()
            .enumerate()
            .filter(|(i, l)| l.contains('#') && !allowed.contains(&(file.0, *i)))
            .map(|(_, l)| l)
            .collect();
        let mut fixed_lines = fixed.lines();
        for line in kept {
            prop_assert!(
                fixed_lines.any(|f| f == line),
                "{relative}: comment line lost or reordered: {line:?}\n{fixed}"
            );
        }
        std::fs::write(project.file(*file).path.clone(), fixed).unwrap();
    }

    // Idempotent, and nothing safe is left.
    let mut again = load(&root);
    let leftover: Vec<String> = run::check(&again, &rules)
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == Applicability::Safe)
        })
        .map(|f| {
            format!(
                "{} {} {}",
                f.rule.id,
                again.file(f.file).relative,
                f.message
            )
        })
        .collect();
    prop_assert!(leftover.is_empty(), "safe findings after fix: {leftover:?}");
    let second = fix_project(&mut again, &rules, options).unwrap();
    prop_assert!(
        second.changes.is_empty(),
        "second fix changed {:?}",
        second
            .changes
            .iter()
            .map(|(f, a, b)| format!("{}:\n{a}\n---\n{b}", again.file(*f).relative))
            .collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        max_shrink_iters: 200,
        .. ProptestConfig::default()
    })]

    #[test]
    fn fix_is_local_idempotent_and_complete(modules in proptest::collection::vec(module(), 1..4)) {
        check_backend(&modules)?;
    }
}
