//! TODO(helper): tenant-filter — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct TenantFilter;

impl Transform for TenantFilter {
    fn name(&self) -> &'static str {
        "tenant-filter"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
