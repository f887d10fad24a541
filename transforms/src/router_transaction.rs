//! TODO(helper): router-transaction — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct RouterTransaction;

impl Transform for RouterTransaction {
    fn name(&self) -> &'static str {
        "router-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
