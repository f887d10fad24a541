//! Python analysis for onesession: the only crate that depends on
//! `rustpython-parser`, so the parser can be swapped without touching a
//! transform.
//!
//! - [`parse`]: parse a module, falling back to offset-preserving masks for
//!   Python 3.12+ syntax the parser rejects; collects comments and
//!   suppression comments in the same lexing pass.
//! - [`inert`]: which module-level function bodies no rule can see into,
//!   parsed as `...` when the engine asks.
//! - [`visit`]: a by-reference walk that reaches every node.
//! - [`semantic`]: scopes, bindings and the qualified name of an
//!   expression, resolved through imports.
//! - [`imports`]: edits that add and remove imported names.
//! - [`builtins`]: the names Python provides (builtins, stdlib modules).
//! - [`source`]: text helpers at AST ranges (statement lines, argument
//!   removal with its comma, indentation).

pub mod builtins;
pub mod imports;
pub mod inert;
mod mask;
pub mod parse;
pub mod semantic;
pub mod source;
pub mod visit;

pub use inert::Relevance;
pub use parse::{parse_module, parse_module_skipping, ParsedModule, Suppression, SyntaxError};
pub use rustpython_parser::ast;
pub use semantic::{Binding, BindingId, BindingKind, ScopeId, ScopeKind, SemanticModel};

/// The byte range of any node, as `usize` offsets into the original text.
pub fn range_of<T: rustpython_parser::ast::Ranged>(node: &T) -> onesession_text::TextRange {
    let r = node.range();
    r.start().to_usize()..r.end().to_usize()
}
