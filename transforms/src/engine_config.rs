//! TODO(helper): engine-config — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct EngineConfig;

impl Transform for EngineConfig {
    fn name(&self) -> &'static str {
        "engine-config"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
