//! TODO(helper): shared-session-concurrency — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct SharedSession;

impl Transform for SharedSession {
    fn name(&self) -> &'static str {
        "shared-session-concurrency"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
