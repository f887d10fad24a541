//! TODO(helper): untracked-task — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct UntrackedTask;

impl Transform for UntrackedTask {
    fn name(&self) -> &'static str {
        "untracked-task"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
