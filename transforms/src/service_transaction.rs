//! TODO(helper): service-transaction — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct ServiceTransaction;

impl Transform for ServiceTransaction {
    fn name(&self) -> &'static str {
        "service-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
