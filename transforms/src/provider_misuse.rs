//! TODO(helper): provider-misuse — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct ProviderMisuse;

impl Transform for ProviderMisuse {
    fn name(&self) -> &'static str {
        "provider-misuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
