//! TODO(helper): convert-db-params — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct DbParams;

impl Transform for DbParams {
    fn name(&self) -> &'static str {
        "convert-db-params"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
