//! The project model: which module is the canonical session module, what
//! it really provides (each provider with its kind: async or sync context
//! manager, dependency, factory, engine, session manager), which modules
//! it builds on, and which other modules are redundant.
//!
//! The configuration decides what it says, and every name it says must
//! exist (a provider the module does not define is an error, never a fix).
//! What it leaves out is inferred from the code: candidate modules (those
//! that build an engine or a session factory, or define a session
//! provider; tests and migrations never compete) are ranked by what they
//! build and define and by how many modules import them. A clear winner
//! is canonical; on a real tie none is assumed and the candidates are
//! named.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{ConfigError, EngineError};
use crate::project::{Project, ProjectFile};
use crate::settings::Layer;
use crate::summary::{ModuleSummary, ProviderKind};
use onesession_python::ast;
use onesession_python::visit::{for_each_expr, for_each_expr_in};

/// How the canonical session module was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonicalOrigin {
    Configured,
    Detected,
    /// Several modules qualify equally: none is assumed.
    Ambiguous(Vec<String>),
    NotFound,
}

/// A name of the canonical module that hands out sessions (or what makes
/// them), and how it is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
}

/// A module that could be the canonical one, with what speaks for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub module: String,
    pub path: String,
    pub score: i64,
    pub evidence: Vec<String>,
}

/// The sanctioned names, qualified, and the modules that break the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canon {
    pub module: Option<String>,
    pub origin: CanonicalOrigin,
    /// The provider for code outside a request (qualified).
    pub context_manager: Option<String>,
    /// The FastAPI dependency for routers (qualified).
    pub dependency: Option<String>,
    /// Everything the canonical module provides, in source order.
    pub providers: Vec<Provider>,
    /// Raw session factories of the canonical module (names).
    pub factories: Vec<String>,
    /// Modules the canonical module builds its sessions from (an engine
    /// module, low-level builders): part of the sanctioned setup, not
    /// redundant.
    pub support: BTreeSet<String>,
    /// Modules the configuration declares deprecated.
    pub deprecated: BTreeSet<String>,
    /// The canonical session applies the tenant filter to every query
    /// (configured, or seen in its module: `with_loader_criteria` on a
    /// tenant column), so a hand-written one may go.
    pub applies_tenant_filter: bool,
    /// The ranked candidates, best first (without a configured module).
    pub candidates: Vec<Candidate>,
    /// The context manager or the dependency was picked, without
    /// configuration, among several of its kind (one may wrap a read
    /// replica): a fix that routes code to it is only unsafe.
    pub provider_guessed: bool,
}

impl Canon {
    pub fn empty() -> Self {
        Self {
            module: None,
            origin: CanonicalOrigin::NotFound,
            context_manager: None,
            dependency: None,
            providers: Vec::new(),
            factories: Vec::new(),
            support: BTreeSet::new(),
            deprecated: BTreeSet::new(),
            applies_tenant_filter: false,
            candidates: Vec::new(),
            provider_guessed: false,
        }
    }

    fn provider_named(&self, qualified: Option<&str>) -> Option<&Provider> {
        let name = qualified?
            .strip_prefix(self.module.as_deref()?)?
            .strip_prefix('.')?;
        self.providers.iter().find(|p| p.name == name)
    }

    /// The context manager's name and kind.
    pub fn context_manager_provider(&self) -> Option<&Provider> {
        self.provider_named(self.context_manager.as_deref())
    }

    /// The dependency's name and kind.
    pub fn dependency_provider(&self) -> Option<&Provider> {
        self.provider_named(self.dependency.as_deref())
    }

    /// The context manager as the canonical module names it (`get_session`,
    /// or `sessionmanager.session` for a method of a module-level instance).
    pub fn context_manager_name(&self) -> Option<&str> {
        let module = self.module.as_deref()?;
        self.context_manager
            .as_deref()?
            .strip_prefix(module)?
            .strip_prefix('.')
    }

    /// [`Canon::context_manager_name`] when it is a plain name a fix can
    /// import (not a method of an instance).
    pub fn importable_context_manager(&self) -> Option<&str> {
        self.context_manager_name().filter(|n| !n.contains('.'))
    }

    /// `Some(true)` when the context manager is async, `Some(false)` when
    /// it is sync.
    pub fn context_manager_is_async(&self) -> Option<bool> {
        self.context_manager_provider()
            .and_then(|p| p.kind.is_async())
    }
}

/// Test modules: `tests/`, `test_*.py`, `*_test.py`, `conftest.py`.
pub fn is_test_path(relative: &str) -> bool {
    let mut parts = relative.split('/');
    let file = parts.next_back().unwrap_or(relative);
    parts.any(|dir| matches!(dir, "tests" | "test" | "testing"))
        || file.starts_with("test_")
        || file.ends_with("_test.py")
        || file == "conftest.py"
}

/// An Alembic environment or revision, wherever it lives.
pub fn is_migration_text(text: &str) -> bool {
    text.contains("from alembic import context")
        || text.contains("from alembic import op")
        || (text.contains("import alembic") && text.contains("down_revision"))
}

impl Project {
    /// Why what a service writes on its caller's session may never be
    /// committed, if it may (`None`: the sanctioned providers commit it).
    /// A service is called from requests (the dependency's session) and
    /// from jobs (the context manager's): each provider the model knows
    /// must commit. `dependency-commits` says it for the dependency; else,
    /// and for the context manager, it is read from the provider's body
    /// (see [`Project::provider_commits`]). With neither provider known,
    /// nothing is known to commit.
    pub fn uncommitted_provider(&self) -> Option<String> {
        struct Uncommitted(Option<String>);
        self.memo(|| {
            let dependency = self.canon.dependency.as_deref();
            let said = self.settings.dependency_commits;
            let dependency_commits =
                said.or_else(|| dependency.and_then(|d| self.provider_commits(d)));
            let context_manager = self.canon.context_manager.as_deref();
            let context_manager_commits = context_manager.and_then(|c| self.provider_commits(c));
            Uncommitted(match (dependency_commits, context_manager_commits) {
                (Some(false), _) if said.is_some() => {
                    Some("the configuration says the dependency does not commit".to_owned())
                }
                (Some(false), _) => Some(format!(
                    "the dependency `{}` never commits",
                    dependency.unwrap_or_default()
                )),
                (_, Some(false)) => Some(format!(
                    "the context manager `{}` never commits (a job's writes would be lost)",
                    context_manager.unwrap_or_default()
                )),
                (None, None) => Some("no sanctioned provider is known to commit".to_owned()),
                _ => None,
            })
        })
        .0
        .clone()
    }

    /// Whether a provider (qualified) commits what its session wrote:
    /// `Some(false)` when it makes the session itself (calls one of the
    /// canonical factories or a session class, directly or in a function
    /// of its module it calls: `async with session_scope() as s: yield s`)
    /// and never calls `.commit()` or opens a `.begin()` block there;
    /// `Some(true)` when it does, or takes its session from elsewhere
    /// (`request.state.db`, set by a middleware that may commit); `None`
    /// when its module cannot be read.
    fn provider_commits(&self, qualified: &str) -> Option<bool> {
        let (module, name) = qualified.rsplit_once('.')?;
        self.with_whole_module(module, |parsed| {
            let body_of = |wanted: &str| {
                parsed.body.iter().find_map(|stmt| match stmt {
                    ast::Stmt::FunctionDef(def) if def.name.as_str() == wanted => Some(&def.body),
                    ast::Stmt::AsyncFunctionDef(def) if def.name.as_str() == wanted => {
                        Some(&def.body)
                    }
                    _ => None,
                })
            };
            let mut bodies = vec![body_of(name)?];
            let mut called = Vec::new();
            for_each_expr(bodies[0], |expr| {
                if let ast::Expr::Call(call) = expr {
                    if let ast::Expr::Name(callee) = call.func.as_ref() {
                        called.push(callee.id.as_str());
                    }
                }
            });
            bodies.extend(
                called
                    .into_iter()
                    .filter(|callee| *callee != name)
                    .filter_map(body_of),
            );
            let makes_session = |callee: &str| {
                self.canon.factories.iter().any(|f| f == callee)
                    || matches!(callee, "Session" | "AsyncSession")
            };
            let (mut makes, mut commits) = (false, false);
            for body in bodies {
                for_each_expr(body, |expr| {
                    let ast::Expr::Call(call) = expr else { return };
                    match call.func.as_ref() {
                        ast::Expr::Attribute(attr) => {
                            commits |= matches!(attr.attr.as_str(), "commit" | "begin");
                            makes |= makes_session(attr.attr.as_str());
                        }
                        ast::Expr::Name(callee) => makes |= makes_session(callee.id.as_str()),
                        _ => {}
                    }
                });
            }
            Some(commits || !makes)
        })?
    }

    /// Decides the canonical module (the notices say what was detected).
    pub fn index(&mut self) -> Result<(), EngineError> {
        self.notices.clear();
        self.canon = self.decide_canon()?;
        // Said once the model is in place (it names the redundant modules).
        if let Some(notice) = self.model_notice(&self.canon) {
            self.notices.push(notice);
        }
        Ok(())
    }

    /// A test module (never a candidate, never redundant).
    pub fn is_test_file(&self, file: &ProjectFile) -> bool {
        is_test_path(&file.relative)
    }

    /// An Alembic environment or revision: migrations build their own
    /// engine by design, and are not checked.
    pub fn is_migration(&self, file: &ProjectFile) -> bool {
        file.scan().is_some_and(|scan| scan.alembic)
    }

    /// Modules that may hold a session setup: they mention SQLAlchemy or
    /// SQLModel, and build an engine or a factory or define a provider.
    /// Summaries are made in parallel (keeping no syntax tree).
    fn session_modules(&self) -> Vec<&ProjectFile> {
        let files: Vec<&ProjectFile> = self
            .files
            .par_iter()
            .filter(|f| {
                f.module.is_some()
                    && !self.is_test_file(f)
                    && f.scan().is_some_and(|s| {
                        (s.sqlalchemy || s.yields_session) && s.may_provide && !s.alembic
                    })
            })
            .collect();
        let provides = |f: &&ProjectFile| {
            let summary = f.summary();
            summary.builds_engine_or_factory
                || summary
                    .providers
                    .iter()
                    .any(|(_, kind)| kind.is_context_manager() || kind.is_dependency())
        };
        let says_sqlalchemy = |f: &&ProjectFile| f.scan().is_some_and(|s| s.sqlalchemy);
        let (sqlalchemy_files, others): (Vec<&ProjectFile>, Vec<&ProjectFile>) =
            files.into_iter().partition(says_sqlalchemy);
        let mut candidates: Vec<&ProjectFile> =
            sqlalchemy_files.into_par_iter().filter(provides).collect();
        // A module that yields a "session" without mentioning SQLAlchemy
        // (prompt_toolkit's `create_app_session`) is a session module only
        // when it builds on one that does: none is, when none does (and
        // its summary need not be made).
        if candidates.is_empty() {
            return candidates;
        }
        let sqlalchemy: Vec<&str> = candidates
            .iter()
            .filter_map(|f| f.module.as_deref())
            .collect();
        // What `support_of` reads from a summary, first from the import
        // lines (a file importing no candidate's name is not parsed).
        let names_a_candidate = |name: &str| {
            sqlalchemy.iter().any(|m| {
                name.strip_prefix(m)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        };
        // A name reaches a candidate through re-exports only through
        // modules whose imports lead to one: an import naming a candidate
        // (or a package above one), or naming something in a module that
        // leads. Found from the import lines, to a fixed point, among the
        // modules the others' imports reach; only names in modules that
        // lead are followed (following parses the modules on the way).
        let above_a_candidate = |name: &str| {
            sqlalchemy.iter().any(|m| {
                m.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        let mut reached: Vec<&ProjectFile> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let mut names: Vec<&str> = others
            .iter()
            .filter_map(|f| f.scan())
            .flat_map(|scan| scan.imported())
            .collect();
        while let Some(name) = names.pop() {
            for module in dotted_prefixes(name) {
                if !seen.insert(module) {
                    continue;
                }
                if let Some(file) = self.file_by_module(module) {
                    reached.push(file);
                    names.extend(file.scan().into_iter().flat_map(|scan| scan.imported()));
                }
            }
        }
        let mut leading: FxHashSet<&str> = FxHashSet::default();
        loop {
            let known = leading.len();
            for file in &reached {
                let (Some(scan), Some(module)) = (file.scan(), file.module.as_deref()) else {
                    continue;
                };
                if !leading.contains(module)
                    && scan.imported().any(|name| {
                        names_a_candidate(name)
                            || above_a_candidate(name)
                            || dotted_prefixes(name).any(|m| leading.contains(m))
                    })
                {
                    leading.insert(module);
                }
            }
            if leading.len() == known {
                break;
            }
        }
        let reaches_a_candidate = |name: &str| {
            names_a_candidate(name)
                || dotted_prefixes(name).any(|m| leading.contains(m))
                    && names_a_candidate(&self.canonicalize(name))
        };
        let built_on: Vec<&ProjectFile> = others
            .into_par_iter()
            .filter(|f| {
                f.scan()
                    .is_some_and(|s| s.imported().any(reaches_a_candidate))
            })
            .filter(provides)
            .filter(|f| {
                f.module
                    .as_deref()
                    .is_some_and(|m| !self.support_of(m, &sqlalchemy).is_empty())
            })
            .collect();
        candidates.extend(built_on);
        // In the order of the project's files, as before the split.
        candidates.sort_by_key(|f| f.id);
        candidates
    }

    /// A module other than the canonical one (and the modules it builds
    /// on) that builds an engine or a session factory; tests and
    /// migrations are never redundant.
    pub fn is_redundant(&self, module: &str) -> bool {
        self.canon
            .module
            .as_deref()
            .is_some_and(|canonical| canonical != module)
            && !self.canon.support.contains(module)
            && self.file_by_module(module).is_some_and(|f| {
                !self.is_test_file(f)
                    && !self.is_migration(f)
                    && f.summary().builds_engine_or_factory
            })
    }

    /// `qualified` is a redundant module or a name inside one.
    pub fn is_under_redundant(&self, qualified: &str) -> bool {
        qualified
            .match_indices('.')
            .map(|(dot, _)| &qualified[..dot])
            .chain([qualified])
            .any(|module| self.is_redundant(module))
    }

    /// Every redundant module.
    pub fn redundant_modules(&self) -> BTreeSet<String> {
        self.session_modules()
            .into_iter()
            .filter_map(|f| f.module.as_deref())
            .filter(|m| self.is_redundant(m))
            .map(str::to_owned)
            .collect()
    }

    /// Modules whose factories and engines are the ones the rules track:
    /// the canonical module and the redundant or deprecated ones.
    fn tracks(&self, module: &str) -> bool {
        self.canon.module.as_deref() == Some(module)
            || self.canon.deprecated.contains(module)
            || self.is_redundant(module)
    }

    /// `module.name` is a session thing: a provider, a factory, an engine,
    /// a session manager, or a helper named for one (`get_raw_connection`,
    /// `direct_engine`). A decorator, a counter or the app that a session
    /// module also defines is not.
    pub fn is_session_name(&self, module: &str, name: &str) -> bool {
        let Some(summary) = self.module(module) else {
            return false;
        };
        if summary.providers.iter().any(|(n, _)| n == name)
            || summary.session_factories.iter().any(|f| f == name)
            || summary.engines.iter().any(|e| e == name)
        {
            return true;
        }
        let lower = name.to_ascii_lowercase();
        ["session", "engine", "connection", "conn", "db", "database"]
            .iter()
            .any(|word| {
                lower == *word
                    || lower.starts_with(&format!("{word}_"))
                    || lower.ends_with(&format!("_{word}"))
                    || lower.contains(&format!("_{word}_"))
                    || (word.len() > 4 && lower.contains(word))
            })
    }

    /// Names other modules import from `module` that are not session
    /// things (see [`Project::is_session_name`]), from their import lines.
    pub fn non_session_exports(&self, module: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.module.as_deref() != Some(module))
            .filter_map(ProjectFile::scan)
            .flat_map(|scan| scan.imported())
            .filter_map(|imported| imported.strip_prefix(module)?.strip_prefix('.'))
            .filter(|name| !name.contains('.') && !self.is_session_name(module, name))
            .map(str::to_owned)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// A qualified name of a raw session factory: the canonical module's
    /// (configured names, or what it binds to `sessionmaker(...)`) and
    /// those of redundant or deprecated modules.
    pub fn is_factory(&self, qualified: &str) -> bool {
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return false;
        };
        self.canon.module.as_deref().is_some_and(|canonical| {
            self.canon.factories.iter().any(|f| {
                qualified
                    .strip_prefix(canonical)
                    .and_then(|q| q.strip_prefix('.'))
                    == Some(f.as_str())
            })
        }) || (self.tracks(module)
            && self
                .module(module)
                .is_some_and(|m| m.session_factories.iter().any(|f| f == name)))
    }

    /// A qualified name of a module-level engine of a tracked module.
    pub fn is_engine(&self, qualified: &str) -> bool {
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return false;
        };
        self.tracks(module)
            && self
                .module(module)
                .is_some_and(|m| m.engines.iter().any(|e| e == name))
    }

    /// How many other (non-test) files import session things from each
    /// candidate: one of its providers by name, or the module itself (a
    /// type alias such as `AsyncSession` imported from it does not count).
    fn fan_in(&self, modules: &[&ProjectFile]) -> FxHashMap<String, usize> {
        let wanted: FxHashMap<String, Vec<String>> = modules
            .iter()
            .filter_map(|f| {
                let names = f
                    .summary()
                    .providers
                    .iter()
                    .map(|(n, _)| n.clone())
                    .collect();
                Some((f.module.clone()?, names))
            })
            .collect();
        let mut counts: FxHashMap<String, usize> = FxHashMap::default();
        // How the application gets its sessions: one-off scripts and tests
        // do not vote (asked only of the files that would: most import no
        // candidate, and layers are globs).
        let votes = |file: &ProjectFile| {
            !self.is_test_file(file) && self.settings.layers.of(&file.relative) != Layer::Script
        };
        for file in &self.files {
            let Some(scan) = file.scan() else { continue };
            let mut seen: Vec<&str> = Vec::new();
            for imported in scan.imported() {
                let module = match wanted.get_key_value(imported) {
                    Some((module, _)) => module.as_str(),
                    None => match imported.rsplit_once('.') {
                        Some((module, name))
                            if wanted
                                .get(module)
                                .is_some_and(|names| names.iter().any(|n| n == name)) =>
                        {
                            module
                        }
                        _ => continue,
                    },
                };
                if Some(module) != file.module.as_deref() && !seen.contains(&module) {
                    if seen.is_empty() && !votes(file) {
                        break;
                    }
                    seen.push(module);
                    *counts.entry(module.to_owned()).or_default() += 1;
                }
            }
        }
        counts
    }

    /// The candidates, best first, each with its score and evidence.
    fn rank(&self, modules: &[&ProjectFile]) -> Vec<Candidate> {
        let fan_in = self.fan_in(modules);
        let mut ranked: Vec<Candidate> = modules
            .iter()
            .filter_map(|file| {
                let module = file.module.clone()?;
                let summary = file.summary();
                let mut score = 0;
                let mut evidence = Vec::new();
                if !summary.session_factories.is_empty() {
                    score += 4;
                    evidence.push(format!(
                        "session factory `{}`",
                        summary.session_factories.join("`, `")
                    ));
                }
                if !summary.engines.is_empty() {
                    score += 3;
                    evidence.push(format!("engine `{}`", summary.engines.join("`, `")));
                }
                if summary.builds_engine_or_factory
                    && summary.session_factories.is_empty()
                    && summary.engines.is_empty()
                {
                    score += 3;
                    evidence.push("builds an engine or factory in a function or class".into());
                }
                let providers: Vec<&(String, ProviderKind)> = summary
                    .providers
                    .iter()
                    .filter(|(_, kind)| {
                        kind.is_context_manager()
                            || kind.is_dependency()
                            || *kind == ProviderKind::SessionFunction
                            || *kind == ProviderKind::SessionManager
                            || *kind == ProviderKind::ScopedSession
                    })
                    .collect();
                if !providers.is_empty() {
                    score += 2 * providers.len().min(3) as i64;
                    evidence.push(format!(
                        "provides {}",
                        providers
                            .iter()
                            .map(|(n, k)| format!("`{n}` ({})", k.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let importers = fan_in.get(&module).copied().unwrap_or(0);
                if importers > 0 {
                    // Twice the bits of the count: twice the importers is
                    // worth as much as a provider, a hundred of them do
                    // not drown what the modules build.
                    score += 2 * i64::from(usize::BITS - importers.leading_zeros());
                    evidence.push(format!(
                        "imported by {importers} module{}",
                        if importers == 1 { "" } else { "s" }
                    ));
                }
                let last = module.rsplit('.').next().unwrap_or(&module);
                if matches!(last, "session" | "sessions" | "database" | "db") {
                    score += 1;
                }
                if ["legacy", "direct", "old", "compat", "deprecated"]
                    .iter()
                    .any(|w| last.contains(w))
                {
                    score -= 2;
                }
                Some(Candidate {
                    module,
                    path: file.relative.clone(),
                    score,
                    evidence,
                })
            })
            .collect();
        // A module that hands out sessions (a context manager or a
        // dependency) built from another candidate's engine or factory is
        // the way in; the other is what it builds on.
        let gives_sessions = |module: &str| {
            self.module(module).is_some_and(|m| {
                m.providers
                    .iter()
                    .any(|(_, kind)| kind.is_context_manager() || kind.is_dependency())
            })
        };
        let names: Vec<&str> = modules.iter().filter_map(|f| f.module.as_deref()).collect();
        for candidate in &mut ranked {
            if !gives_sessions(&candidate.module) {
                continue;
            }
            let below: Vec<String> = self
                .support_of(&candidate.module, &names)
                .into_iter()
                .filter(|m| !gives_sessions(m))
                .collect();
            if !below.is_empty() {
                candidate.score += 5;
                candidate.evidence.push(format!(
                    "hands out sessions built by `{}`",
                    below.join("`, `")
                ));
            }
        }
        ranked.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.module.cmp(&b.module)));
        ranked
    }

    /// The session modules `module` builds on: those it imports an
    /// engine, a factory or a provider from (and theirs, in turn).
    fn support_of(&self, module: &str, session_modules: &[&str]) -> BTreeSet<String> {
        let mut support = BTreeSet::new();
        let mut queue = vec![module.to_owned()];
        while let Some(current) = queue.pop() {
            let Some(summary) = self.module(&current) else {
                continue;
            };
            for target in summary.imports.values() {
                let target = self.canonicalize(target);
                let imported_module = if self.is_module(&target) {
                    target.as_str()
                } else {
                    target.rsplit_once('.').map_or(target.as_str(), |(m, _)| m)
                };
                if imported_module != module
                    && session_modules.contains(&imported_module)
                    && support.insert(imported_module.to_owned())
                {
                    queue.push(imported_module.to_owned());
                }
            }
        }
        support
    }

    fn config_error(&self, key: &str, message: String) -> EngineError {
        let settings = &self.settings;
        let origin = settings.origin();
        let line = std::fs::read_to_string(&origin)
            .ok()
            .and_then(|text| crate::config::key_line(&text, key));
        EngineError::Config(ConfigError::Invalid {
            path: origin,
            line,
            message: format!("{} {message}", settings.key_name(key)),
        })
    }

    fn decide_canon(&self) -> Result<Canon, EngineError> {
        let session_files = self.session_modules();
        let session_modules: Vec<&str> = session_files
            .iter()
            .filter_map(|f| f.module.as_deref())
            .collect();
        let mut canon = Canon::empty();
        canon.deprecated = self.settings.deprecated.keys().cloned().collect();
        match self.settings.canonical_module.clone() {
            Some(module) => {
                if !self.is_module(&module) {
                    let roots = self
                        .settings
                        .src
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(self.config_error(
                        "canonical-module",
                        format!("= {module:?}: no such module under the source roots ({roots}); fix the module name or `src`"),
                    ));
                }
                canon.module = Some(module);
                canon.origin = CanonicalOrigin::Configured;
            }
            None => {
                canon.candidates = self.rank(&session_files);
                // A lead of one point is a module's name alone: not clear.
                const CLEAR_LEAD: i64 = 2;
                match canon.candidates.as_slice() {
                    [] => {}
                    [first, second, ..] if first.score - second.score < CLEAR_LEAD => {
                        let tied: Vec<String> = canon
                            .candidates
                            .iter()
                            .take_while(|c| first.score - c.score < CLEAR_LEAD)
                            .map(|c| c.module.clone())
                            .collect();
                        canon.origin = CanonicalOrigin::Ambiguous(tied);
                    }
                    [first, ..] => {
                        canon.module = Some(first.module.clone());
                        canon.origin = CanonicalOrigin::Detected;
                    }
                }
            }
        }
        if let Some(module) = canon.module.clone() {
            canon.support = self.support_of(&module, &session_modules);
            let summary = self.parsed_summary(&module);
            self.choose_providers(&module, &summary, &mut canon)?;
        }
        self.validate_deprecated()?;
        canon.applies_tenant_filter = self.applies_tenant_filter(canon.module.as_deref());
        Ok(canon)
    }

    /// The providers of the canonical module, and which of them are the
    /// sanctioned context manager and dependency: the configured names
    /// (which must exist there) or the ones found.
    fn choose_providers(
        &self,
        module: &str,
        summary: &ModuleSummary,
        canon: &mut Canon,
    ) -> Result<(), EngineError> {
        let settings = &self.settings;
        canon.providers = summary
            .providers
            .iter()
            .map(|(name, kind)| Provider {
                name: name.clone(),
                kind: *kind,
            })
            .collect();
        // `sessionmanager.session`: a method or attribute of a module-level
        // instance of a project class.
        let defines = |name: &str| match name.split_once('.') {
            None => summary.defined_names.contains(name) || summary.functions.contains_key(name),
            Some((instance, member)) => self
                .instance_class(&format!("{module}.{instance}"))
                .is_some_and(|class| {
                    self.find_method(&class, member).is_some()
                        || self.mro(&class).0.iter().any(|c| {
                            self.class(c)
                                .is_some_and(|info| info.attributes.contains_key(member))
                        })
                }),
        };
        let is_async = |name: &str| match name.split_once('.') {
            None => summary.functions.get(name).is_some_and(|f| f.is_async),
            Some((instance, member)) => self
                .instance_class(&format!("{module}.{instance}"))
                .and_then(|class| self.find_method(&class, member))
                .is_some_and(|(_, sig)| sig.is_async),
        };
        let known = {
            let mut names: Vec<String> = canon
                .providers
                .iter()
                .map(|p| format!("`{}` ({})", p.name, p.kind.as_str()))
                .collect();
            if names.is_empty() {
                let mut functions: Vec<&String> = summary
                    .functions
                    .keys()
                    .filter(|f| !f.contains('.'))
                    .collect();
                functions.sort();
                names = functions
                    .into_iter()
                    .take(8)
                    .map(|f| format!("`{f}`"))
                    .collect();
            }
            if names.is_empty() {
                "nothing a session could come from".to_owned()
            } else {
                names.join(", ")
            }
        };
        let path = self
            .file_by_module(module)
            .map(|f| f.relative.clone())
            .unwrap_or_default();
        // A configured name the module does not define: the typo would be
        // carried into every fix.
        let mut configured = |key: &str,
                              name: &Option<String>,
                              wanted: fn(ProviderKind) -> bool|
         -> Result<Option<String>, EngineError> {
            match name {
                Some(name) if !defines(name) => Err(self.config_error(
                    key,
                    format!(
                        "= {name:?}: `{module}` ({path}) defines no `{name}`; it provides {known}"
                    ),
                )),
                Some(name) => {
                    if !canon.providers.iter().any(|p| &p.name == name) {
                        // Defined, but not recognised as a provider: take
                        // the user's word for what it is.
                        let kind = match (key, is_async(name)) {
                            ("context-manager", true) => ProviderKind::AsyncContextManager,
                            ("context-manager", false) => ProviderKind::SyncContextManager,
                            (_, true) => ProviderKind::AsyncDependency,
                            (_, false) => ProviderKind::SyncDependency,
                        };
                        canon.providers.push(Provider {
                            name: name.clone(),
                            kind,
                        });
                    }
                    Ok(Some(name.clone()))
                }
                None => {
                    let mut of_kind = canon.providers.iter().filter(|p| wanted(p.kind));
                    let first = of_kind.next().map(|p| p.name.clone());
                    canon.provider_guessed |= of_kind.next().is_some();
                    Ok(first)
                }
            }
        };
        let context_manager = configured(
            "context-manager",
            &settings.context_manager,
            ProviderKind::is_context_manager,
        )?;
        // A plain function returning the request's session serves as a
        // dependency too (`def get_db(request): return request.state.db`).
        let dependency = configured(
            "dependency",
            &settings.dependency,
            ProviderKind::is_dependency,
        )?
        .or_else(|| {
            (settings.dependency.is_none())
                .then(|| {
                    canon
                        .providers
                        .iter()
                        .find(|p| p.kind == ProviderKind::SessionFunction)
                        .map(|p| p.name.clone())
                })
                .flatten()
        });
        canon.context_manager = context_manager.map(|n| format!("{module}.{n}"));
        canon.dependency = dependency.map(|n| format!("{module}.{n}"));
        canon.factories = match &settings.factories {
            Some(factories) => {
                if let Some(missing) = factories.iter().find(|f| !defines(f)) {
                    return Err(self.config_error(
                        "factories",
                        format!("names {missing:?}, which `{module}` ({path}) does not define; it provides {known}"),
                    ));
                }
                factories.clone()
            }
            None => {
                let mut factories: Vec<String> = canon
                    .providers
                    .iter()
                    .filter(|p| p.kind == ProviderKind::Factory)
                    .map(|p| p.name.clone())
                    .collect();
                for name in crate::settings::DEFAULT_FACTORIES {
                    if defines(name) && !factories.iter().any(|f| f == name) {
                        factories.push((*name).to_owned());
                    }
                }
                factories
            }
        };
        Ok(())
    }

    /// Every name a deprecation maps must exist: the old one in the
    /// deprecated module, the new one in its replacement.
    fn validate_deprecated(&self) -> Result<(), EngineError> {
        for (module, deprecated) in &self.settings.deprecated {
            let key = format!("deprecated.\"{module}\"");
            if !self.is_module(module) {
                continue; // a module already deleted: nothing imports it
            }
            let old = self.parsed_summary(module);
            let new = self
                .is_module(&deprecated.replacement)
                .then(|| self.parsed_summary(&deprecated.replacement));
            for (from, to) in &deprecated.names {
                if !old.defined_names.contains(from) {
                    return Err(self.config_error(
                        &key,
                        format!("maps {from:?}, which `{module}` does not define"),
                    ));
                }
                if new.as_ref().is_some_and(|n| !n.defined_names.contains(to)) {
                    return Err(self.config_error(
                        &key,
                        format!(
                            "maps {from:?} to {to:?}, which `{}` does not define",
                            deprecated.replacement
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A module's summary from its text, whatever the prefilter said of
    /// it: what the configuration names must be checked against the code.
    fn parsed_summary(&self, module: &str) -> std::sync::Arc<ModuleSummary> {
        self.file_by_module(module)
            .and_then(|file| file.with_any_analysis(|analysis, _| analysis.summary.clone()))
            .unwrap_or_default()
    }

    /// The canonical module filters every query by tenant: configured, or
    /// a `with_loader_criteria(...)` call whose arguments name a tenant
    /// column (`cls.tenant_id == ...`). A `do_orm_execute` hook alone proves nothing (it may log,
    /// or filter soft-deleted rows), nor does a criteria on another column.
    fn applies_tenant_filter(&self, module: Option<&str>) -> bool {
        let settings = &self.settings;
        settings.tenant_filter_in_session.unwrap_or_else(|| {
            let names_a_tenant_column = |expr: &ast::Expr| {
                let mut names = false;
                for_each_expr_in(expr, |part| {
                    let word = match part {
                        ast::Expr::Name(name) => name.id.as_str(),
                        ast::Expr::Attribute(attr) => attr.attr.as_str(),
                        _ => return,
                    };
                    names |= settings.tenant_columns.iter().any(|c| c == word);
                });
                names
            };
            module
                .and_then(|module| {
                    self.with_whole_module(module, |parsed| {
                        let mut filters = false;
                        for_each_expr(&parsed.body, |expr| {
                            let ast::Expr::Call(call) = expr else { return };
                            let named = match call.func.as_ref() {
                                ast::Expr::Name(name) => name.id.as_str(),
                                ast::Expr::Attribute(attr) => attr.attr.as_str(),
                                _ => return,
                            };
                            filters |= named == "with_loader_criteria"
                                && call
                                    .args
                                    .iter()
                                    .chain(call.keywords.iter().map(|k| &k.value))
                                    .any(names_a_tenant_column);
                        });
                        filters
                    })
                })
                .unwrap_or(false)
        })
    }

    /// `f` on `module` parsed whole (a check may have skipped the function
    /// bodies the question is about); `None` when it cannot be read or
    /// parsed.
    fn with_whole_module<R>(
        &self,
        module: &str,
        f: impl FnOnce(&onesession_python::ParsedModule) -> R,
    ) -> Option<R> {
        self.file_by_module(module)?.with_text(|text| {
            onesession_python::parse_module(text)
                .ok()
                .map(|parsed| f(&parsed))
        })?
    }

    /// The short block said on stderr when the model was inferred.
    fn model_notice(&self, canon: &Canon) -> Option<String> {
        let lines = match (&canon.origin, &canon.module) {
            (CanonicalOrigin::Detected, Some(module)) => {
                let mut lines = self.model_lines(canon);
                lines[0] = format!(
                    "detected canonical session module `{module}` ({}); set `canonical-module` in [tool.onesession] to override (`onesession init` writes the model down)",
                    self.file_by_module(module).map(|f| f.relative.as_str()).unwrap_or_default()
                );
                lines
            }
            (CanonicalOrigin::Ambiguous(tied), _) => vec![format!(
                "several modules could be the canonical session module, with evidence too close to choose ({}); set `canonical-module` in [tool.onesession] (or run `onesession init --canonical MODULE`): the rules that need it are off until then",
                tied.join(", ")
            )],
            _ => return None,
        };
        Some(lines.join("\n  "))
    }

    /// The model in a few lines: canonical module, providers with their
    /// kind, the modules it builds on, redundant modules, source roots.
    pub fn model_lines(&self, canon: &Canon) -> Vec<String> {
        let mut lines = vec![match &canon.module {
            Some(module) => format!(
                "canonical session module: `{module}` ({})",
                match canon.origin {
                    CanonicalOrigin::Configured => "configured",
                    _ => "detected",
                }
            ),
            None => "canonical session module: none".to_owned(),
        }];
        if canon.module.is_some() {
            let shown: Vec<String> = canon
                .providers
                .iter()
                .map(|p| {
                    let role = if canon.context_manager_name() == Some(p.name.as_str()) {
                        ", for background work"
                    } else if canon
                        .dependency
                        .as_deref()
                        .and_then(|d| d.rsplit('.').next())
                        == Some(p.name.as_str())
                    {
                        ", for routers"
                    } else {
                        ""
                    };
                    format!("`{}` ({}{role})", p.name, p.kind.as_str())
                })
                .collect();
            lines.push(format!(
                "providers: {}",
                if shown.is_empty() {
                    "none found".to_owned()
                } else {
                    shown.join(", ")
                }
            ));
            if canon.provider_guessed {
                lines.push("several providers of one kind: the first was taken; set `context-manager` and `dependency` in [tool.onesession] (until then the fixes that route code to them are unsafe)".to_owned());
            }
            if !canon.support.is_empty() {
                lines.push(format!(
                    "builds on: `{}`",
                    canon
                        .support
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("`, `")
                ));
            }
            let redundant = self.redundant_modules();
            lines.push(format!(
                "redundant: {}",
                if redundant.is_empty() {
                    "none".to_owned()
                } else {
                    format!(
                        "`{}`",
                        redundant.into_iter().collect::<Vec<_>>().join("`, `")
                    )
                }
            ));
        }
        let roots: Vec<String> = self
            .settings
            .src
            .iter()
            .map(|r| crate::discover::relative_to(r, &self.settings.root))
            .map(|r| if r.is_empty() { ".".to_owned() } else { r })
            .collect();
        lines.push(format!("source roots: {}", roots.join(", ")));
        lines
    }
}

/// The modules a dotted name may lie in, outermost first, itself
/// included: `a`, `a.b`, `a.b.c`.
fn dotted_prefixes(name: &str) -> impl Iterator<Item = &str> {
    name.match_indices('.')
        .map(|(dot, _)| &name[..dot])
        .chain([name])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_migrations_are_told_apart() {
        for test in [
            "tests/conftest.py",
            "app/tests/test_x.py",
            "test_app.py",
            "pkg/x_test.py",
            "conftest.py",
        ] {
            assert!(is_test_path(test), "{test}");
        }
        for app in [
            "app/testimonials.py",
            "app/contest.py",
            "app/services/test_data_loader/x.py",
        ] {
            assert!(!is_test_path(app), "{app}");
        }
        assert!(is_migration_text(
            "from alembic import op\nrevision = 'a'\n"
        ));
        assert!(is_migration_text("from alembic import context\n"));
        assert!(!is_migration_text("import sqlalchemy\n"));
    }
}
