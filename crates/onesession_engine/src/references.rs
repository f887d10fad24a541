//! Every reference to a project function, for the fixes that change its
//! parameters. A fix may drop a parameter only when every place that can
//! call the function is known and rewritten with it: direct calls,
//! `obj.method(...)` through instances (see [`crate::resolve`]), and the
//! function handed on to be called later (`add_task(f, ...)`,
//! `partial(f, ...)`, `run_in_executor(ex, f, ...)`), in every file of the
//! program, the excluded ones (tests) included. Anything the resolver
//! cannot prove unrelated (an untyped receiver, `getattr(x, "name")`, the
//! function stored or passed as a value, an override) is a problem that
//! makes the fix manual, with the place named.

use std::path::PathBuf;
use std::sync::Arc;

use onesession_python::ast::{self, Expr, ExprContext, Stmt};
use onesession_python::visit::{walk_expr, walk_stmt, Visitor};
use onesession_python::{parse_module, range_of, BindingKind, SemanticModel};
use onesession_text::{FileId, LineIndex, TextRange};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::project::{Analysis, Project};
use crate::resolve::{Resolver, Target};
use crate::signature::{bind, CallArgs};
use crate::summary::{FunctionSig, Param, ParamKind};

/// Where a function is called or handed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub file: FileId,
    /// The call: `f(...)`, or the call that hands `f` on.
    pub call: TextRange,
    /// What `f` receives (for `add_task(f, a, b=1)`: `a, b=1`).
    pub args: CallArgs,
    /// `self`/`cls` is bound (a call through an instance).
    pub bound: bool,
}

/// A place that stops a signature change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Relative to the project root.
    pub path: String,
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.why)
    }
}

#[derive(Debug, Default, Clone)]
pub struct References {
    pub sites: Vec<Site>,
    pub problems: Vec<Place>,
}

/// For a call that hands a function on to be called later with the rest
/// of its arguments, the position of that function among the arguments.
pub fn handed_on_at(resolver: &Resolver<'_>, call: &ast::ExprCall) -> Option<usize> {
    let qualified = resolver.qualified(&call.func).unwrap_or_default();
    let position = match qualified.as_str() {
        "functools.partial"
        | "asyncio.to_thread"
        | "anyio.to_thread.run_sync"
        | "starlette.concurrency.run_in_threadpool"
        | "fastapi.concurrency.run_in_threadpool" => 0,
        _ => match call.func.as_ref() {
            Expr::Attribute(attr) => match attr.attr.as_str() {
                "add_task" | "submit" | "call_soon" | "call_soon_threadsafe" => 0,
                "run_in_executor" | "call_later" | "call_at" => 1,
                _ => return None,
            },
            _ => return None,
        },
    };
    (call.args.len() > position && !matches!(call.args[position], Expr::Starred(_)))
        .then_some(position)
}

impl Project {
    /// Every reference to the project function `key` (`module.func` or
    /// `module.Class.method`), made once per state of the project's texts.
    pub fn references(&self, key: &str) -> Arc<References> {
        if let Some(known) = self.lock_references().get(key) {
            return Arc::clone(known);
        }
        let found = Arc::new(self.find_references(key));
        self.lock_references()
            .insert(key.to_owned(), Arc::clone(&found));
        found
    }

    fn find_references(&self, key: &str) -> References {
        let mut references = References::default();
        let Some(sig) = self.function(key) else {
            return references;
        };
        let (owner, name) = key.rsplit_once('.').unwrap_or(("", key));
        let class = self.class(owner).is_some().then(|| owner.to_owned());
        if let Some(class) = &class {
            let (order, _) = self.mro(class);
            for base in order.iter().skip(1) {
                if self
                    .find_method(base, name)
                    .is_some_and(|(k, _)| k.starts_with(base))
                {
                    references.problems.push(self.definition_place(
                        key,
                        format!("it overrides `{base}.{name}`, whose callers may reach it"),
                    ));
                }
            }
        }
        if sig.decorated {
            references.problems.push(self.definition_place(
                key,
                "a decorator wraps it, and may change how it is called".into(),
            ));
        }

        // The names it goes by: its own, and aliases imports give it.
        let mut names: Vec<String> = vec![name.to_owned()];
        let outside = self.outside_files();
        loop {
            let before = names.len();
            let aliases: Vec<String> = self
                .candidates(&names, outside)
                .par_iter()
                .flat_map_iter(|file| {
                    file.with_analysis(&names, |analysis, _| {
                        import_aliases(self, &analysis.semantic, key)
                    })
                    .unwrap_or_default()
                })
                .collect();
            for alias in aliases {
                if !names.contains(&alias) {
                    names.push(alias);
                }
            }
            if names.len() == before {
                break;
            }
        }

        let found: Vec<References> = self
            .candidates(&names, outside)
            .par_iter()
            .filter_map(|file| {
                file.with_analysis(&names, |analysis, text| {
                    let mut finder = Finder {
                        resolver: Resolver::new(self, &analysis.semantic, &analysis.parsed.body),
                        semantic: &analysis.semantic,
                        lines: &analysis.lines,
                        text,
                        file,
                        names: &names,
                        key,
                        class: class.as_deref(),
                        project: self,
                        current_class: None,
                        consumed: FxHashSet::default(),
                        found: References::default(),
                    };
                    finder.visit_body(&analysis.parsed.body);
                    finder.found
                })
            })
            .collect();
        for part in found {
            references.sites.extend(part.sites);
            references.problems.extend(part.problems);
        }
        references
            .problems
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        references.problems.dedup();
        references
    }

    fn definition_place(&self, key: &str, why: String) -> Place {
        let file = self.file_defining(key);
        let line = file
            .zip(self.function(key))
            .and_then(|(file, sig)| file.with_text(|text| line_at(text, sig.offset)))
            .unwrap_or(1);
        Place {
            path: file.map_or_else(|| key.to_owned(), |f| f.relative.clone()),
            line,
            why,
        }
    }

    /// Files whose text holds one of `names`: the project's and the
    /// excluded ones.
    fn candidates<'p>(&'p self, names: &[String], outside: &'p [OutsideFile]) -> Vec<Source<'p>> {
        let contains_any = |text: &str| {
            names
                .iter()
                .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
        };
        let mut sources: Vec<Source<'p>> = self
            .files
            .par_iter()
            .filter(|f| f.with_text(contains_any).unwrap_or(false))
            .map(Source::Project)
            .collect();
        sources.extend(
            outside
                .par_iter()
                .filter(|f| contains_any(&f.text))
                .map(Source::Outside)
                .collect::<Vec<_>>(),
        );
        sources
    }

    /// The excluded files of the program, read once.
    fn outside_files(&self) -> &[OutsideFile] {
        self.outside.get_or_init(|| {
            crate::discover::excluded_files(&self.settings)
                .into_par_iter()
                .filter_map(|path| {
                    let text = std::fs::read(&path)
                        .ok()
                        .and_then(|bytes| crate::project::decode_source(bytes).ok())?
                        .text;
                    let (module, is_package) = self
                        .settings
                        .module_name(&path)
                        .map_or((String::new(), false), |(m, p)| (m, p));
                    Some(OutsideFile {
                        relative: crate::discover::relative_to(&path, &self.settings.root),
                        path,
                        module,
                        is_package,
                        text,
                    })
                })
                .collect()
        })
    }
}

/// A Python file of the program that the check leaves out.
#[derive(Debug)]
pub struct OutsideFile {
    pub path: PathBuf,
    pub relative: String,
    module: String,
    is_package: bool,
    text: String,
}

enum Source<'p> {
    Project(&'p crate::project::ProjectFile),
    Outside(&'p OutsideFile),
}

impl Source<'_> {
    /// The file's analysis, with every body where one of `names` occurs
    /// parsed.
    fn with_analysis<R>(
        &self,
        names: &[String],
        f: impl FnOnce(&Analysis, &str) -> R,
    ) -> Option<R> {
        match self {
            Source::Project(file) => file.with_analysis_seeing(
                |parsed, text| names.iter().any(|n| parsed.skipped_mentions(text, n)),
                f,
            ),
            Source::Outside(file) => {
                let parsed = parse_module(&file.text).ok()?;
                let semantic = SemanticModel::build(
                    &parsed.body,
                    &file.module,
                    file.is_package,
                    file.text.len(),
                );
                let analysis = Analysis {
                    lines: LineIndex::new(&file.text),
                    summary: Arc::default(),
                    parsed,
                    semantic,
                };
                Some(f(&analysis, &file.text))
            }
        }
    }

    fn relative(&self) -> &str {
        match self {
            Source::Project(file) => &file.relative,
            Source::Outside(file) => &file.relative,
        }
    }
}

/// Local names that imports bind to `key`.
fn import_aliases(project: &Project, semantic: &SemanticModel, key: &str) -> Vec<String> {
    semantic
        .bindings()
        .filter_map(|(_, binding)| match &binding.kind {
            BindingKind::Import { qualified } if project.canonicalize(qualified) == key => {
                Some(binding.name.clone())
            }
            _ => None,
        })
        .collect()
}

struct Finder<'f, 'p> {
    resolver: Resolver<'p>,
    semantic: &'p SemanticModel,
    lines: &'p LineIndex,
    text: &'p str,
    file: &'f Source<'p>,
    names: &'f [String],
    key: &'f str,
    /// The class defining the target, for a method.
    class: Option<&'f str>,
    project: &'p Project,
    /// The qualified name of the module-level class being walked.
    current_class: Option<String>,
    /// Occurrences already accounted for (a callee, a function handed on).
    consumed: FxHashSet<usize>,
    found: References,
}

impl Finder<'_, '_> {
    fn is_candidate(&self, expr: &Expr) -> bool {
        let name = match expr {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attr) => attr.attr.as_str(),
            _ => return false,
        };
        self.names.iter().any(|n| n == name)
    }

    fn problem(&mut self, range: &TextRange, why: String) {
        self.found.problems.push(Place {
            path: self.file.relative().to_owned(),
            line: self.lines.line_of(range.start) + 1,
            why,
        });
    }

    fn shown(&self, range: &TextRange) -> String {
        let text = self.text.get(range.clone()).unwrap_or_default();
        let first = text.lines().next().unwrap_or_default();
        match first.char_indices().nth(57) {
            Some((cut, _)) if first.chars().count() > 60 => format!("{}...", &first[..cut]),
            _ => first.to_owned(),
        }
    }

    /// A call of (or handing on of) a candidate expression.
    fn site(
        &mut self,
        callee: &Expr,
        call: &ast::ExprCall,
        args: &[Expr],
        keywords: &[ast::Keyword],
    ) {
        let range = range_of(callee);
        self.consumed.insert(range.start);
        match self.resolver.target(callee) {
            Target::Function { key, bound } if key == self.key => {
                let Source::Project(file) = self.file else {
                    let shown = self.shown(&range_of(call));
                    self.problem(
                        &range_of(call),
                        format!("`{shown}` is in a file the check excludes; it cannot be rewritten with the definition"),
                    );
                    return;
                };
                self.found.sites.push(Site {
                    file: file.id,
                    call: range_of(call),
                    args: CallArgs::of(args, keywords),
                    bound,
                });
            }
            Target::Unknown => {
                let shown = self.shown(&range);
                self.problem(
                    &range,
                    format!("cannot tell what `{shown}` refers to (an untyped receiver)"),
                );
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ClassDef(class) => {
                let top_level =
                    self.semantic.scope_at(range_of(stmt).start) == self.semantic.scope_at(0);
                let qualified = top_level
                    .then(|| format!("{}.{}", self.semantic.module(), class.name))
                    .filter(|_| !self.semantic.module().is_empty());
                let outer = std::mem::replace(&mut self.current_class, qualified);
                walk_stmt(self, stmt);
                self.current_class = outer;
            }
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
            | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { name, .. }) => {
                if let (Some(target_class), Some(current)) =
                    (self.class, self.current_class.clone())
                {
                    let overrides = self.names.iter().any(|n| n == name.as_str())
                        && current != target_class
                        && self
                            .project
                            .mro(&current)
                            .0
                            .iter()
                            .any(|c| c == target_class);
                    if overrides {
                        self.problem(
                            &range_of(stmt),
                            format!("`{current}` overrides it, and calls through `{target_class}` may reach either"),
                        );
                    }
                }
                let class = self.current_class.take();
                walk_stmt(self, stmt);
                self.current_class = class;
            }
            // `__all__ = ["name"]` exports it; the strings are not calls.
            Stmt::Assign(assign)
                if assign
                    .targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__all__")) => {}
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                if self.is_candidate(&call.func) {
                    self.site(&call.func, call, &call.args, &call.keywords);
                }
                if let Some(at) = handed_on_at(&self.resolver, call) {
                    let callee = &call.args[at];
                    if self.is_candidate(callee) {
                        self.site(callee, call, &call.args[at + 1..], &call.keywords);
                    }
                }
                // `getattr(obj, "name")`: a dynamic reference.
                if matches!(call.func.as_ref(), Expr::Name(n) if matches!(n.id.as_str(), "getattr" | "setattr" | "hasattr"))
                {
                    if let Some(Expr::Constant(c)) = call.args.get(1) {
                        if let ast::Constant::Str(s) = &c.value {
                            if self.names.iter().any(|n| n == s) {
                                self.problem(
                                    &range_of(expr),
                                    format!(
                                        "`{}` looks it up by name",
                                        self.shown(&range_of(expr))
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            Expr::Name(_) | Expr::Attribute(_) if self.is_candidate(expr) => {
                let range = range_of(expr);
                if !self.consumed.contains(&range.start) {
                    let is_store = matches!(expr, Expr::Name(n) if n.ctx != ExprContext::Load)
                        || matches!(expr, Expr::Attribute(a) if a.ctx != ExprContext::Load);
                    match self.resolver.target(expr) {
                        Target::Function { key, .. } if key == self.key => {
                            let how = if is_store {
                                "rebinds it"
                            } else {
                                "uses it as a value, not a call"
                            };
                            let shown = self.shown(&range);
                            self.problem(&range, format!("`{shown}` {how}"));
                        }
                        Target::Unknown if !matches!(expr, Expr::Name(_)) => {
                            let shown = self.shown(&range);
                            self.problem(
                                &range,
                                format!(
                                    "cannot tell what `{shown}` refers to (an untyped receiver)"
                                ),
                            );
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// Binds each site as it will read once `removed` parameters are gone
/// from `sig` and the arguments that fill them are dropped from the call
/// (what the fix does at every site). `Err` names the sites that would
/// not bind.
pub fn check_removal(
    project: &Project,
    sig: &FunctionSig,
    removed: &[&str],
    sites: &[Site],
) -> Result<(), Vec<Place>> {
    let mut problems = Vec::new();
    for site in sites {
        let params: &[Param] = if site.bound {
            sig.bound_params()
        } else {
            &sig.params
        };
        let mut args = site.args.clone();
        let positional: Vec<&Param> = params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
            .collect();
        let dropped_positions = positional
            .iter()
            .take(args.positional)
            .filter(|p| removed.contains(&p.name.as_str()))
            .count();
        args.positional -= dropped_positions;
        args.keywords.retain(|k| !removed.contains(&k.as_str()));
        let kept: Vec<Param> = params
            .iter()
            .filter(|p| !removed.contains(&p.name.as_str()))
            .cloned()
            .collect();
        // A removed parameter `*args`/`**kwargs` may have filled: the call
        // cannot be rewritten safely.
        let unpacked_into_removed = params.iter().any(|p| {
            removed.contains(&p.name.as_str())
                && ((site.args.starred && p.kind != ParamKind::KeywordOnly)
                    || (site.args.double_starred && p.kind != ParamKind::PositionalOnly))
        });
        let file = project.file(site.file);
        let line = file
            .with_text(|text| line_at(text, site.call.start))
            .unwrap_or(1);
        let why = if unpacked_into_removed {
            Some("passes `*args`/`**kwargs` that may fill the removed parameter".to_owned())
        } else {
            bind(&kept, &args)
                .err()
                .map(|misfit| format!("the call {misfit}"))
        };
        if let Some(why) = why {
            problems.push(Place {
                path: file.relative.clone(),
                line,
                why,
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The 1-based line of `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1
}
