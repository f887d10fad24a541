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
//!   `async def`.
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
}

impl Baseline {
    pub(crate) fn of(analysis: &Analysis) -> Self {
        Self::from_parts(&analysis.semantic, Arc::clone(&analysis.summary))
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
        }
    }
}

/// Where the baselines of a round's changed files come from: the check
/// that found the fixes kept one for each file with a fix
/// ([`Baseline::of`]); a file without one is parsed.
pub(crate) type Baselines = FxHashMap<FileId, Baseline>;

/// Checks the project's current texts against `before` (each changed
/// file's text before the round).
pub fn verify_round(project: &Project, before: &[(FileId, String)]) -> Vec<Violation> {
    verify_round_with(project, before, &Baselines::default())
}

fn verify_round_with(
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
    let violations = verify_round_with(project, before, baselines);
    (findings, violations, kept.into_iter().collect())
}

/// The baseline of a file with a fix, kept for the round that applies it;
/// none when the check skipped function bodies (the fixed text is parsed
/// whole, so its old text must be too).
pub(crate) fn keep_baseline(
    _: &ProjectFile,
    state: &FileState,
    _: &str,
    findings: &[Finding],
) -> Option<Baseline> {
    match state {
        FileState::Parsed(analysis)
            if analysis.parsed.skipped.is_empty() && findings.iter().any(|f| f.fix.is_some()) =>
        {
            Some(Baseline::of(analysis))
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
                FileState::SyntaxError(error) => Some(vec![broken_syntax(file.id, text, error)]),
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
            Err(error) => vec![broken_syntax(id, file.text(), &error)],
            Ok(_) => vec![Violation {
                file: id,
                breaks: Breaks::Program,
                reason: "the fixed text cannot be read".into(),
            }],
        })
}

fn broken_syntax(file: FileId, text: &str, error: &SyntaxError) -> Violation {
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
    let baseline = match baseline {
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
    names(&baseline.unresolved, new, text, &mut reasons);
    awaits(&old, new, text, &mut reasons);
    calls(project, &old, new, text, &mut reasons);
    signatures(
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
fn names(before: &FxHashMap<String, usize>, new: &Analysis, text: &str, reasons: &mut Vec<String>) {
    let mut counts: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (name, range) in unbound(&new.semantic) {
        counts.entry(name).or_default().push(range.start);
    }
    let mut after: Vec<(&str, Vec<usize>)> = counts.into_iter().collect();
    after.sort();
    for (name, offsets) in after {
        let was = before.get(name).copied().unwrap_or(0);
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
            .with_any_analysis(|analysis, _| (id, Baseline::of(analysis)))
            .into_iter()
            .collect();
        project
            .replace_sources(vec![(id, after.to_owned())])
            .unwrap();
        // The check's baseline stands for a parse of the old text.
        let from_parse = verify_round(&project, &before);
        assert_eq!(verify_round_with(&project, &before, &baselines), from_parse);
        from_parse.into_iter().map(|v| v.reason).collect()
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
