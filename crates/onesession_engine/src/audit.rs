//! The audit: an inventory of every database-touching file with its
//! category, layer, status and priority, a summary, and (against a base
//! project) the progress made. Everything here is data: the command line
//! renders it as Markdown or JSON.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use onesession_python::ast::{self, Expr, Stmt};
use onesession_python::visit::{walk_expr, walk_stmt, Visitor};
use onesession_python::{parse_module, BindingKind, SemanticModel};
use onesession_text::{Applicability, FileId, LineIndex};
use serde::Serialize;

use crate::fix::fix_units;
use crate::names::{is_one_of, FASTAPI_DEPENDS, SESSIONMAKERS, SESSION_CLASSES};
use crate::project::{FileState, Project, ProjectFile};
use crate::rule::Confidence;
use crate::rule::Finding;
use crate::settings::Layer;

/// What a database-touching file is, in the audit's vocabulary.
///
/// A file gets the first category that applies, in this order:
///
/// 1. `canonical`: it is the canonical session module.
/// 2. `redundant-session-module`: a module other than the canonical one
///    that builds an engine or session factory (`Canon::redundant`), or a
///    module the configuration declares deprecated. Not for a file in the
///    script layer: a script that builds its own engine is not imported by
///    anything, so it is a `script` (with DB103 findings), not a module to
///    retire.
/// 3. `router`: in the router layer, or (outside the configured layers)
///    it injects a session with `Depends(...)` on a provider that touches
///    the database.
/// 4. `scheduler`: its path (relative to the project root) contains
///    `scheduler`. Checked before the service/background layers because a
///    scheduler usually sits in the background layer and is worth telling
///    apart: it runs unattended, on its own sessions, on a timer.
/// 5. `service`: in the service layer.
/// 6. `background-task`: in the background layer.
/// 7. `script`: in the script layer.
/// 8. `models`: defines SQLAlchemy models (a class deriving from
///    `DeclarativeBase` or from a declarative `Base`), or imports
///    `mapped_column`, `Column`, `DeclarativeBase` or `declarative_base`.
/// 9. `service` again for a file outside the layers that has a function
///    taking a session parameter (annotated with a session class, or named
///    `session`/`db_session`).
/// 10. `background-task` again for a file outside the layers that opens
///     its own session (calls the canonical context manager, a session
///     factory, a sessionmaker or a session class).
/// 11. `helper`: anything else that touches the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Canonical,
    RedundantSessionModule,
    Router,
    Service,
    BackgroundTask,
    Scheduler,
    Script,
    Models,
    Helper,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Canonical,
        Category::RedundantSessionModule,
        Category::Router,
        Category::Service,
        Category::BackgroundTask,
        Category::Scheduler,
        Category::Script,
        Category::Models,
        Category::Helper,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Canonical => "canonical",
            Category::RedundantSessionModule => "redundant-session-module",
            Category::Router => "router",
            Category::Service => "service",
            Category::BackgroundTask => "background-task",
            Category::Scheduler => "scheduler",
            Category::Script => "script",
            Category::Models => "models",
            Category::Helper => "helper",
        }
    }
}

/// How urgently a non-compliant file needs work. Ordered from the most
/// urgent: `Critical < High < Medium < Low` in sort order.
///
/// A file's priority is the highest priority of its findings; a finding's
/// priority comes from its rule and the file's layer, one step lower when
/// the finding is only likely (a heuristic matched):
///
/// | rule | router | service | background / other | script | why |
/// |---|---|---|---|---|---|
/// | DB109 engine-config | critical | critical | critical | critical | prepared statements through a transaction pooler, or no SSL: connections fail or leak in production |
/// | DB117 shared-session-concurrency | critical | critical | critical | critical | one session in concurrent coroutines corrupts its state and loses writes |
/// | DB118 unawaited-session-call | critical | critical | critical | critical | the commit/flush/refresh never runs: writes are silently lost |
/// | DB107 background-session-reuse | critical | critical | critical | critical | the request's session is closed when the task runs: the task fails or its writes are lost |
/// | DB103 redundant-factory | high | high | high | medium | a second engine is a second pool that bypasses the pooler settings; a one-off script does less harm |
/// | DB114 pooler-flag-misuse | high | high | high | medium | wrong driver flags fail at connect time; mutating the shared engine affects every request |
/// | DB102 direct-session | high | high | medium | low | sessions made by hand skip the provider's commit/rollback/close on the request path |
/// | DB115 engine-bypass | high | high | medium | low | blocking or raw connections stall the event loop and bypass the pool |
/// | DB110 task-in-transaction | high | high | high | high | the task runs before the commit, on data that may be rolled back |
/// | DB116 untracked-task | high | high | high | high | a dropped task can be garbage-collected and its errors are lost |
/// | DB105 provider-misuse | high | medium | medium | medium | a wrong `Depends(...)` on an endpoint breaks every request to it |
/// | DB104, DB106, DB108, DB113, DB119, DB001, DB002, others | medium | medium | medium | medium | correctness/maintainability risks that do not fail at once (an unchecked file hides what is in it) |
/// | DB101 factory-import, DB111 unused-session-import, DB112 noncanonical-import | low | low | low | low | import hygiene: the harmful use, if any, is reported by its own rule |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Critical,
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Critical => "critical",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    /// The priority of one finding of `rule` in a file of `layer` (see the
    /// table on [`Priority`]), one step lower for a likely finding.
    pub fn of(rule: &str, layer: Layer, confidence: Confidence) -> Priority {
        let priority = Self::of_rule(rule, layer);
        match confidence {
            Confidence::Sure => priority,
            Confidence::Likely => match priority {
                Priority::Critical => Priority::High,
                Priority::High => Priority::Medium,
                Priority::Medium | Priority::Low => Priority::Low,
            },
        }
    }

    fn of_rule(rule: &str, layer: Layer) -> Priority {
        let request_path = matches!(layer, Layer::Router | Layer::Service);
        match rule {
            "DB109" | "DB117" | "DB118" | "DB107" => Priority::Critical,
            "DB103" | "DB114" => {
                if layer == Layer::Script {
                    Priority::Medium
                } else {
                    Priority::High
                }
            }
            "DB102" | "DB115" => match layer {
                _ if request_path => Priority::High,
                Layer::Script => Priority::Low,
                _ => Priority::Medium,
            },
            "DB110" | "DB116" => Priority::High,
            "DB105" => {
                if layer == Layer::Router {
                    Priority::High
                } else {
                    Priority::Medium
                }
            }
            "DB101" | "DB111" | "DB112" => Priority::Low,
            _ => Priority::Medium,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Compliant,
    NonCompliant,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Compliant => "compliant",
            Status::NonCompliant => "non-compliant",
        }
    }
}

/// Findings of one rule in one file.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub rule: &'static str,
    pub name: &'static str,
    pub count: usize,
}

/// One database-touching file.
#[derive(Debug, Clone, Serialize)]
pub struct AuditFile {
    #[serde(skip)]
    pub id: FileId,
    /// Absolute path (for the renderer to make relative).
    #[serde(skip)]
    pub abs_path: PathBuf,
    /// `/`-separated, relative to the project root (the renderer may
    /// rewrite it relative to the working directory).
    pub path: String,
    pub module: Option<String>,
    pub category: Category,
    pub layer: Layer,
    pub status: Status,
    /// `None` for a compliant file.
    pub priority: Option<Priority>,
    pub findings: usize,
    /// By rule id, ascending.
    pub rules: Vec<RuleCount>,
    /// Findings `onesession fix` (safe fixes only) would resolve.
    pub safe_fixable: usize,
    pub safe_fix: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryCount {
    pub category: Category,
    pub files: usize,
    pub compliant: usize,
    pub non_compliant: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub rule: &'static str,
    pub name: &'static str,
    pub findings: usize,
    pub files: usize,
    pub safe_fixable: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityCount {
    pub priority: Priority,
    pub files: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub files: usize,
    pub compliant: usize,
    pub non_compliant: usize,
    pub findings: usize,
    pub safe_fixable: usize,
    /// Files with at least one safe-fixable finding.
    pub safe_fixable_files: usize,
    /// Every category, in [`Category::ALL`] order (zero rows included).
    pub by_category: Vec<CategoryCount>,
    /// Non-compliant files by priority, most urgent first.
    pub by_priority: Vec<PriorityCount>,
    /// Rules with findings, by rule id.
    pub by_rule: Vec<RuleSummary>,
}

/// The audit of a project.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub canonical_module: Option<String>,
    pub summary: Summary,
    /// Sorted by priority (most urgent first, compliant files last), then
    /// path.
    pub files: Vec<AuditFile>,
}

/// Audits the requested files of `project`, given the findings of
/// [`crate::run::check`] on it.
pub fn audit(project: &Project, findings: &[Finding]) -> Audit {
    let mut safe: HashMap<FileId, usize> = HashMap::new();
    let mut safe_by_rule: HashMap<&'static str, usize> = HashMap::new();
    let mut counted: HashSet<(FileId, usize, &'static str)> = HashSet::new();
    for unit in fix_units(findings) {
        if unit.fix.applicability != Applicability::Safe {
            continue;
        }
        for finding in &unit.findings {
            if counted.insert((finding.file, finding.range.start, finding.rule.id)) {
                *safe.entry(finding.file).or_default() += 1;
                *safe_by_rule.entry(finding.rule.id).or_default() += 1;
            }
        }
    }
    let mut by_file: HashMap<FileId, Vec<&Finding>> = HashMap::new();
    for finding in findings {
        by_file.entry(finding.file).or_default().push(finding);
    }

    let mut files = Vec::new();
    let session_words = session_words(project);
    for file in project.files.iter().filter(|f| f.requested) {
        let file_findings = by_file.get(&file.id).map_or(&[][..], Vec::as_slice);
        let facts = facts_of(project, file, &session_words);
        if !facts.touches && file_findings.is_empty() {
            continue;
        }
        let category = categorize(project, file, &facts);
        let mut rules: BTreeMap<&'static str, RuleCount> = BTreeMap::new();
        for finding in file_findings {
            rules
                .entry(finding.rule.id)
                .or_insert(RuleCount {
                    rule: finding.rule.id,
                    name: finding.rule.name,
                    count: 0,
                })
                .count += 1;
        }
        let priority = file_findings
            .iter()
            .map(|f| Priority::of(f.rule.id, file.layer(), f.confidence))
            .min();
        let safe_fixable = safe.get(&file.id).copied().unwrap_or(0);
        files.push(AuditFile {
            id: file.id,
            abs_path: file.path.clone(),
            path: file.relative.clone(),
            module: file.module.clone(),
            category,
            layer: file.layer(),
            status: if file_findings.is_empty() {
                Status::Compliant
            } else {
                Status::NonCompliant
            },
            priority,
            findings: file_findings.len(),
            rules: rules.into_values().collect(),
            safe_fixable,
            safe_fix: safe_fixable > 0,
        });
    }
    files.sort_by(|a, b| {
        let key = |f: &AuditFile| f.priority.map_or(Priority::ALL.len(), |p| p as usize);
        (key(a), &a.path).cmp(&(key(b), &b.path))
    });

    let by_category = Category::ALL
        .iter()
        .map(|&category| {
            let of: Vec<&AuditFile> = files.iter().filter(|f| f.category == category).collect();
            let compliant = of.iter().filter(|f| f.status == Status::Compliant).count();
            CategoryCount {
                category,
                files: of.len(),
                compliant,
                non_compliant: of.len() - compliant,
            }
        })
        .collect();
    let by_priority = Priority::ALL
        .iter()
        .map(|&priority| PriorityCount {
            priority,
            files: files
                .iter()
                .filter(|f| f.priority == Some(priority))
                .count(),
        })
        .collect();
    let mut by_rule: BTreeMap<&'static str, RuleSummary> = BTreeMap::new();
    for file in &files {
        for count in &file.rules {
            let entry = by_rule.entry(count.rule).or_insert(RuleSummary {
                rule: count.rule,
                name: count.name,
                findings: 0,
                files: 0,
                safe_fixable: safe_by_rule.get(count.rule).copied().unwrap_or(0),
            });
            entry.findings += count.count;
            entry.files += 1;
        }
    }
    let compliant = files
        .iter()
        .filter(|f| f.status == Status::Compliant)
        .count();
    let summary = Summary {
        files: files.len(),
        compliant,
        non_compliant: files.len() - compliant,
        findings: files.iter().map(|f| f.findings).sum(),
        safe_fixable: files.iter().map(|f| f.safe_fixable).sum(),
        safe_fixable_files: files.iter().filter(|f| f.safe_fix).count(),
        by_category,
        by_priority,
        by_rule: by_rule.into_values().collect(),
    };
    Audit {
        canonical_module: project.canon.module.clone(),
        summary,
        files,
    }
}

/// What the audit knows about one file, from its syntax and imports.
#[derive(Debug, Default)]
struct Facts {
    /// Imports SQLAlchemy, a raw driver, the canonical module, or a
    /// redundant or deprecated session module.
    touches: bool,
    /// Imports `mapped_column`, `Column`, `DeclarativeBase` or
    /// `declarative_base`, or defines a model class.
    models: bool,
    /// `Depends(provider)` on a provider that touches the database.
    injects_session: bool,
    /// A function with a session parameter.
    session_param: bool,
    /// Opens or constructs a session itself.
    opens_session: bool,
}

const DRIVERS: &[&str] = &["asyncpg", "psycopg", "psycopg2", "aiopg"];
const MODEL_NAMES: &[&str] = &[
    "sqlalchemy.Column",
    "sqlalchemy.schema.Column",
    "sqlalchemy.orm.mapped_column",
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base",
];

fn under(name: &str, module: &str) -> bool {
    name == module
        || name
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Words without which a file cannot touch a session: SQLAlchemy, the
/// drivers, and the last part of every session module's name.
fn session_words(project: &Project) -> Vec<String> {
    let redundant = project.redundant_modules();
    let modules = project
        .canon
        .module
        .iter()
        .chain(&redundant)
        .chain(&project.canon.deprecated);
    ["sqlalchemy"]
        .iter()
        .chain(DRIVERS)
        .map(|w| (*w).to_owned())
        .chain(modules.filter_map(|m| m.rsplit('.').next().map(str::to_owned)))
        .collect()
}

fn facts_of(project: &Project, file: &ProjectFile, session_words: &[String]) -> Facts {
    match file.state() {
        FileState::Parsed(analysis) => {
            facts_from(project, &analysis.parsed.body, &analysis.semantic)
        }
        FileState::Skipped => {
            // The prefilter skipped it (no rule can fire), but it may
            // still import SQLAlchemy (model definitions): parse it when
            // it can.
            let text = file.text();
            if !session_words.iter().any(|w| text.contains(w.as_str())) {
                return Facts::default();
            }
            match parse_module(text) {
                Ok(parsed) => {
                    let semantic = SemanticModel::build(
                        &parsed.body,
                        file.module.as_deref().unwrap_or(""),
                        file.is_package,
                        text.len(),
                    );
                    facts_from(project, &parsed.body, &semantic)
                }
                Err(_) => Facts::default(),
            }
        }
        FileState::SyntaxError(_) | FileState::Unreadable(_) => Facts::default(),
    }
}

fn facts_from(project: &Project, body: &[Stmt], semantic: &SemanticModel) -> Facts {
    let canon = &project.canon;
    let mut facts = Facts::default();
    for (_, binding) in semantic.bindings() {
        let qualified = match &binding.kind {
            BindingKind::Import { qualified } => qualified,
            BindingKind::ModuleImport { module } => module,
            _ => continue,
        };
        let q = project.canonicalize(qualified);
        facts.touches |= under(&q, "sqlalchemy")
            || DRIVERS.iter().any(|d| under(&q, d))
            || canon.module.as_deref().is_some_and(|m| under(&q, m))
            || project.is_under_redundant(&q)
            || canon.deprecated.iter().any(|m| under(&q, m));
        facts.models |= is_one_of(&q, MODEL_NAMES);
    }

    struct Walk<'p, 's> {
        project: &'p Project,
        semantic: &'s SemanticModel,
        facts: Facts,
    }
    impl Walk<'_, '_> {
        fn qualified(&self, expr: &Expr) -> Option<String> {
            self.semantic
                .qualified_name(expr)
                .map(|q| self.project.canonicalize(&q))
        }
        fn is_provider(&self, q: &str) -> bool {
            let canon = &self.project.canon;
            canon.dependency.as_deref() == Some(q)
                || canon.context_manager.as_deref() == Some(q)
                || self.project.is_factory(q)
                || is_one_of(q, SESSION_CLASSES)
        }
        fn params(&mut self, args: &ast::Arguments) {
            let all = args
                .posonlyargs
                .iter()
                .chain(&args.args)
                .chain(&args.kwonlyargs)
                .map(|a| &a.def);
            for arg in all {
                let annotated = arg
                    .annotation
                    .as_deref()
                    .and_then(|a| self.qualified(a))
                    .is_some_and(|q| is_one_of(&q, SESSION_CLASSES));
                let named = matches!(arg.arg.as_str(), "session" | "db_session");
                self.facts.session_param |= annotated || named;
            }
        }
    }
    impl<'a> Visitor<'a> for Walk<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(d) => self.params(&d.args),
                Stmt::AsyncFunctionDef(d) => self.params(&d.args),
                Stmt::ClassDef(c) => {
                    for base in &c.bases {
                        let Some(q) = self.qualified(base) else {
                            continue;
                        };
                        let declarative = is_one_of(&q, MODEL_NAMES)
                            || q.rsplit('.').next() == Some("Base")
                            || q.ends_with(".Model");
                        self.facts.models |= declarative;
                    }
                }
                _ => {}
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                if let Some(q) = self.qualified(&call.func) {
                    if is_one_of(&q, FASTAPI_DEPENDS) {
                        let target = call.args.first().or_else(|| {
                            call.keywords
                                .iter()
                                .find(|k| k.arg.as_deref() == Some("dependency"))
                                .map(|k| &k.value)
                        });
                        if let Some(target) = target.and_then(|t| self.qualified(t)) {
                            self.facts.injects_session |= self.is_provider(&target)
                                || self.project.function_touches_db(&target);
                        }
                    } else if self.is_provider(&q) || is_one_of(&q, SESSIONMAKERS) {
                        self.facts.opens_session = true;
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut walk = Walk {
        project,
        semantic,
        facts,
    };
    walk.visit_body(body);
    let mut facts = walk.facts;
    // Using a provider or a session counts as touching the database.
    facts.touches |= facts.injects_session || facts.opens_session;
    facts
}

fn categorize(project: &Project, file: &ProjectFile, facts: &Facts) -> Category {
    let canon = &project.canon;
    let module = file.module.as_deref();
    if module.is_some() && module == canon.module.as_deref() {
        return Category::Canonical;
    }
    if file.layer() != Layer::Script
        && module.is_some_and(|m| project.is_redundant(m) || canon.deprecated.contains(m))
    {
        return Category::RedundantSessionModule;
    }
    if file.layer() == Layer::Router || (file.layer() == Layer::Other && facts.injects_session) {
        return Category::Router;
    }
    if file.relative.contains("scheduler") {
        return Category::Scheduler;
    }
    match file.layer() {
        Layer::Service => return Category::Service,
        Layer::Background => return Category::BackgroundTask,
        Layer::Script | Layer::Test => return Category::Script,
        Layer::Router | Layer::Other => {}
    }
    if facts.models {
        Category::Models
    } else if facts.session_param {
        Category::Service
    } else if facts.opens_session {
        Category::BackgroundTask
    } else {
        Category::Helper
    }
}

/// One finding that was fixed or is new.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub rule: &'static str,
    pub name: &'static str,
    /// 1-based line: in the base tree for a fixed finding, in the current
    /// tree for a new one.
    pub line: usize,
    /// The finding's source text, whitespace-normalised (what matches it).
    pub text: String,
}

/// What changed in one file since the base.
#[derive(Debug, Clone, Serialize)]
pub struct FileProgress {
    #[serde(skip)]
    pub abs_path: PathBuf,
    /// Relative to the project root, like [`AuditFile::path`].
    pub path: String,
    /// Findings in the base tree.
    pub before: usize,
    /// Findings now.
    pub after: usize,
    pub fixed: Vec<Change>,
    pub new: Vec<Change>,
}

/// Progress since a base tree.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// The ref as the user gave it.
    pub base: String,
    pub findings_before: usize,
    pub findings_after: usize,
    pub fixed: usize,
    pub new: usize,
    /// Files with something fixed or new, by path.
    pub files: Vec<FileProgress>,
}

/// `(rule, path relative to the root, normalised text)`.
type Key = (&'static str, String, String);

fn key_of(project: &Project, finding: &Finding) -> Key {
    let file = project.file(finding.file);
    let text = file.text().get(finding.range.clone()).unwrap_or_default();
    let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (finding.rule.id, file.relative.clone(), normalized)
}

fn line_of(project: &Project, finding: &Finding) -> usize {
    let file = project.file(finding.file);
    let offset = finding.range.start;
    match file.state() {
        FileState::Parsed(analysis) => analysis.lines.line_of(offset) + 1,
        _ => LineIndex::new(file.text()).line_of(offset) + 1,
    }
}

/// `text` with every name that is not an attribute replaced by `_`:
/// `direct_engine.connect()` and `engine.connect()` have the same shape.
pub fn shape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        if c.is_alphabetic() || c == '_' {
            let mut word = String::from(c);
            while let Some(&next) = chars.peek() {
                if next.is_alphanumeric() || next == '_' {
                    word.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            if previous == Some('.') {
                out.push_str(&word);
            } else {
                out.push('_');
            }
            previous = word.chars().last();
        } else {
            out.push(c);
            previous = Some(c);
        }
    }
    out
}

fn entry<'m>(
    files: &'m mut BTreeMap<String, FileProgress>,
    root: &std::path::Path,
    path: &str,
) -> &'m mut FileProgress {
    files
        .entry(path.to_owned())
        .or_insert_with(|| FileProgress {
            abs_path: root.join(path),
            path: path.to_owned(),
            before: 0,
            after: 0,
            fixed: Vec::new(),
            new: Vec::new(),
        })
}

/// Compares the findings of the base tree with the current ones. Findings
/// match by rule, path relative to the project root and the
/// whitespace-normalised text of their range, never by line, so edits
/// elsewhere in a file do not turn a finding into "fixed + new". What is
/// left unmatched is then matched by rule, path and the text's [`shape`]
/// (names replaced): a rename fix (`direct_engine` → `engine`) changes
/// the text of a finding it does not resolve, and that finding is still
/// the same one. Each finding matches at most once (counts are kept).
pub fn progress(
    base_ref: &str,
    base: &Project,
    base_findings: &[Finding],
    current: &Project,
    current_findings: &[Finding],
) -> Progress {
    let mut files: BTreeMap<String, FileProgress> = BTreeMap::new();
    let root = current.settings.root.as_path();
    let base_keys: Vec<Key> = base_findings.iter().map(|f| key_of(base, f)).collect();
    let current_keys: Vec<Key> = current_findings
        .iter()
        .map(|f| key_of(current, f))
        .collect();
    for key in &base_keys {
        entry(&mut files, root, &key.1).before += 1;
    }
    for key in &current_keys {
        entry(&mut files, root, &key.1).after += 1;
    }
    let mut base_matched = vec![false; base_keys.len()];
    let mut current_matched = vec![false; current_keys.len()];
    // First by exact text, then what is left by the text's shape (names
    // replaced), so a rename fix does not make a remaining finding look
    // fixed and new at once.
    for pass in 0..2 {
        let shaped = |key: &Key| -> Key {
            if pass == 0 {
                key.clone()
            } else {
                (key.0, key.1.clone(), shape(&key.2))
            }
        };
        let mut available: HashMap<Key, Vec<usize>> = HashMap::new();
        for (i, key) in current_keys.iter().enumerate().rev() {
            if !current_matched[i] {
                available.entry(shaped(key)).or_default().push(i);
            }
        }
        for (i, key) in base_keys.iter().enumerate() {
            if base_matched[i] {
                continue;
            }
            if let Some(j) = available.get_mut(&shaped(key)).and_then(Vec::pop) {
                base_matched[i] = true;
                current_matched[j] = true;
            }
        }
    }
    for (i, finding) in base_findings.iter().enumerate() {
        if !base_matched[i] {
            let key = &base_keys[i];
            entry(&mut files, root, &key.1).fixed.push(Change {
                rule: finding.rule.id,
                name: finding.rule.name,
                line: line_of(base, finding),
                text: key.2.clone(),
            });
        }
    }
    for (i, finding) in current_findings.iter().enumerate() {
        if !current_matched[i] {
            let key = &current_keys[i];
            entry(&mut files, root, &key.1).new.push(Change {
                rule: finding.rule.id,
                name: finding.rule.name,
                line: line_of(current, finding),
                text: key.2.clone(),
            });
        }
    }
    let files: Vec<FileProgress> = files
        .into_values()
        .filter(|f| !f.fixed.is_empty() || !f.new.is_empty())
        .collect();
    Progress {
        base: base_ref.to_owned(),
        findings_before: base_findings.len(),
        findings_after: current_findings.len(),
        fixed: files.iter().map(|f| f.fixed.len()).sum(),
        new: files.iter().map(|f| f.new.len()).sum(),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_likely_finding_ranks_one_step_lower() {
        let sure = Priority::of("DB115", Layer::Router, Confidence::Sure);
        let likely = Priority::of("DB115", Layer::Router, Confidence::Likely);
        assert_eq!((sure, likely), (Priority::High, Priority::Medium));
        assert_eq!(
            Priority::of("DB117", Layer::Service, Confidence::Likely),
            Priority::High
        );
        assert_eq!(
            Priority::of("DB101", Layer::Service, Confidence::Likely),
            Priority::Low
        );
    }
}
