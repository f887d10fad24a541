//! Does a call fit a function's parameters? Python's binding rules, for
//! the fixes that change signatures and the verification after them.

use std::fmt;

use onesession_python::ast::{Expr, Keyword};

use crate::summary::{Param, ParamKind};

/// The shape of a call's arguments (what binding needs of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallArgs {
    /// Plain positional arguments before any `*args`.
    pub positional: usize,
    /// A `*args` argument: how many positions it fills is unknown.
    pub starred: bool,
    /// Keyword argument names, in order.
    pub keywords: Vec<String>,
    /// A `**kwargs` argument: which names it fills is unknown.
    pub double_starred: bool,
}

impl CallArgs {
    pub fn of(args: &[Expr], keywords: &[Keyword]) -> Self {
        let starred_at = args.iter().position(|a| matches!(a, Expr::Starred(_)));
        Self {
            positional: starred_at.unwrap_or(args.len()),
            starred: starred_at.is_some(),
            keywords: keywords
                .iter()
                .filter_map(|k| k.arg.as_ref().map(|a| a.to_string()))
                .collect(),
            double_starred: keywords.iter().any(|k| k.arg.is_none()),
        }
    }
}

/// Why a call does not bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    TooManyPositional { given: usize, accepted: usize },
    UnexpectedKeyword(String),
    MultipleValues(String),
    Missing(Vec<String>),
}

impl fmt::Display for Misfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Misfit::TooManyPositional { given, accepted } => write!(
                f,
                "passes {given} positional argument{} where {accepted} {} accepted",
                if *given == 1 { "" } else { "s" },
                if *accepted == 1 { "is" } else { "are" }
            ),
            Misfit::UnexpectedKeyword(name) => {
                write!(f, "passes `{name}=`, which it does not take")
            }
            Misfit::MultipleValues(name) => write!(f, "passes `{name}` twice"),
            Misfit::Missing(names) => write!(f, "does not pass `{}`", names.join("`, `")),
        }
    }
}

/// Binds a call to `params` (a bound method's `self` already dropped).
/// What `*args` or `**kwargs` could fill is given the benefit of the doubt.
pub fn bind(params: &[Param], call: &CallArgs) -> Result<(), Misfit> {
    let positional: Vec<&Param> = params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
        .collect();
    let var_args = params.iter().any(|p| p.kind == ParamKind::VarArgs);
    let var_keywords = params.iter().any(|p| p.kind == ParamKind::VarKeywords);
    if call.positional > positional.len() && !var_args {
        return Err(Misfit::TooManyPositional {
            given: call.positional,
            accepted: positional.len(),
        });
    }
    let mut filled: Vec<&str> = positional
        .iter()
        .take(call.positional)
        .map(|p| p.name.as_str())
        .collect();
    for keyword in &call.keywords {
        let target = params.iter().find(|p| {
            p.name == *keyword && matches!(p.kind, ParamKind::Regular | ParamKind::KeywordOnly)
        });
        match target {
            Some(param) if filled.contains(&param.name.as_str()) => {
                return Err(Misfit::MultipleValues(keyword.clone()));
            }
            Some(param) => filled.push(&param.name),
            None if var_keywords => {}
            None => return Err(Misfit::UnexpectedKeyword(keyword.clone())),
        }
    }
    let missing: Vec<String> = params
        .iter()
        .filter(|p| {
            !p.has_default
                && !matches!(p.kind, ParamKind::VarArgs | ParamKind::VarKeywords)
                && !filled.contains(&p.name.as_str())
        })
        // `*args` may fill the positional ones, `**kwargs` the named ones.
        .filter(|p| !(call.starred && p.kind != ParamKind::KeywordOnly))
        .filter(|p| !(call.double_starred && p.kind != ParamKind::PositionalOnly))
        .map(|p| p.name.clone())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Misfit::Missing(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(spec: &str) -> Vec<Param> {
        // `a`, `b=` (default), `/` ends positional-only, `*args`, `*`,
        // `**kw`, as in a def.
        let mut out = Vec::new();
        let mut keyword_only = false;
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "/" {
                for p in &mut out {
                    let p: &mut Param = p;
                    p.kind = ParamKind::PositionalOnly;
                }
                continue;
            }
            if part == "*" {
                keyword_only = true;
                continue;
            }
            let (name, kind) = if let Some(name) = part.strip_prefix("**") {
                (name, ParamKind::VarKeywords)
            } else if let Some(name) = part.strip_prefix('*') {
                keyword_only = true;
                (name, ParamKind::VarArgs)
            } else if keyword_only {
                (part, ParamKind::KeywordOnly)
            } else {
                (part, ParamKind::Regular)
            };
            let has_default = name.ends_with('=');
            out.push(Param {
                name: name.trim_end_matches('=').to_owned(),
                kind,
                has_default,
            });
        }
        out
    }

    fn call(positional: usize, keywords: &[&str]) -> CallArgs {
        CallArgs {
            positional,
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            ..CallArgs::default()
        }
    }

    #[test]
    fn positional_keyword_and_defaults() {
        let p = params("batch_id, chunk=");
        assert_eq!(bind(&p, &call(1, &[])), Ok(()));
        assert_eq!(bind(&p, &call(0, &["batch_id", "chunk"])), Ok(()));
        assert_eq!(
            bind(&p, &call(1, &["db_params"])),
            Err(Misfit::UnexpectedKeyword("db_params".into()))
        );
        assert_eq!(
            bind(&p, &call(3, &[])),
            Err(Misfit::TooManyPositional {
                given: 3,
                accepted: 2
            })
        );
        assert_eq!(
            bind(&p, &call(1, &["batch_id"])),
            Err(Misfit::MultipleValues("batch_id".into()))
        );
        assert_eq!(
            bind(&p, &call(0, &[])),
            Err(Misfit::Missing(vec!["batch_id".into()]))
        );
    }

    #[test]
    fn keyword_only_positional_only_and_varargs() {
        let p = params("a, /, b, *, c, d=");
        assert_eq!(bind(&p, &call(2, &["c"])), Ok(()));
        assert_eq!(
            bind(&p, &call(1, &["a", "b", "c"])),
            Err(Misfit::UnexpectedKeyword("a".into()))
        );
        assert_eq!(
            bind(&p, &call(3, &["c"])),
            Err(Misfit::TooManyPositional {
                given: 3,
                accepted: 2
            })
        );
        let p = params("a, *rest, **options");
        assert_eq!(bind(&p, &call(5, &["anything"])), Ok(()));
    }

    #[test]
    fn unpacked_arguments_get_the_benefit_of_the_doubt() {
        let p = params("a, b, *, c");
        let starred = CallArgs {
            starred: true,
            keywords: vec!["c".into()],
            ..CallArgs::default()
        };
        assert_eq!(bind(&p, &starred), Ok(()));
        let double = CallArgs {
            double_starred: true,
            ..CallArgs::default()
        };
        assert_eq!(bind(&p, &double), Ok(()));
        let unknown_keyword = CallArgs {
            starred: true,
            keywords: vec!["db_params".into()],
            ..CallArgs::default()
        };
        assert_eq!(
            bind(&p, &unknown_keyword),
            Err(Misfit::UnexpectedKeyword("db_params".into()))
        );
    }
}
