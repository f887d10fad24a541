//! TODO(helper): pooler-flag-misuse — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct PoolerFlags;

impl Transform for PoolerFlags {
    fn name(&self) -> &'static str {
        "pooler-flag-misuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
