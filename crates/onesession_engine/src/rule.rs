//! Rules, transforms and findings.

use onesession_text::{Applicability, FileId, Fix, TextRange};

use crate::checker::Checker;

/// A rule: a stable id, a name, and its documentation (the doc comment of
/// its declaration, which `onesession explain` prints).
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Markdown: What it finds / Why is this bad? / Example / Fix safety.
    pub doc: &'static str,
    pub enabled_by_default: bool,
    /// Finds what it is for only when a canonical session module is known
    /// (configured or detected): without one it does not run in full, so
    /// a suppression of it cannot be called unused.
    pub requires_canonical: bool,
}

impl Rule {
    /// The documentation with the one leading space of `///` lines removed.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }
}

/// Declares a rule whose documentation is its doc comment.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it finds
///     /// ...
///     pub static DB101 = { id: "DB101", name: "factory-import", summary: "..." };
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            id: $id:literal, name: $name:literal, summary: $summary:literal
            $(, enabled_by_default: $enabled:literal)?
            $(, requires_canonical: $canonical:literal)? $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::Rule = $crate::Rule {
            id: $id,
            name: $name,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            enabled_by_default: true $(&& $enabled)?,
            requires_canonical: false $(|| $canonical)?,
        };
    };
}

/// One transform: finds one kind of problem (one or more rules) and
/// proposes its fixes. A transform never touches the file system; it
/// reports findings through the [`Checker`].
pub trait Transform: Sync + Send {
    /// Kebab-case name, used in commit messages and reports.
    fn name(&self) -> &'static str;
    fn rules(&self) -> &'static [&'static Rule];
    fn check(&self, checker: &mut Checker<'_>);
}

/// Something a rule found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
    pub fix: Option<Fix>,
    /// Fixes sharing a group are applied together; one manual member
    /// makes the whole group manual.
    pub group: Option<Group>,
    pub confidence: Confidence,
}

/// How sure a finding is. `Sure` when resolved names and the configuration
/// prove it; `Likely` when it rests on a heuristic (a text pattern, a
/// receiver's name, an inferred model or a documented exception): worth a
/// look, lower in `audit`'s priorities.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    #[default]
    Sure,
    Likely,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Sure => "sure",
            Confidence::Likely => "likely",
        }
    }
}

/// The key that ties findings whose fixes only work together.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Group {
    /// Parts in the finding's own file: findings of two files never share
    /// such a group, whatever the key.
    InFile(String),
    /// Parts anywhere in the project (a cross-file transform): the group is
    /// complete only once every file has been checked.
    AcrossFiles(String),
}

impl Group {
    pub fn spans_files(&self) -> bool {
        matches!(self, Group::AcrossFiles(_))
    }
}

impl Finding {
    pub fn applicability(&self) -> Applicability {
        self.fix
            .as_ref()
            .map_or(Applicability::Manual, |f| f.applicability)
    }
}

/// The rules that run: the registry filtered by select/ignore.
pub struct RuleSet<'t> {
    pub transforms: &'t [&'t dyn Transform],
    enabled: Vec<&'static str>,
    known: Vec<&'static str>,
}

impl<'t> RuleSet<'t> {
    /// `select` replaces the default set (prefixes allowed: `DB1` selects
    /// DB100-DB199); `ignore` removes from it. Unknown codes are errors.
    pub fn new(
        transforms: &'t [&'t dyn Transform],
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Self, String> {
        let all: Vec<&'static Rule> = crate::run::ENGINE_RULES
            .iter()
            .copied()
            .chain(transforms.iter().flat_map(|t| t.rules().iter().copied()))
            .collect();
        let matches = |code: &str| -> Result<Vec<&'static str>, String> {
            let code = code.trim();
            let hits: Vec<&'static str> = all
                .iter()
                .filter(|r| code == "ALL" || r.id.starts_with(code) || r.name == code)
                .map(|r| r.id)
                .collect();
            if hits.is_empty() {
                Err(format!("unknown rule `{code}` (see `onesession rules`)"))
            } else {
                Ok(hits)
            }
        };
        let mut enabled: Vec<&'static str> = match select {
            Some(codes) => {
                let mut out = Vec::new();
                for code in codes {
                    out.extend(matches(code)?);
                }
                out
            }
            None => all
                .iter()
                .filter(|r| r.enabled_by_default)
                .map(|r| r.id)
                .collect(),
        };
        for code in extend_select {
            enabled.extend(matches(code)?);
        }
        for code in ignore {
            let drop = matches(code)?;
            enabled.retain(|id| !drop.contains(id));
        }
        enabled.sort_unstable();
        enabled.dedup();
        let mut known: Vec<&'static str> = all.iter().map(|r| r.id).collect();
        known.sort_unstable();
        Ok(Self {
            transforms,
            enabled,
            known,
        })
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.binary_search(&id).is_ok()
    }

    /// A rule of this set (engine rules included) by id.
    pub fn rule(&self, id: &str) -> Option<&'static Rule> {
        crate::run::ENGINE_RULES
            .iter()
            .copied()
            .chain(
                self.transforms
                    .iter()
                    .flat_map(|t| t.rules().iter().copied()),
            )
            .find(|r| r.id == id)
    }

    /// True for the id of any rule (enabled or not).
    pub fn is_known(&self, id: &str) -> bool {
        self.known.binary_search(&id).is_ok()
    }

    pub fn enabled(&self) -> &[&'static str] {
        &self.enabled
    }

    /// Transforms with at least one enabled rule.
    pub fn active(&self) -> impl Iterator<Item = &'t dyn Transform> + '_ {
        self.transforms
            .iter()
            .copied()
            .filter(|t| t.rules().iter().any(|r| self.is_enabled(r.id)))
    }
}
