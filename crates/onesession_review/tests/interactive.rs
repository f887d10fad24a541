//! The review loop driven by scripted answers: every key, quitting in the
//! middle, the editor path, and a file changed during review.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use onesession_engine::{Inputs, Project, RuleSet, Settings};
use onesession_review::interactive::{
    review, Answer, Interrupted, Prompter, ReviewOptions, ReviewSummary,
};

use onesession_transforms::TRANSFORMS;
use pretty_assertions::assert_eq;

/// Every change offered, as `fix -i --unsafe-fixes` does, without colour.
const OPTIONS: ReviewOptions = ReviewOptions {
    color: false,
    unsafe_fixes: true,
};

const FACTORY: &str = "\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})
async_session_factory = async_sessionmaker(engine)
legacy_factory = async_session_factory


async def get_session():
    async with async_session_factory() as session:
        yield session
";

/// Two unused factory imports in `a.py`, one in `b.py`: three changes.
const A: &str = "\
from app.db.session import async_session_factory
x = 1
from app.db.session import legacy_factory
y = 2
";
const B: &str = "from app.db.session import async_session_factory\n";

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("app/db")).unwrap();
        std::fs::write(root.join("onesession.toml"), "canonical-module = \"app.db.session\"\nfactories = [\"async_session_factory\", \"legacy_factory\"]\n").unwrap();
        std::fs::write(root.join("app/db/session.py"), FACTORY).unwrap();
        std::fs::write(root.join("app/a.py"), A).unwrap();
        std::fs::write(root.join("app/b.py"), B).unwrap();
        Self { _dir: dir, root }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(name)).unwrap()
    }

    fn run(&self, prompter: &mut Scripted) -> (ReviewSummary, String) {
        let settings = Settings::discover(&self.root, &self.root).unwrap();
        let mut project = Project::load(
            settings,
            &Inputs {
                paths: vec![self.root.clone()],
                stdin: None,
                known: None,
            },
        )
        .unwrap();
        let rules = RuleSet::new(TRANSFORMS, None, &[], &[]).unwrap();
        let mut out = Vec::new();
        let names: Vec<String> = project.files.iter().map(|f| f.relative.clone()).collect();
        let display = move |id: onesession_engine::text::FileId| names[id.0 as usize].clone();
        let summary = review(&mut project, &rules, prompter, &mut out, OPTIONS, &display).unwrap();
        (summary, String::from_utf8(out).unwrap())
    }
}

/// Answers from a script; `None` = end of input. Optionally runs a hook
/// at the n-th question (to change a file during review).
struct Scripted {
    answers: VecDeque<Option<Answer>>,
    edits: VecDeque<Option<String>>,
    asked: usize,
    hook: Option<(usize, Box<dyn FnMut()>)>,
}

impl Scripted {
    fn new(answers: &[Answer]) -> Self {
        Self {
            answers: answers.iter().map(|a| Some(*a)).collect(),
            edits: VecDeque::new(),
            asked: 0,
            hook: None,
        }
    }
}

impl Prompter for Scripted {
    fn ask(&mut self, _question: &str) -> Result<Answer, Interrupted> {
        self.asked += 1;
        if let Some((at, hook)) = &mut self.hook {
            if *at == self.asked {
                hook();
            }
        }
        self.answers.pop_front().flatten().ok_or(Interrupted)
    }

    fn edit(&mut self, _path: &str, proposed: &str) -> Result<Option<String>, Interrupted> {
        Ok(self
            .edits
            .pop_front()
            .unwrap_or_else(|| Some(proposed.to_owned())))
    }
}

fn without(text: &str, lines: &[&str]) -> String {
    text.lines()
        .filter(|l| !lines.contains(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

const L1: &str = "from app.db.session import async_session_factory";
const L2: &str = "from app.db.session import legacy_factory";

#[test]
fn yes_and_no() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::Yes, Answer::No, Answer::Yes]);
    let (summary, out) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), without(A, &[L1]));
    assert_eq!(fixture.read("app/b.py"), "");
    assert_eq!((summary.applied, summary.skipped, summary.left), (2, 1, 0));
    assert!(
        out.contains("DB111 unused-session-import  app/a.py:1"),
        "{out}"
    );
    assert!(out.contains("wrote app/a.py"), "{out}");
    assert_eq!(prompter.asked, 3);
}

#[test]
fn rest_of_file_applies_without_asking_again() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::RestOfFile, Answer::No]);
    let (summary, _) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), without(A, &[L1, L2]));
    assert_eq!(fixture.read("app/b.py"), B);
    assert_eq!(prompter.asked, 2, "one question for a.py, one for b.py");
    assert_eq!(summary.applied, 2);
}

#[test]
fn all_of_rule_applies_everywhere() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::AllOfRule]);
    let (summary, _) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), without(A, &[L1, L2]));
    assert_eq!(fixture.read("app/b.py"), "");
    assert_eq!((prompter.asked, summary.applied), (1, 3));
}

#[test]
fn skip_file_moves_to_the_next_file() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::SkipFile, Answer::Yes]);
    let (summary, _) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), A);
    assert_eq!(fixture.read("app/b.py"), "");
    assert_eq!((summary.applied, summary.skipped), (1, 2));
}

#[test]
fn quit_writes_what_was_accepted_and_nothing_else() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::Yes, Answer::Quit]);
    let (summary, _) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), without(A, &[L1]));
    assert_eq!(fixture.read("app/b.py"), B);
    assert!(summary.quit);
    assert_eq!((summary.applied, summary.left), (1, 2));
}

#[test]
fn end_of_input_is_a_quit() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::Yes]);
    let (summary, _) = fixture.run(&mut prompter);
    assert!(summary.quit);
    assert_eq!(fixture.read("app/a.py"), without(A, &[L1]));
    assert_eq!(fixture.read("app/b.py"), B);
}

#[test]
fn help_explains_and_asks_again() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::Help, Answer::Quit]);
    let (_, out) = fixture.run(&mut prompter);
    assert!(
        out.contains("A - apply this change and every remaining change of the same rule"),
        "{out}"
    );
    assert_eq!(prompter.asked, 2);
    assert_eq!(fixture.read("app/a.py"), A);
}

#[test]
fn edit_accepts_what_parses_and_rejects_what_does_not() {
    let fixture = Fixture::new();
    let mut prompter = Scripted::new(&[Answer::Edit, Answer::Edit, Answer::Quit]);
    prompter.edits.push_back(Some("def broken(:\n".into()));
    prompter
        .edits
        .push_back(Some("# rewritten by hand\n".into()));
    let (summary, out) = fixture.run(&mut prompter);
    assert!(
        out.contains("not accepted: your edit does not parse"),
        "{out}"
    );
    assert_eq!(fixture.read("app/a.py"), "# rewritten by hand\n");
    assert_eq!(fixture.read("app/b.py"), B);
    assert_eq!(summary.applied, 1);
}

#[test]
fn a_file_changed_during_review_is_not_overwritten() {
    let fixture = Fixture::new();
    let path: PathBuf = fixture.root.join("app/a.py");
    let mut prompter = Scripted::new(&[Answer::Yes, Answer::No, Answer::No]);
    let changed = Path::new(&path).to_owned();
    prompter.hook = Some((
        1,
        Box::new(move || std::fs::write(&changed, "# changed elsewhere\n").unwrap()),
    ));
    let (summary, out) = fixture.run(&mut prompter);
    assert_eq!(fixture.read("app/a.py"), "# changed elsewhere\n");
    assert!(
        out.contains("not written: app/a.py: changed on disk since it was read"),
        "{out}"
    );
    assert_eq!(summary.applied, 0);
    assert_eq!(summary.problems.len(), 1);
}

/// A tree of `count` modules `app/mNN.py`, each importing the factory
/// unused (one DB111 each), opened lazily as `fix -i` opens it.
fn lazy_tree(extra: &[(&str, &str)], config: &str, count: usize) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("app/db")).unwrap();
    std::fs::write(root.join("onesession.toml"), config).unwrap();
    std::fs::write(root.join("app/db/session.py"), FACTORY).unwrap();
    for i in 0..count {
        std::fs::write(root.join(format!("app/m{i:02}.py")), B).unwrap();
    }
    for (name, text) in extra {
        std::fs::create_dir_all(root.join(name).parent().unwrap()).unwrap();
        std::fs::write(root.join(name), text).unwrap();
    }
    let settings = Settings::discover(&root, &root).unwrap();
    let inputs = Inputs {
        paths: vec![root.clone()],
        stdin: None,
        known: None,
    };
    let project = Project::open(settings, &inputs).unwrap();
    (dir, project)
}

fn review_lazily(project: &mut Project, prompter: &mut Scripted) -> (ReviewSummary, String) {
    let rules = RuleSet::new(TRANSFORMS, None, &[], &[]).unwrap();
    let names: Vec<String> = project.files.iter().map(|f| f.relative.clone()).collect();
    let display = move |id: onesession_engine::text::FileId| names[id.0 as usize].clone();
    let mut out = Vec::new();
    let summary = review(project, &rules, prompter, &mut out, OPTIONS, &display).unwrap();
    (summary, String::from_utf8(out).unwrap())
}

#[test]
fn the_first_question_comes_before_the_tree_is_checked() {
    let config = "canonical-module = \"app.db.session\"\n";
    let (_dir, mut project) = lazy_tree(&[], config, 40);
    let mut prompter = Scripted::new(&[Answer::Quit]);
    let (summary, out) = review_lazily(&mut project, &mut prompter);
    assert!(out.contains("app/m00.py:1"), "{out}");
    assert_eq!(prompter.asked, 1);
    assert!(summary.quit);
    // Only the first batch was checked (and parsed); the rest was not.
    assert!(summary.unchecked_files > 0, "{summary:?}");
    let last = project
        .files
        .iter()
        .find(|f| f.relative == "app/m39.py")
        .unwrap();
    assert!(last.analysis_if_parsed().is_none());
    assert_eq!(
        summary.left + summary.unchecked_files,
        project.files.len() - 1,
        "every file but session.py holds one change: {summary:?}"
    );
}

#[test]
fn a_cross_file_change_is_offered_whole_though_its_files_come_later() {
    // The deprecated module sorts first; its importers come after the
    // first batch. The change must carry every importer.
    let config = "\
canonical-module = \"app.db.session\"
[deprecated.\"app.db.aaa_direct\"]
replacement = \"app.db.session\"
names = { get_direct = \"get_session\" }
";
    let direct = "\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

direct_engine = create_async_engine('postgresql+asyncpg://a@b/c')
direct_factory = async_sessionmaker(direct_engine)


async def get_direct():
    async with direct_factory() as session:
        yield session
";
    let importer = "\
from app.db.aaa_direct import get_direct


async def run():
    async with get_direct() as session:
        await session.execute('select 1')
";
    let (dir, mut project) = lazy_tree(
        &[
            ("app/db/aaa_direct.py", direct),
            ("app/z1.py", importer),
            ("app/z2.py", importer),
        ],
        config,
        20,
    );
    // The deprecation first (yes); DB109 says nothing with no pooler
    // declared.
    let mut prompter = Scripted::new(&[Answer::Yes, Answer::Quit]);
    let (summary, out) = review_lazily(&mut project, &mut prompter);
    assert!(out.contains("DB103"), "{out}");
    let root = dir.path().canonicalize().unwrap();
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    assert!(
        read("app/db/aaa_direct.py").contains("DeprecationWarning"),
        "{out}"
    );
    for name in ["app/z1.py", "app/z2.py"] {
        assert!(
            read(name).contains("from app.db.session import get_session"),
            "{name}: {}\n{out}",
            read(name)
        );
    }
    assert!(summary.applied >= 1, "{summary:?}");
}

const CONTEXT_MANAGER: &str = "\
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine('postgresql+asyncpg://a@b/c', connect_args={'statement_cache_size': 0})
async_session_factory = async_sessionmaker(engine)


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
";

/// Findings resolved by one edit come in one prompt, each with its rule
/// id; declining it does not bring the same edit back under the next one.
#[test]
fn one_edit_is_one_question_whatever_it_resolves() {
    let user = "\
from app.db.session import async_session_factory


async def run():
    async with async_session_factory() as session:
        await session.execute('select 1')
";
    let config = "canonical-module = \"app.db.session\"\ncontext-manager = \"get_session\"\n";
    let (_dir, mut project) = lazy_tree(
        &[
            ("app/db/session.py", CONTEXT_MANAGER),
            ("app/user.py", user),
        ],
        config,
        0,
    );
    let mut prompter = Scripted::new(&[Answer::No]);
    let (summary, out) = review_lazily(&mut project, &mut prompter);
    assert_eq!(prompter.asked, 1, "{out}");
    assert!(out.contains("DB101 factory-import  app/user.py:1"), "{out}");
    assert!(
        out.contains("\n  DB102 "),
        "the second finding is named: {out}"
    );
    assert_eq!(summary.skipped, 1);
}

/// As `fix` does, `fix -i` offers unsafe changes only with
/// `--unsafe-fixes`, and says how many it did not offer; a manual note
/// says "(manual)" once.
#[test]
fn unsafe_changes_wait_for_the_flag() {
    let script = "\
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ['URL'])
";
    let config =
        "canonical-module = \"app.db.session\"\n[engine]\ndisable-statement-cache = true\n";
    let (_dir, mut project) = lazy_tree(&[("app/scripts/engine.py", script)], config, 0);
    let rules = RuleSet::new(TRANSFORMS, None, &[], &[]).unwrap();
    let names: Vec<String> = project.files.iter().map(|f| f.relative.clone()).collect();
    let display = move |id: onesession_engine::text::FileId| names[id.0 as usize].clone();
    let mut prompter = Scripted::new(&[]);
    let mut out = Vec::new();
    let options = ReviewOptions {
        color: false,
        unsafe_fixes: false,
    };
    review(
        &mut project,
        &rules,
        &mut prompter,
        &mut out,
        options,
        &display,
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(prompter.asked, 0, "{out}");
    assert!(
        out.contains("note: 1 finding with an unsafe fix not offered; `onesession fix -i --unsafe-fixes` offers them too"),
        "{out}"
    );
    // With the flag, the change is offered, next to the manual note.
    let (_dir, mut project) = lazy_tree(&[("app/scripts/engine.py", script)], config, 0);
    let mut prompter = Scripted::new(&[Answer::No]);
    let (_, out) = review_lazily(&mut project, &mut prompter);
    assert_eq!(prompter.asked, 1, "{out}");
    let note = out
        .lines()
        .find(|l| l.contains("note: app/scripts/engine.py:5 DB103"))
        .unwrap_or_else(|| panic!("the script's manual note: {out}"));
    assert!(
        note.ends_with("(manual)") && !note.ends_with("(manual) (manual)"),
        "{note}"
    );
}

/// A change declined once is not asked again when another accepted change
/// rewrites part of what it reports: here DB109 adds `connect_args` inside
/// the call DB103 reports, and the declined deprecation stays declined.
#[test]
fn a_declined_change_is_not_asked_again_after_another_touches_it() {
    let legacy = "\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

legacy_engine = create_async_engine(\"postgresql+asyncpg://app@db/app\")
legacy_factory = async_sessionmaker(legacy_engine)
";
    let config = "canonical-module = \"app.db.session\"\n\n[deprecated.\"app.db.legacy\"]\nnames = { legacy_engine = \"engine\" }\n\n[engine]\ndisable-statement-cache = true\n";
    let (_dir, mut project) = lazy_tree(&[("app/db/legacy.py", legacy)], config, 0);
    // DB109 (asked first: same line), yes; DB103, no; nothing else.
    let mut prompter = Scripted::new(&[Answer::Yes, Answer::No, Answer::Yes]);
    let (summary, out) = review_lazily(&mut project, &mut prompter);
    assert_eq!(prompter.asked, 2, "{out}");
    assert_eq!(summary.skipped, 1, "{out}");
    assert_eq!(out.matches("DB103 redundant-factory").count(), 1, "{out}");
}
