//! Import edits: the one place that adds or removes imported names.
//! (The planner that merges and places imports arrives with the fixes.)
