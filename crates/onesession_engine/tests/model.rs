//! Issue 13: with no configuration, the project model inferred from each
//! fixture backend under `testdata/backends/` is the one its
//! `expected-model.toml` states: the canonical module and its real
//! providers (with their kinds), the redundant modules, the source roots,
//! the files treated as migrations or tests, and the layers.

use std::path::{Path, PathBuf};

use onesession_engine::config::RawConfig;
use onesession_engine::{Inputs, Layer, Project, Settings};

fn backends() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/backends");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected-model.toml").is_file())
        .collect();
    out.sort();
    out
}

/// The model of `root` with no configuration, as `check` builds it.
fn model(root: &Path) -> Project {
    let root = root.canonicalize().unwrap();
    let settings = Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
    let inputs = Inputs {
        paths: vec![root],
        ..Inputs::default()
    };
    let mut project = Project::open(settings, &inputs).unwrap();
    project.index().unwrap();
    project
}

fn strings(value: &toml::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn differences(backend: &Path) -> Vec<String> {
    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string(backend.join("expected-model.toml")).unwrap())
            .unwrap();
    let project = model(backend);
    let canon = &project.canon;
    let out = std::cell::RefCell::new(Vec::new());
    let differ = |what: &str, want: String, got: String| {
        if want != got {
            out.borrow_mut()
                .push(format!("{what}: want {want}, got {got}"));
        }
    };
    differ(
        "canonical module",
        expected["canonical-module"].as_str().unwrap().to_owned(),
        canon.module.clone().unwrap_or_default(),
    );
    let roots: Vec<String> = project
        .settings
        .src
        .iter()
        .map(|r| {
            let relative = r.strip_prefix(&project.settings.root).unwrap();
            match relative.to_string_lossy().as_ref() {
                "" => ".".to_owned(),
                other => other.to_owned(),
            }
        })
        .collect();
    differ(
        "source roots",
        format!("{:?}", strings(&expected["src"])),
        format!("{roots:?}"),
    );
    let mut redundant = strings(&expected["redundant"]);
    redundant.sort();
    differ(
        "redundant modules",
        format!("{redundant:?}"),
        format!(
            "{:?}",
            project.redundant_modules().into_iter().collect::<Vec<_>>()
        ),
    );
    let kind = |name: &str| {
        canon.providers.iter().find(|p| p.name == name).map(|p| {
            serde_json::to_value(p.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
    };
    let providers = expected["providers"].as_table().unwrap();
    for (name, want) in providers {
        differ(
            &format!("provider `{name}`"),
            want.as_str().unwrap().to_owned(),
            kind(name).unwrap_or_else(|| "missing".into()),
        );
    }
    for provider in &canon.providers {
        let sanctioned = provider.kind.is_context_manager() || provider.kind.is_dependency();
        if sanctioned && !providers.contains_key(&provider.name) {
            out.borrow_mut().push(format!(
                "invented provider `{}` ({:?})",
                provider.name, provider.kind
            ));
        }
    }
    for path in strings(&expected["excluded"]) {
        let file = project.files.iter().find(|f| f.relative == path);
        let excluded = file.is_some_and(|f| project.is_migration(f) || f.layer() == Layer::Test);
        if !excluded {
            out.borrow_mut()
                .push(format!("{path} is checked as application code"));
        }
    }
    if let Some(layers) = expected.get("layers").and_then(|l| l.as_table()) {
        for (path, want) in layers {
            let got = project
                .files
                .iter()
                .find(|f| &f.relative == path)
                .map_or("missing", |f| f.layer().as_str());
            differ(
                &format!("layer of {path}"),
                want.as_str().unwrap().to_owned(),
                got.to_owned(),
            );
        }
    }
    out.into_inner()
}

#[test]
fn every_fixture_backend_is_understood_without_a_configuration() {
    let mut failures = Vec::new();
    let all = backends();
    assert!(all.len() >= 5, "the fixture backends are there");
    for backend in all {
        for difference in differences(&backend) {
            failures.push(format!(
                "{}: {difference}",
                backend.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A module that yields something called a session without any SQLAlchemy
/// in it (prompt_toolkit's `create_app_session`, imported by dozens of
/// modules) is not a session module, however widely it is imported.
#[test]
fn a_session_that_is_not_a_database_session_never_competes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("app/__init__.py", "");
    write(
        "app/current.py",
        "from contextlib import contextmanager\n\n\
         class AppSession:\n    pass\n\n\
         @contextmanager\ndef create_app_session():\n    session = AppSession()\n    yield session\n",
    );
    for n in 0..12 {
        write(
            &format!("app/screen{n}.py"),
            "from app.current import create_app_session\n",
        );
    }
    write(
        "app/db.py",
        "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n\n\
         engine = create_engine('postgresql://')\nSessionLocal = sessionmaker(bind=engine)\n",
    );
    let project = model(dir.path());
    assert_eq!(project.canon.module.as_deref(), Some("app.db"));
    assert!(!project.is_redundant("app.current"));
}

/// The counterpart: a module that yields a session without saying
/// SQLAlchemy is a session module when it builds on one that does, also
/// through a package that re-exports the factory, and through two (the
/// model reads such a module only when its imports lead to a SQLAlchemy
/// session module, which `app.core` does only through `app.db`).
#[test]
fn a_provider_built_on_a_sqlalchemy_module_is_a_session_module() {
    let reexport = "from .database import SessionLocal  # session\n";
    for (deps, package, core) in [
        ("from app.db.database import SessionLocal\n", "", ""),
        ("from app.db import SessionLocal\n", reexport, ""),
        (
            "from app.core import SessionLocal\n",
            reexport,
            "from app.db import SessionLocal\n",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("app/__init__.py", "");
        write("app/db/__init__.py", package);
        write("app/core/__init__.py", core);
        write(
            "app/db/database.py",
            "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n\n\
             engine = create_engine('postgresql://')\nSessionLocal = sessionmaker(bind=engine)\n",
        );
        write(
            "app/api/deps.py",
            &format!("{deps}\n\ndef get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()\n"),
        );
        for n in 0..3 {
            write(
                &format!("app/routers/r{n}.py"),
                "from app.api.deps import get_db\n",
            );
        }
        let project = model(dir.path());
        let deps_candidate = project
            .canon
            .candidates
            .iter()
            .find(|c| c.module == "app.api.deps");
        assert!(
            deps_candidate.is_some_and(|c| c
                .evidence
                .iter()
                .any(|e| e.contains("built by `app.db.database`"))),
            "{deps}: {:?}",
            project.canon.candidates
        );
    }
}
