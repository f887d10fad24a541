//! What happens after the engine has computed fixes: showing them as
//! diffs, and writing them safely. Generic over writers; no global state.

pub mod branch;
pub mod diff;
pub mod interactive;
pub mod render;
pub mod write;
