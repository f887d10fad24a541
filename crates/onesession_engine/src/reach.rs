//! Which files can reach a database at all, from their text alone.
//!
//! Every rule needs a name that resolves to SQLAlchemy, a driver, the
//! configured `db_params` names and their providers, or a project module
//! that reaches one of those (the canonical module's names resolve only
//! through an import of it): the name heuristics (a parameter called
//! `session`) only apply in files that import such a module. So a file that holds none
//! of the [`strong words`](strong_words) and imports no module that reaches
//! a database cannot have a finding, however often it says "session": it
//! need not be parsed. The import graph is read from `import`/`from` lines
//! (over-reading is harmless: it only admits more).

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::names::{ENGINE_BUILDERS, SESSIONMAKERS};
use crate::project::{Project, ProjectFile, Words};
use crate::settings::Settings;

/// Words that put a file in reach of a database on their own (from index
/// `.1` on, the `db_params` names and their providers). Last comes
/// `import`, so one pass over a file finds both its words and its import
/// lines. The canonical module's names (`get_session`, the factories) are
/// not among them: a rule resolves them only through an import of the
/// canonical module, which puts the file in reach anyway, and trees are
/// full of unrelated `get_session`s (boto, moto).
fn strong_words(settings: &Settings) -> (Words, usize, usize) {
    let mut words = crate::settings::strings(&[
        "sqlalchemy",
        "sqlmodel",
        "asyncpg",
        "psycopg",
        "aiopg",
        // A suppression comment can be unused (DB003).
        "onesession",
    ]);
    let db_params = words.len();
    words.extend(settings.db_params.iter().cloned());
    words.extend(settings.db_params_providers.iter().cloned());
    words.retain(|w| !w.is_empty());
    let import = words.len();
    words.push("import".to_owned());
    (Words::new(&words), db_params, import)
}

/// What one read of a file says about its reach, kept instead of its text
/// (made while the file is read to be hashed, so a cold run reads each
/// file once).
#[derive(Debug)]
pub(crate) struct Scan {
    /// Holds one of the [`strong words`](strong_words) that reach a
    /// database on their own.
    strong: bool,
    /// Says `sqlalchemy` or `sqlmodel`: may build an engine or a session
    /// factory.
    pub(crate) sqlalchemy: bool,
    /// An Alembic environment or revision ([`crate::model::is_migration_text`]).
    pub(crate) alembic: bool,
    /// Says `yield` and `session`: may define a session provider built on
    /// another module's factory.
    pub(crate) yields_session: bool,
    /// Says `yield`, or names an engine builder or a sessionmaker: may
    /// provide sessions (every provider the summary knows yields or
    /// builds), so the model must read its summary.
    pub(crate) may_provide: bool,
    /// Names a `db_params` parameter or one of its providers.
    pub(crate) says_db_params: bool,
    /// Project names its `import`/`from` lines name (`from a.b import c`
    /// gives `a.b.c`; the modules above it are the reader's to find, as
    /// [`imported`] and `affected` do).
    imports: Vec<String>,
}

impl Scan {
    /// The project modules its import lines name.
    pub(crate) fn imported(&self) -> impl Iterator<Item = &str> {
        self.imports.iter().map(String::as_str)
    }
}

/// Scans files for their reach; made once per project.
#[derive(Debug)]
pub(crate) struct Scanner {
    /// The strong words and `import`.
    words: Words,
    /// Where the `db_params` names and their providers start in `words`.
    db_params: usize,
    /// Where `import` is in `words`.
    import: usize,
    /// First components of the project's modules: imports of anything
    /// else (the standard library, third-party packages) cannot be in
    /// reach and are not kept.
    roots: FxHashSet<String>,
}

impl Scanner {
    pub(crate) fn new<'a>(settings: &Settings, modules: impl Iterator<Item = &'a str>) -> Self {
        let (words, db_params, import) = strong_words(settings);
        Self {
            words,
            db_params,
            import,
            roots: modules
                .map(|m| m.split('.').next().unwrap_or(m).to_owned())
                .collect(),
        }
    }

    /// `name` (dotted) is in one of the project's modules.
    pub(crate) fn is_project_name(&self, name: &str) -> bool {
        self.roots.contains(name.split('.').next().unwrap_or(name))
    }

    pub(crate) fn scan(&self, text: &str, module: Option<&str>, is_package: bool) -> Scan {
        let (mut strong, mut says_db_params) = (false, false);
        let mut import_hits = Vec::new();
        for (word, start) in self.words.find_iter(text) {
            if word == self.import {
                import_hits.push(start);
            } else {
                strong = true;
                says_db_params |= word >= self.db_params;
            }
        }
        let imports = imports_of(text, import_hits, module, is_package, &|name| {
            self.is_project_name(name)
        });
        let says = |word: &str| memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some();
        // `sqlalchemy` and `sqlmodel` are strong words.
        let sqlalchemy = strong && (says("sqlalchemy") || says("sqlmodel"));
        let has_yield = says("yield");
        Scan {
            strong,
            sqlalchemy,
            alembic: says("alembic") && crate::model::is_migration_text(text),
            yields_session: has_yield && (says("session") || says("Session")),
            says_db_params,
            // A builder is called by its own name, however it is imported
            // (`sa.create_engine`, `from ... import sessionmaker as sm`).
            may_provide: has_yield
                || sqlalchemy
                    && ENGINE_BUILDERS
                        .iter()
                        .chain(SESSIONMAKERS)
                        .any(|q| says(q.rsplit('.').next().unwrap_or(q))),
            imports,
        }
    }
}

/// The project modules that files import, from their scans: the modules
/// whose summaries the index may look up.
pub(crate) fn imported<'a>(scans: impl Iterator<Item = &'a Scan>) -> ModuleSet {
    let mut imported = ModuleSet::default();
    for name in scans.flat_map(|scan| &scan.imports) {
        imported.insert(name);
    }
    imported
}

/// The files that cannot reach a database (see the module doc), among
/// those the prefilter admitted, from each file's [`Scan`].
pub fn unreachable(project: &Project) -> Vec<&ProjectFile> {
    let reach: Vec<Option<&Scan>> = project
        .files
        .par_iter()
        .map(|file| {
            // What is on disk does not decide for an editor's unsaved
            // buffer: always in reach.
            if file.from_stdin {
                return None;
            }
            file.scan()
        })
        .collect();

    // Modules in reach: the strong ones, the configured ones, and (to a
    // fixed point) every module that imports one of them.
    let mut in_reach = ModuleSet::default();
    for module in project.canon.module.iter().chain(&project.canon.deprecated) {
        in_reach.insert(module);
    }
    let mut reached: Vec<bool> = reach
        .iter()
        .map(|r| r.as_ref().is_none_or(|r| r.strong))
        .collect();
    for (file, reached) in project.files.iter().zip(&reached) {
        if let (true, Some(module)) = (*reached, file.module.as_deref()) {
            in_reach.insert(module);
        }
    }
    // Each round asks every file not reached yet, in parallel, then adds
    // the ones that import a module in reach (as many rounds as the
    // longest import chain to a database: two on mixed).
    loop {
        let found: Vec<usize> = (0..reach.len())
            .into_par_iter()
            .filter(|&i| {
                !reached[i]
                    && reach[i].is_some_and(|r| r.imports.iter().any(|t| in_reach.touches(t)))
            })
            .collect();
        if found.is_empty() {
            break;
        }
        for i in found {
            reached[i] = true;
            if let Some(module) = project.files[i].module.as_deref() {
                in_reach.insert(module);
            }
        }
    }
    project
        .files
        .iter()
        .zip(reached)
        .filter(|(_, reached)| !reached)
        .map(|(file, _)| file)
        .collect()
}

/// Dotted module names, and every package above one. Fx-hashed: the keys
/// are the project's own module names, and reach hashes a name per import
/// of every file (SipHash was 5 % of a run on mixed).
#[derive(Debug, Default)]
pub(crate) struct ModuleSet {
    modules: FxHashSet<String>,
    packages: FxHashSet<String>,
}

impl ModuleSet {
    fn insert(&mut self, module: &str) {
        // Most names come again and again (every import of a module):
        // look before copying, and stop at a package already there (the
        // ones above it are there too).
        if self.modules.contains(module) {
            return;
        }
        self.modules.insert(module.to_owned());
        let mut prefix = module;
        while let Some((parent, _)) = prefix.rsplit_once('.') {
            if self.packages.contains(parent) {
                break;
            }
            self.packages.insert(parent.to_owned());
            prefix = parent;
        }
    }

    /// `name` itself was inserted (`from module import name` gives
    /// `module.name`, a star import `module.*`).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.modules.contains(name)
    }

    /// `target` is one of the modules, inside one, or a package holding
    /// one (`import app` then `app.db.session.get_session()`; a re-export
    /// is looked up in the module above a name).
    pub(crate) fn touches(&self, target: &str) -> bool {
        if self.packages.contains(target) {
            return true;
        }
        let mut prefix = target;
        loop {
            if self.modules.contains(prefix) {
                return true;
            }
            match prefix.rsplit_once('.') {
                Some((parent, _)) => prefix = parent,
                None => return false,
            }
        }
    }
}

/// The dotted names a file's `import`/`from` lines name that `keeps` keeps
/// (asked before anything is copied: most imports are of other packages),
/// relative imports resolved against `module`. Jumps from one `import`
/// (`import_hits`, ascending) to the next (most lines hold none) and reads
/// the line around it only as far as it must: an absolute `from` of
/// another package is dropped on its first word.
fn imports_of(
    text: &str,
    import_hits: impl IntoIterator<Item = usize>,
    module: Option<&str>,
    is_package: bool,
    keeps: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let bytes = text.as_bytes();
    let line_end =
        |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
    let mut out = Vec::new();
    // Where the lines already read end: a hit inside them is not a new line.
    let mut read_up_to = 0;
    for hit in import_hits {
        if hit < read_up_to {
            continue;
        }
        let start = memchr::memrchr(b'\n', &bytes[..hit]).map_or(0, |i| i + 1);
        let end = line_end(hit);
        read_up_to = end + 1;
        let line = text[start..end].trim_end_matches('\r').trim_start();
        if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split(',') {
                if let Some(name) = part.split_whitespace().next() {
                    let name = name.trim_end_matches(['\\', ';']);
                    if keeps(name) {
                        out.push(name.to_owned());
                    }
                }
            }
        } else if let Some(rest) = line.strip_prefix("from ") {
            let from_word = rest.trim_start();
            let from_word = &from_word[..from_word
                .find(|c: char| c.is_whitespace() || c == '(')
                .unwrap_or(from_word.len())];
            if !from_word.starts_with('.') && !keeps(from_word) {
                continue;
            }
            let Some((from, names)) = rest.split_once(" import") else {
                continue;
            };
            let from = from.trim();
            let Some(base) = resolve(from, module, is_package).filter(|base| keeps(base)) else {
                continue;
            };
            let mut names = names.to_owned();
            // `from x import (\n a,\n b)` and backslash continuations.
            while (names.contains('(') && !names.contains(')')) || names.trim_end().ends_with('\\')
            {
                if read_up_to > bytes.len() {
                    break;
                }
                let next_end = line_end(read_up_to);
                names.push_str(&text[read_up_to..next_end]);
                read_up_to = next_end + 1;
            }
            // `from pkg import name` reaches what `pkg.name` is, or `pkg`
            // itself (a name its `__init__` defines): not every module
            // `pkg` holds, which `pkg` alone would say. Only a star
            // import names `pkg` alone.
            let before = out.len();
            for name in names.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if !name.is_empty() && name != "as" {
                    out.push(format!("{base}.{name}"));
                }
            }
            if out.len() == before {
                // A star import: also said as such, for the verification
                // of a name the module stops binding (`Project::imports_name`).
                if names.contains('*') {
                    out.push(format!("{base}.*"));
                }
                out.push(base);
            }
        }
    }
    out
}

/// `from ..x import` seen from `module`: the absolute module name.
fn resolve(from: &str, module: Option<&str>, is_package: bool) -> Option<String> {
    let dots = from.len() - from.trim_start_matches('.').len();
    let rest = &from[dots..];
    if dots == 0 {
        return Some(rest.to_owned());
    }
    let module = module?;
    let mut package: Vec<&str> = module.split('.').collect();
    if !is_package {
        package.pop();
    }
    for _ in 1..dots {
        package.pop()?;
    }
    if !rest.is_empty() {
        package.push(rest);
    }
    Some(package.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `imports_of` with every `import` in `text` as a hit.
    fn imports_in(
        text: &str,
        module: Option<&str>,
        is_package: bool,
        keeps: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let hits = memchr::memmem::find_iter(text.as_bytes(), "import");
        imports_of(text, hits, module, is_package, keeps)
    }

    fn default_settings() -> Settings {
        Settings::resolve(
            std::path::PathBuf::from("/nonexistent"),
            None,
            crate::config::RawConfig::default(),
        )
        .expect("the default settings resolve")
    }

    #[test]
    fn one_scan_finds_the_words_and_the_imports() {
        let scanner = Scanner::new(
            &default_settings(),
            ["app.db.session", "app.routers"].into_iter(),
        );
        let scan = scanner.scan(
            "import os\nfrom app.db.session import get_session\nimport sqlalchemy\n",
            Some("app.routers"),
            false,
        );
        assert!(scan.strong && scan.sqlalchemy);
        assert_eq!(scan.imports, ["app.db.session.get_session"]);
        let plain = scanner.scan("from .x import y\n", Some("app.routers.z"), false);
        assert!(!plain.strong && !plain.sqlalchemy);
        assert_eq!(plain.imports, ["app.routers.x.y"]);
    }

    /// Only a file that yields or names a builder can provide sessions:
    /// the model reads no other file's summary.
    #[test]
    fn a_file_may_provide_sessions_only_when_it_yields_or_builds() {
        let scanner = Scanner::new(&default_settings(), ["app"].into_iter());
        for (text, may_provide) in [
            (
                "import sqlalchemy as sa
engine = sa.create_engine(URL)
",
                true,
            ),
            (
                "from sqlalchemy.orm import sessionmaker as sm
S = sm()
",
                true,
            ),
            (
                "from sqlalchemy.ext.asyncio import async_scoped_session
",
                true,
            ),
            (
                "def get_db():
    with Session() as s:
        yield s
",
                true,
            ),
            (
                "from sqlalchemy import select
async def list_(session):
    return await session.scalars(select(X))
",
                false,
            ),
        ] {
            let scan = scanner.scan(text, Some("app.x"), false);
            assert_eq!(scan.may_provide, may_provide, "{text}");
        }
    }

    #[test]
    fn reads_imports_of_every_shape() {
        let text = "\
import os, app.db.session as s
from app.deps import get_db, other as o
from . import sibling
from ..core import (
    engine,
    helpers,
)
def f():
    from app.x import y
";
        let all = |_: &str| true;
        let imports = imports_in(text, Some("app.routers.items"), false, &all);
        let crlf = imports_in(
            "x = 1  # import os\r\nimport importlib, a.b\r\n",
            None,
            false,
            &all,
        );
        assert_eq!(crlf, ["importlib", "a.b"]);
        for name in [
            "os",
            "app.db.session",
            "app.deps.get_db",
            "app.deps.other",
            "app.routers.sibling",
            "app.core.engine",
            "app.core.helpers",
            "app.x.y",
        ] {
            assert!(imports.contains(&name.to_owned()), "{name}: {imports:?}");
        }
        assert!(!imports.contains(&"app.deps.as".to_owned()));
        // The package alone would reach every module it holds.
        assert!(!imports.contains(&"app.deps".to_owned()));
        assert!(!imports.contains(&"app.routers".to_owned()));
        // A star import reaches the package, and says it is a star import.
        assert_eq!(
            imports_in("from app.db import *\n", None, false, &all),
            ["app.db.*", "app.db"]
        );
        let app_only = |name: &str| name.starts_with("app");
        assert_eq!(
            imports_in(text, Some("app.routers.items"), false, &app_only).len(),
            imports.len() - 1,
            "`os` is not kept"
        );
    }

    #[test]
    fn relative_imports_resolve_from_packages_and_modules() {
        assert_eq!(
            resolve(".session", Some("app.db"), true).as_deref(),
            Some("app.db.session")
        );
        assert_eq!(
            resolve(".session", Some("app.db.x"), false).as_deref(),
            Some("app.db.session")
        );
        assert_eq!(
            resolve("..", Some("app.db.x"), false).as_deref(),
            Some("app")
        );
        assert_eq!(resolve("...", Some("app"), false), None);
    }

    #[test]
    fn modules_imported_above_or_inside_an_imported_name_may_be_looked_up() {
        let scan = Scan {
            strong: false,
            sqlalchemy: false,
            alembic: false,
            yields_session: false,
            may_provide: false,
            says_db_params: false,
            imports: vec!["app.db.session.get_session".into(), "lib".into()],
        };
        let imported = imported([&scan].into_iter());
        for module in [
            "app.db.session.get_session",
            "app.db.session",
            "app",
            "lib.x.y",
        ] {
            assert!(imported.touches(module), "{module}");
        }
        for module in ["app.routers", "app.db.other", "libx"] {
            assert!(!imported.touches(module), "{module}");
        }
    }

    #[test]
    fn a_package_above_a_module_in_reach_touches_it() {
        let mut in_reach = ModuleSet::default();
        in_reach.insert("app.db.session");
        assert!(in_reach.touches("app.db.session"));
        assert!(in_reach.touches("app.db.session.get_session"));
        assert!(in_reach.touches("app"));
        assert!(!in_reach.touches("app.dbx"));
        assert!(!in_reach.touches("other"));
    }
}
