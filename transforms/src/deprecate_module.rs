//! TODO(helper): deprecate-redundant-module — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct DeprecateModule;

impl Transform for DeprecateModule {
    fn name(&self) -> &'static str {
        "deprecate-redundant-module"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
