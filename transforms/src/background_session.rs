//! TODO(helper): background-session-reuse — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct BackgroundSession;

impl Transform for BackgroundSession {
    fn name(&self) -> &'static str {
        "background-session-reuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
