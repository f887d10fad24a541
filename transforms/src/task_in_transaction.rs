//! TODO(helper): task-in-transaction — rules, docs, detector.

use onesession_engine::{Checker, Rule, Transform};

pub struct TaskInTransaction;

impl Transform for TaskInTransaction {
    fn name(&self) -> &'static str {
        "task-in-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _checker: &mut Checker<'_>) {}
}
