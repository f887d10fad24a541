//! What the engine's unit tests share.

use crate::config::RawConfig;
use crate::project::{Inputs, Project};
use crate::settings::Settings;

/// A project of `files` (path relative to its root, text) with the
/// default settings: parsed up front (`load`) or lazily.
pub(crate) fn project_of(files: &[(&str, &str)], load: bool) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (relative, text) in files {
        let file = root.join(relative);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let settings = Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
    let inputs = Inputs {
        paths: vec![root],
        ..Inputs::default()
    };
    let project = if load {
        Project::load(settings, &inputs)
    } else {
        Project::open(settings, &inputs)
    };
    (dir, project.unwrap())
}
