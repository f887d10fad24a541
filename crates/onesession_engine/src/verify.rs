//! What a round of fixes must not break, beyond "it parses and the
//! finding is gone": a fixed program must still import and call
//! correctly. For every changed file, against its text before the round:
//!
//! - (a) every reference to a function whose parameters changed binds to
//!   the new signature (in every file of the program), and no call the
//!   file makes to a project function stops binding;
//! - (b) every name an added import takes exists where it is taken from;
//! - (c) no name becomes undefined, and no added import goes unused;
//! - (d) `await`, `async with` and `async for` appear only inside
//!   `async def`;
//! - (e) no name another module imports from the file (by name or with a
//!   star import) or may read through it (`module.name`) stops being
//!   defined there.
//!
//! A violation names the file whose units must be undone.

use std::cell::OnceCell;
use std::sync::Arc;

use onesession_python::ast::{Expr, Stmt};
use onesession_python::builtins::{is_builtin, is_stdlib_module};
use onesession_python::visit::{walk_expr, walk_stmt, Visitor};
use onesession_python::{
    parse_module, range_of, BindingKind, ParsedModule, SemanticModel, SyntaxError,
};
use onesession_text::{FileId, TextRange};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::project::{Analysis, FileState, Project, ProjectFile};
use crate::references::line_at;
use crate::resolve::{Resolver, Target};
use crate::rule::{Finding, RuleSet};
use crate::signature::{bind, CallArgs};
use crate::summary::{summarize, ModuleSummary};

/// Why a round's change to a file cannot stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub file: FileId,
    pub breaks: Breaks,
    pub reason: String,
}

/// What a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaks {
    /// The fixed text does not parse.
    Syntax,
    /// The fixed text parses, but the program no longer imports or calls
    /// correctly.
    Program,
}

/// What verifying a change needs of a file's text before it, taken from
/// the analysis the check made of that text so the text need not be
/// parsed again: the imports it binds, the names it leaves unbound, its
/// summary. (The rest, `await` placement and calls that do not bind, is
/// compared only when the changed text has any, from a parse of the old
/// text.)
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    imports: Vec<(String, String)>,
    unresolved: FxHashMap<String, usize>,
    summary: Arc<ModuleSummary>,
    /// What the check skipped, when it skipped function bodies.
    skipped: Option<Arc<Skipped>>,
}

/// The module-level functions whose bodies the check parsed as `...`
/// (see `onesession_python::inert`), so `unresolved` counts none of their
/// names. A function whose text the round left as it was is checked on
/// its own: a name its body leaves unbound after the fix was unbound
/// before unless the module bound it (a skipped body names no import, no
/// definition, nothing the module binds from a statement that touches
/// the database, but may use a plain module constant).
#[derive(Debug)]
struct Skipped {
    /// The whole text of each such function, decorators to last line.
    functions: FxHashSet<String>,
    /// The names the module bound before the round.
    module_names: FxHashSet<String>,
}

impl Baseline {
    pub(crate) fn of(analysis: &Analysis, text: &str) -> Self {
        let mut baseline = Self::from_parts(&analysis.semantic, Arc::clone(&analysis.summary));
        if !analysis.parsed.skipped.is_empty() {
            let semantic = &analysis.semantic;
            let module = semantic.scope_at(0);
            baseline.skipped = Some(Arc::new(Skipped {
                functions: skipped_functions(&analysis.parsed.body, &analysis.parsed.skipped)
                    .filter_map(|range| text.get(range).map(str::to_owned))
                    .collect(),
                module_names: semantic
                    .bindings()
                    .filter(|(_, binding)| binding.scope == module)
                    .map(|(_, binding)| binding.name.clone())
                    .collect(),
            }));
        }
        baseline
    }

    fn from_parts(semantic: &SemanticModel, summary: Arc<ModuleSummary>) -> Self {
        let mut unresolved: FxHashMap<String, usize> = FxHashMap::default();
        for (name, _) in unbound(semantic) {
            *unresolved.entry(name.clone()).or_default() += 1;
        }
        Self {
            imports: import_bindings(semantic)
                .map(|(name, target)| (name.to_owned(), target))
                .collect(),
            unresolved,
            summary,
            skipped: None,
        }
    }
}

impl Baseline {
    /// Stands for the old text: every function whose body the check
    /// skipped is still there, unchanged (else the old text is parsed).
    fn fits(&self, new: &Analysis, text: &str) -> bool {
        let Some(skipped) = &self.skipped else {
            return true;
        };
        let unchanged: FxHashSet<&str> = skipped
            .unchanged(new, text)
            .filter_map(|stmt| text.get(range_of(stmt)))
            .collect();
        unchanged.len() == skipped.functions.len()
    }
}

impl Skipped {
    /// The module-level statements of the new text that are one of the
    /// skipped functions, unchanged.
    fn unchanged<'n>(&'n self, new: &'n Analysis, text: &'n str) -> impl Iterator<Item = &'n Stmt> {
        new.parsed.body.iter().filter(move |stmt| {
            text.get(range_of(*stmt))
                .is_some_and(|t| self.functions.contains(t))
        })
    }
}

/// The whole range of each module-level function whose body is one of
/// `skipped` (the `...` the parser was given spans the body).
fn skipped_functions<'a>(
    body: &'a [Stmt],
    skipped: &'a [TextRange],
) -> impl Iterator<Item = TextRange> + 'a {
    body.iter().filter_map(move |stmt| {
        let inner = function_body(stmt)?;
        let span = body_span(inner)?;
        skipped.contains(&span).then(|| range_of(stmt))
    })
}

fn function_body(stmt: &Stmt) -> Option<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(def) => Some(&def.body),
        Stmt::AsyncFunctionDef(def) => Some(&def.body),
        _ => None,
    }
}

/// From the first statement's start to the last one's end.
fn body_span(body: &[Stmt]) -> Option<TextRange> {
    Some(range_of(body.first()?).start..range_of(body.last()?).end)
}

/// Where the baselines of a round's changed files come from: the check
/// that found the fixes kept one for each file with a fix
/// ([`Baseline::of`]); a file without one is parsed.
pub(crate) type Baselines = FxHashMap<FileId, Baseline>;

/// Checks the project's current texts against `before` (each changed
/// file's text before the round), from the baselines there are.
fn verify_round(
    project: &Project,
    before: &[(FileId, String)],
    baselines: &Baselines,
) -> Vec<Violation> {
    // Files are verified in parallel, one job each (a round changes many).
    before
        .par_iter()
        .with_max_len(1)
        .flat_map_iter(|(id, old_text)| verify_file(project, *id, old_text, baselines.get(id)))
        .collect()
}

/// [`crate::run::check`] and [`verify_round`] in one pass, keeping the
/// baselines of the files with fixes (for the next round).
pub(crate) fn check_and_verify(
    project: &Project,
    rules: &RuleSet<'_>,
    before: &[(FileId, String)],
    baselines: &Baselines,
) -> (Vec<Finding>, Vec<Violation>, Baselines) {
    let (findings, kept) = crate::run::check_with(project, rules, &keep_baseline);
    let violations = verify_round(project, before, baselines);
    (findings, violations, kept.into_iter().collect())
}

/// The baseline of a file with a fix, kept for the round that applies it.
pub(crate) fn keep_baseline(
    _: &ProjectFile,
    state: &FileState,
    text: &str,
    findings: &[Finding],
) -> Option<Baseline> {
    match state {
        FileState::Parsed(analysis) if findings.iter().any(|f| f.fix.is_some()) => {
            Some(Baseline::of(analysis, text))
        }
        _ => None,
    }
}

/// [`crate::run::recheck`] and [`verify_round`] in one pass: a changed
/// file is verified while the re-check holds its syntax tree, so its fixed
/// text is parsed once, not once for each. Violations come in the order
/// of `before`; the baselines of the files checked again that have fixes
/// come too.
pub(crate) fn recheck_and_verify(
    project: &Project,
    rules: &RuleSet<'_>,
    previous: &[Finding],
    affected: &FxHashSet<FileId>,
    before: &[(FileId, String)],
    baselines: &Baselines,
) -> (Vec<Finding>, Vec<Violation>, Baselines) {
    let old: FxHashMap<FileId, &str> = before.iter().map(|(f, t)| (*f, t.as_str())).collect();
    let (findings, answers) = crate::run::recheck_with(
        project,
        rules,
        previous,
        affected,
        &|file, state, text, findings| {
            let verified = old.get(&file.id).and_then(|old_text| match state {
                FileState::Parsed(new) => Some(verify_analysis(
                    project,
                    file.id,
                    old_text,
                    baselines.get(&file.id),
                    new,
                    text,
                )),
                FileState::SyntaxError(error) => {
                    Some(vec![broken_syntax(file.id, old_text, text, error)])
                }
                FileState::Skipped | FileState::Unreadable(_) => None,
            });
            let kept = keep_baseline(file, state, text, findings);
            (verified.is_some() || kept.is_some()).then_some((verified, kept))
        },
    );
    let mut verified: FxHashMap<FileId, Vec<Violation>> = FxHashMap::default();
    let mut kept = Baselines::default();
    for (id, (violations, baseline)) in answers {
        if let Some(violations) = violations {
            verified.insert(id, violations);
        }
        if let Some(baseline) = baseline {
            kept.insert(id, baseline);
        }
    }
    // A changed file the re-check did not reach (a migration, a file
    // outside the paths asked about) is verified on its own.
    let violations = before
        .par_iter()
        .with_max_len(1)
        .flat_map_iter(|(id, old_text)| match verified.get(id) {
            Some(violations) => violations.clone(),
            None => verify_file(project, *id, old_text, baselines.get(id)),
        })
        .collect();
    (findings, violations, kept)
}

fn verify_file(
    project: &Project,
    id: FileId,
    old_text: &str,
    baseline: Option<&Baseline>,
) -> Vec<Violation> {
    let file = project.file(id);
    file.with_any_analysis(|new, text| verify_analysis(project, id, old_text, baseline, new, text))
        .unwrap_or_else(|| match parse_module(file.text()) {
            Err(error) => vec![broken_syntax(id, old_text, file.text(), &error)],
            Ok(_) => vec![Violation {
                file: id,
                breaks: Breaks::Program,
                reason: "the fixed text cannot be read".into(),
            }],
        })
}

/// The fixed text does not parse: the fix broke it, or the old text did
/// not parse whole either (an error in a function body the check skipped,
/// see `onesession_python::inert`), which is said as such.
fn broken_syntax(file: FileId, old_text: &str, text: &str, error: &SyntaxError) -> Violation {
    if let Err(old) = parse_module(old_text) {
        let line = line_at(old_text, old.offset.min(old_text.len()));
        return Violation {
            file,
            breaks: Breaks::Syntax,
            reason: format!(
                "the file does not parse (line {line}: {}), in code no rule reads; fix its syntax first",
                old.message
            ),
        };
    }
    let line = line_at(text, error.offset.min(text.len()));
    Violation {
        file,
        breaks: Breaks::Syntax,
        reason: format!(
            "the fix would break the syntax (line {line}: {})",
            error.message
        ),
    }
}

/// A file's text before the round, parsed only when asked.
struct OldText<'t> {
    text: &'t str,
    module: &'t str,
    is_package: bool,
    parsed: OnceCell<Option<(ParsedModule, SemanticModel)>>,
}

impl OldText<'_> {
    fn parsed(&self) -> Option<&(ParsedModule, SemanticModel)> {
        self.parsed
            .get_or_init(|| {
                let parsed = parse_module(self.text).ok()?;
                let semantic = SemanticModel::build(
                    &parsed.body,
                    self.module,
                    self.is_package,
                    self.text.len(),
                );
                Some((parsed, semantic))
            })
            .as_ref()
    }
}

/// Checks a changed file's new analysis against its text before the round
/// (from its baseline when there is one).
fn verify_analysis(
    project: &Project,
    id: FileId,
    old_text: &str,
    baseline: Option<&Baseline>,
    new: &Analysis,
    text: &str,
) -> Vec<Violation> {
    let file = project.file(id);
    let module = file.module.as_deref().unwrap_or("");
    let old = OldText {
        text: old_text,
        module,
        is_package: file.is_package,
        parsed: OnceCell::new(),
    };
    let made;
    let baseline = match baseline.filter(|baseline| baseline.fits(new, text)) {
        Some(baseline) => baseline,
        None => {
            let Some((parsed, semantic)) = old.parsed() else {
                return Vec::new(); // nothing to compare with
            };
            let summary = Arc::new(summarize(&parsed.body, semantic, &|_| false));
            made = Baseline::from_parts(semantic, summary);
            &made
        }
    };
    let mut reasons = Vec::new();
    imports(project, &baseline.imports, new, text, &mut reasons);
    names(baseline, new, text, &mut reasons);
    awaits(&old, new, text, &mut reasons);
    calls(project, &old, new, text, &mut reasons);
    signatures(
        project,
        module,
        &baseline.summary,
        &new.summary,
        &mut reasons,
    );
    exports(
        project,
        module,
        &baseline.summary,
        &new.summary,
        &mut reasons,
    );
    reasons
        .into_iter()
        .map(|reason| Violation {
            file: id,
            breaks: Breaks::Program,
            reason,
        })
        .collect()
}

/// (b) imports the round added must name something that exists, and be
/// used.
fn imports(
    project: &Project,
    old_imports: &[(String, String)],
    new: &Analysis,
    text: &str,
    reasons: &mut Vec<String>,
) {
    for (id, binding) in new.semantic.bindings() {
        let Some(target) = imported(&binding.kind) else {
            continue;
        };
        if old_imports
            .iter()
            .any(|(name, t)| *name == binding.name && *t == target)
        {
            continue;
        }
        let line = line_at(text, binding.range.start);
        if let Some(why) = missing_import(project, &target) {
            reasons.push(format!("line {line}: the added import of `{target}` {why}"));
        }
        if new.semantic.uses(id).is_empty() {
            reasons.push(format!(
                "line {line}: the added import `{}` is never used",
                binding.name
            ));
        }
    }
}

fn imported(kind: &BindingKind) -> Option<String> {
    match kind {
        BindingKind::Import { qualified } => Some(qualified.clone()),
        BindingKind::ModuleImport { module } => Some(module.clone()),
        _ => None,
    }
}

fn import_bindings(semantic: &SemanticModel) -> impl Iterator<Item = (&str, String)> {
    semantic
        .bindings()
        .filter_map(|(_, b)| Some((b.name.as_str(), imported(&b.kind)?)))
}

/// Why importing `qualified` fails, if it does: a project module must
/// define the name (or hold it as a submodule); outside the project only
/// the standard library can be vouched for.
fn missing_import(project: &Project, qualified: &str) -> Option<String> {
    if project.is_module(qualified) || is_stdlib_module(qualified) {
        return None;
    }
    let (module, name) = qualified.rsplit_once('.')?;
    if project.is_module(module) {
        let summary = project.module(module).unwrap_or_default();
        return (!summary.defined_names.contains(name))
            .then(|| format!("names `{name}`, which `{module}` does not define"));
    }
    (!is_stdlib_module(module))
        .then(|| format!("comes from `{module}`, outside the project: it cannot be verified"))
}

/// Names loaded but bound nowhere, builtins aside.
fn unbound(semantic: &SemanticModel) -> impl Iterator<Item = &(String, TextRange)> {
    semantic
        .unresolved()
        .iter()
        .filter(|(name, _)| !is_builtin(name))
}

/// (c) names loaded but bound nowhere, counted per name: more than before
/// means the round removed something a remaining use needs.
fn names(baseline: &Baseline, new: &Analysis, text: &str, reasons: &mut Vec<String>) {
    // The bodies the baseline did not count, in functions the round left
    // as they were.
    let unchanged: Vec<TextRange> = baseline
        .skipped
        .as_deref()
        .map_or_else(Vec::new, |skipped| {
            skipped
                .unchanged(new, text)
                .filter_map(|stmt| body_span(function_body(stmt)?))
                .collect()
        });
    let mut counts: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (name, range) in unbound(&new.semantic) {
        let in_unchanged = unchanged.iter().any(|body| body.contains(&range.start));
        match &baseline.skipped {
            Some(skipped) if in_unchanged => {
                if skipped.module_names.contains(name) {
                    reasons.push(format!(
                        "line {}: `{name}` is used but no longer defined",
                        line_at(text, range.start)
                    ));
                }
            }
            _ => counts.entry(name).or_default().push(range.start),
        }
    }
    let mut after: Vec<(&str, Vec<usize>)> = counts.into_iter().collect();
    after.sort();
    for (name, offsets) in after {
        let was = baseline.unresolved.get(name).copied().unwrap_or(0);
        if offsets.len() > was {
            reasons.push(format!(
                "line {}: `{name}` is used but no longer defined",
                line_at(text, offsets[was.min(offsets.len() - 1)])
            ));
        }
    }
}

/// (d) `await`, `async with`, `async for` outside an `async def`.
fn awaits(old: &OldText<'_>, new: &Analysis, text: &str, reasons: &mut Vec<String>) {
    let after = async_outside(&new.parsed.body, &new.semantic);
    if after.is_empty() {
        return;
    }
    let Some((old_parsed, old_semantic)) = old.parsed() else {
        return;
    };
    let before = async_outside(&old_parsed.body, old_semantic).len();
    if after.len() > before {
        reasons.push(format!(
            "line {}: `await`/`async with` outside an `async def`",
            line_at(text, after[before])
        ));
    }
}

fn async_outside(body: &[Stmt], semantic: &SemanticModel) -> Vec<usize> {
    struct Collect<'m> {
        semantic: &'m SemanticModel,
        found: Vec<usize>,
    }
    impl<'a> Visitor<'a> for Collect<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if matches!(stmt, Stmt::AsyncWith(_) | Stmt::AsyncFor(_)) {
                let at = range_of(stmt).start;
                if !self.semantic.in_async_function(at) {
                    self.found.push(at);
                }
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Await(_) = expr {
                let at = range_of(expr).start;
                if !self.semantic.in_async_function(at) {
                    self.found.push(at);
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut collect = Collect {
        semantic,
        found: Vec::new(),
    };
    collect.visit_body(body);
    collect.found.sort_unstable();
    collect.found
}

/// (a) calls this file makes to project functions: no more of them may
/// fail to bind than before the round.
fn calls(
    project: &Project,
    old: &OldText<'_>,
    new: &Analysis,
    text: &str,
    reasons: &mut Vec<String>,
) {
    let after = misfits(project, &new.parsed.body, &new.semantic, text);
    if after.is_empty() {
        return;
    }
    let Some((old_parsed, old_semantic)) = old.parsed() else {
        return;
    };
    let before = misfits(project, &old_parsed.body, old_semantic, old.text).len();
    if after.len() > before {
        reasons.push(after[before].clone());
    }
}

fn misfits(project: &Project, body: &[Stmt], semantic: &SemanticModel, text: &str) -> Vec<String> {
    struct Collect<'r, 'p> {
        resolver: &'r Resolver<'p>,
        project: &'p Project,
        text: &'p str,
        found: Vec<String>,
    }
    impl<'a> Visitor<'a> for Collect<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                if let Target::Function { key, bound } = self.resolver.target(&call.func) {
                    if let Some(sig) = self.project.function(&key) {
                        let params = if bound {
                            sig.bound_params()
                        } else {
                            &sig.params
                        };
                        if let Err(misfit) = bind(params, &CallArgs::of(&call.args, &call.keywords))
                        {
                            self.found.push(format!(
                                "line {}: the call to `{key}` {misfit}",
                                line_at(self.text, range_of(expr).start)
                            ));
                        }
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let resolver = Resolver::new(project, semantic, body);
    let mut collect = Collect {
        resolver: &resolver,
        project,
        text,
        found: Vec::new(),
    };
    collect.visit_body(body);
    collect.found
}

/// (e) a name the module no longer binds must not be one another module
/// imports from it (`from app.db import get_legacy_session`, or a star
/// import of the module) or may read through it (`db.get_legacy_session`,
/// `mock.patch("app.db.get_legacy_session")`).
fn exports(
    project: &Project,
    module: &str,
    old: &ModuleSummary,
    new: &ModuleSummary,
    reasons: &mut Vec<String>,
) {
    if module.is_empty() {
        return;
    }
    let mut gone: Vec<&String> = old
        .defined_names
        .iter()
        .filter(|name| !new.defined_names.contains(*name))
        .filter(|name| {
            project.imports_name(module, name) || project.reads_through_module(module, name)
        })
        .collect();
    gone.sort();
    for name in gone {
        reasons.push(format!(
            "`{name}` is no longer defined in `{module}`, but another module imports it from there or reads it through the module"
        ));
    }
}

/// (a) functions of this file whose parameters changed: every reference
/// in the program must be known and bind to the new parameters.
fn signatures(
    project: &Project,
    module: &str,
    old: &ModuleSummary,
    new: &ModuleSummary,
    reasons: &mut Vec<String>,
) {
    let mut changed: Vec<&String> = new
        .functions
        .iter()
        .filter(|(name, sig)| {
            old.functions
                .get(*name)
                .is_some_and(|was| was.params != sig.params)
        })
        .map(|(name, _)| name)
        .collect();
    changed.sort();
    for name in changed {
        let key = format!("{module}.{name}");
        let references = project.references(&key);
        for place in &references.problems {
            reasons.push(format!("`{name}` changed its parameters, but {place}"));
        }
        let sig = &new.functions[name];
        if let Err(places) = crate::references::check_removal(project, sig, &[], &references.sites)
        {
            for place in places {
                reasons.push(format!("`{name}` changed its parameters: {place}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "from contextlib import asynccontextmanager\n\n@asynccontextmanager\nasync def get_session():\n    yield None\n";
    const SERVICE: &str = "class Service:\n    async def run(self, job, db_params):\n        return job\n\nservice = Service()\n";
    const CALLER: &str = "from app.service import service\n\nasync def go():\n    await service.run(1, db_params={})\n";

    /// The violations of changing `path` from its text in `files` to `after`.
    fn violations(files: &[(&str, &str)], path: &str, after: &str) -> Vec<String> {
        let (_dir, mut project) = crate::testing::project_of(files, true);
        let id = project
            .files
            .iter()
            .find(|f| f.relative == path)
            .unwrap()
            .id;
        let before = vec![(id, project.file(id).text().to_owned())];
        let baselines: Baselines = project
            .file(id)
            .with_any_analysis(|analysis, text| (id, Baseline::of(analysis, text)))
            .into_iter()
            .collect();
        project
            .replace_sources(vec![(id, after.to_owned())])
            .unwrap();
        // The check's baseline stands for a parse of the old text.
        let from_parse = verify_round(&project, &before, &Baselines::default());
        assert_eq!(verify_round(&project, &before, &baselines), from_parse);
        from_parse.into_iter().map(|v| v.reason).collect()
    }

    /// A helper the check parses as `...`: its body names only a plain
    /// module constant and a name bound nowhere.
    const HELPERS: &str = "session = None\nLIMIT = 10\n\n\ndef first(rows):\n    return rows[:LIMIT] + bound_nowhere\n";

    /// The violations of changing `app/helpers.py` to `after`, after
    /// checking that the baseline came from a check that skipped a body.
    fn helper_violations(after: &str) -> Vec<String> {
        let files = [("app/__init__.py", ""), ("app/helpers.py", HELPERS)];
        let (_dir, project) = crate::testing::project_of(&files, true);
        let skipped = project.files[1]
            .with_any_analysis(|analysis, _| analysis.parsed.skipped.len())
            .unwrap();
        assert_eq!(skipped, 1);
        violations(&files, "app/helpers.py", after)
    }

    #[test]
    fn a_skipped_body_is_verified_against_what_the_module_bound() {
        // The round removes the constant the skipped body uses.
        assert_eq!(
            helper_violations(&HELPERS.replace("LIMIT = 10", "pass")),
            ["line 6: `LIMIT` is used but no longer defined"]
        );
        // A name the body left unbound before is not the round's doing.
        assert_eq!(
            helper_violations(&HELPERS.replace("session = None", "session = 1")),
            Vec::<String>::new()
        );
        // A body the round changed is counted like any other code.
        assert_eq!(
            helper_violations(&HELPERS.replace("rows[:LIMIT]", "rows[:LIMITS]")),
            ["line 6: `LIMITS` is used but no longer defined"]
        );
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("app/__init__.py", ""),
            ("app/session.py", SESSION),
            ("app/service.py", SERVICE),
            ("app/caller.py", CALLER),
        ]
    }

    #[test]
    fn a_clean_change_passes() {
        let after = CALLER.replace(
            "service.run(1, db_params={})",
            "service.run(2, db_params={})",
        );
        assert_eq!(
            violations(&base(), "app/caller.py", &after),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_import_removed_while_still_used() {
        let after = CALLER.replace("from app.service import service\n", "");
        assert_eq!(
            violations(&base(), "app/caller.py", &after),
            ["line 3: `service` is used but no longer defined"]
        );
    }

    #[test]
    fn an_added_import_must_exist_and_be_used() {
        let after = format!(
            "from app.session import get_sesion\n{}",
            CALLER.replace(
                "await service",
                "async with get_sesion():\n        pass\n    await service"
            )
        );
        assert_eq!(
            violations(&base(), "app/caller.py", &after),
            ["line 1: the added import of `app.session.get_sesion` names `get_sesion`, which `app.session` does not define"]
        );
        let after = format!("from app.session import get_session\n{CALLER}");
        assert_eq!(
            violations(&base(), "app/caller.py", &after),
            ["line 1: the added import `get_session` is never used"]
        );
    }

    #[test]
    fn async_with_outside_an_async_def() {
        let files = [
            ("app/__init__.py", ""),
            ("app/session.py", SESSION),
            (
                "app/job.py",
                "from app.session import get_session\n\ndef job():\n    return get_session\n",
            ),
        ];
        let after = "from app.session import get_session\n\ndef job():\n    async with get_session() as s:\n        return s\n";
        assert_eq!(
            violations(&files, "app/job.py", after),
            ["line 4: `await`/`async with` outside an `async def`"]
        );
    }

    #[test]
    fn a_signature_change_must_reach_every_caller() {
        let after = SERVICE.replace(", db_params", "");
        let reasons = violations(&base(), "app/service.py", &after);
        assert_eq!(
            reasons,
            ["`Service.run` changed its parameters: app/caller.py:4: the call passes `db_params=`, which it does not take"]
        );
        // The caller changed in the same round is what makes it whole.
    }
}
