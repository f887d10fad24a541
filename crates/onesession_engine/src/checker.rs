//! What a transform sees of one file, and how it reports.

use onesession_python::ast::{self, Expr};
use onesession_python::{range_of, ParsedModule, SemanticModel, Suppression};
use onesession_text::{Fix, LineIndex, TextRange};

use crate::names::{is_one_of, FASTAPI_DEPENDS, SESSIONMAKERS, SESSION_CLASSES};
use crate::project::{Canon, Project, ProjectFile};
use crate::rule::{Finding, Rule, RuleSet};
use crate::settings::{Layer, Settings};

/// The context of one file under check.
pub struct Checker<'a> {
    pub project: &'a Project,
    pub file: &'a ProjectFile,
    pub source: &'a str,
    pub parsed: &'a ParsedModule,
    pub semantic: &'a SemanticModel,
    pub lines: &'a LineIndex,
    rules: &'a RuleSet<'a>,
    ignored: Vec<&'a str>,
    findings: Vec<Finding>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(
        project: &'a Project,
        file: &'a ProjectFile,
        rules: &'a RuleSet<'a>,
    ) -> Option<Self> {
        let analysis = file.analysis()?;
        Some(Self {
            project,
            file,
            source: file.text(),
            parsed: &analysis.parsed,
            semantic: &analysis.semantic,
            lines: &analysis.lines,
            rules,
            ignored: project.settings.ignored_for(&file.relative),
            findings: Vec::new(),
        })
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    pub fn settings(&self) -> &'a Settings {
        &self.project.settings
    }

    pub fn canon(&self) -> &'a Canon {
        &self.project.canon
    }

    pub fn layer(&self) -> Layer {
        self.file.layer
    }

    pub fn module(&self) -> Option<&'a str> {
        self.file.module.as_deref()
    }

    /// True in the canonical session module itself.
    pub fn is_canonical(&self) -> bool {
        self.canon().module.is_some() && self.canon().module.as_deref() == self.module()
    }

    /// True in a module the configuration deprecates or that builds its own
    /// engine or factory.
    pub fn is_redundant_module(&self) -> bool {
        self.module().is_some_and(|m| {
            self.canon().redundant.contains(m) || self.canon().deprecated.contains(m)
        })
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.rules.is_enabled(rule.id)
    }

    /// Reports a finding unless its rule is off, ignored for this file, or
    /// suppressed by a comment on the first or last line of `range`.
    /// Returns the finding so the caller can attach a fix.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        range: TextRange,
        message: impl Into<String>,
    ) -> Option<&mut Finding> {
        if !self.rules.is_enabled(rule.id) || self.ignored.contains(&rule.id) {
            return None;
        }
        let first = self.lines.line_of(range.start);
        let last = self
            .lines
            .line_of(range.end.saturating_sub(1).max(range.start));
        let suppressed = self.parsed.suppressions.iter().any(|(offset, s)| {
            let line = self.lines.line_of(*offset);
            (line == first || line == last) && s.covers(rule.id)
        });
        if suppressed {
            return None;
        }
        self.findings.push(Finding {
            rule,
            file: self.file.id,
            range,
            message: message.into(),
            fix: None,
            group: None,
            help: None,
        });
        self.findings.last_mut()
    }

    /// An import planner for this file: every transform adds and removes
    /// imports through it.
    pub fn imports(&self) -> onesession_python::imports::ImportEditor<'a> {
        onesession_python::imports::ImportEditor::new(
            self.source,
            &self.parsed.body,
            self.semantic,
            self.file.is_package,
        )
    }

    pub fn fix_safe(&self, edits: Vec<onesession_text::Edit>) -> Fix {
        Fix::safe(self.file.id, edits)
    }

    pub fn fix_unsafe(&self, edits: Vec<onesession_text::Edit>) -> Fix {
        Fix::unsafe_(self.file.id, edits)
    }

    pub fn text(&self, range: &TextRange) -> &'a str {
        self.source.get(range.clone()).unwrap_or_default()
    }

    pub fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }

    /// The qualified name of `expr`, following re-exports in the project.
    pub fn qualified(&self, expr: &Expr) -> Option<String> {
        let name = self.semantic.qualified_name(expr)?;
        Some(self.project.canonicalize(&name))
    }

    pub fn is_factory(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| self.canon().factories.contains(&q))
    }

    pub fn is_context_manager(&self, expr: &Expr) -> bool {
        self.canon().context_manager.is_some()
            && self.qualified(expr) == self.canon().context_manager
    }

    pub fn is_dependency(&self, expr: &Expr) -> bool {
        self.canon().dependency.is_some() && self.qualified(expr) == self.canon().dependency
    }

    pub fn is_depends(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, FASTAPI_DEPENDS))
    }

    pub fn is_session_class(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, SESSION_CLASSES))
    }

    pub fn is_sessionmaker(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, SESSIONMAKERS))
    }

    /// The local name under which `qualified` is imported at module level.
    pub fn local_name_of(&self, qualified: &str) -> Option<String> {
        self.semantic.bindings().find_map(|(_, b)| match &b.kind {
            onesession_python::BindingKind::Import { qualified: q }
                if b.scope == self.semantic.scope_at(0)
                    && self.project.canonicalize(q) == qualified =>
            {
                Some(b.name.clone())
            }
            _ => None,
        })
    }

    /// For `Depends(x)` calls: the dependency expression.
    pub fn depends_target<'e>(&self, expr: &'e Expr) -> Option<&'e Expr> {
        let Expr::Call(call) = expr else { return None };
        if !self.is_depends(&call.func) {
            return None;
        }
        call.args.first().or_else(|| {
            call.keywords
                .iter()
                .find(|k| k.arg.as_deref() == Some("dependency"))
                .map(|k| &k.value)
        })
    }

    /// True when a file imports SQLAlchemy, the canonical module or a
    /// redundant one: the name heuristics (a parameter called `session`)
    /// only apply in such files.
    pub fn touches_database(&self) -> bool {
        self.semantic.bindings().any(|(_, b)| match &b.kind {
            onesession_python::BindingKind::Import { qualified }
            | onesession_python::BindingKind::ModuleImport { module: qualified } => {
                let q = self.project.canonicalize(qualified);
                q.starts_with("sqlalchemy")
                    || self
                        .canon()
                        .module
                        .as_ref()
                        .is_some_and(|m| q.starts_with(m.as_str()))
                    || self
                        .canon()
                        .redundant
                        .iter()
                        .any(|m| q.starts_with(m.as_str()))
                    || self
                        .canon()
                        .deprecated
                        .iter()
                        .any(|m| q.starts_with(m.as_str()))
            }
            _ => false,
        })
    }

    pub fn suppression_at_line(&self, line: usize) -> Option<&Suppression> {
        self.parsed
            .suppressions
            .iter()
            .find(|(offset, _)| self.lines.line_of(*offset) == line)
            .map(|(_, s)| s)
    }

    pub fn range(&self, node: &impl ast::Ranged) -> TextRange {
        range_of(node)
    }
}
