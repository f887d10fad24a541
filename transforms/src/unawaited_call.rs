//! TODO(helper): unawaited-session-call — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct UnawaitedCall;

impl Transform for UnawaitedCall {
    fn name(&self) -> &'static str {
        "unawaited-session-call"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
