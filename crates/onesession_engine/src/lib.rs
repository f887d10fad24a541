//! The onesession engine: configuration, discovery, prefilter, parsing in
//! parallel, the project index, running transforms, and (with the fix
//! model) planning and verifying edits. It never prints or prompts.

mod affected;
pub mod audit;
pub mod baseline;
pub mod cache;
pub mod checker;
pub mod config;
pub mod discover;
mod error;
pub mod fix;
pub mod model;
pub mod names;
pub mod project;
mod reach;
pub mod references;
pub mod resolve;
pub mod rule;
pub mod run;
pub mod settings;
pub mod signature;
pub mod summary;
#[cfg(test)]
mod testing;
pub mod verify;

pub use checker::Checker;
pub use error::{ConfigError, EngineError};
pub use onesession_python as python;
pub use onesession_text as text;
pub use project::{Inputs, Progress, Project, Silent};
pub use rule::{Confidence, Finding, Group, Rule, RuleSet, Transform};
pub use settings::{Layer, Settings};
