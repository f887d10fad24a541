//! TODO(helper): engine-bypass — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct EngineBypass;

impl Transform for EngineBypass {
    fn name(&self) -> &'static str {
        "engine-bypass"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
