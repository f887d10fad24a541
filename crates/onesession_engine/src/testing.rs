//! What the engine's unit tests share.

use crate::config::RawConfig;
use crate::project::{Inputs, Project};
use crate::settings::Settings;

/// A project of `files` (path relative to its root, text) with the
/// default settings: parsed up front (`load`) or lazily.
pub(crate) fn project_of(files: &[(&str, &str)], load: bool) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path().canonicalize().expect("it exists");
    for (relative, text) in files {
        let file = root.join(relative);
        let parent = file.parent().expect("a file under the root");
        std::fs::create_dir_all(parent).expect("a writable temporary directory");
        std::fs::write(file, text).expect("a writable temporary directory");
    }
    let settings = Settings::resolve(root.clone(), None, RawConfig::default())
        .expect("the default settings resolve");
    let inputs = Inputs {
        paths: vec![root],
        ..Inputs::default()
    };
    let project = if load {
        Project::load(settings, &inputs)
    } else {
        Project::open(settings, &inputs)
    };
    (dir, project.expect("a project of readable files loads"))
}
