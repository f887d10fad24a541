//! Resolved settings: the configuration with defaults applied and globs
//! compiled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{find_config, ConfigSource, Globs, RawConfig};
use crate::error::ConfigError;

/// Directories no project wants checked by default: Alembic and other
/// migration environments legitimately build their own engine.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    "**/migrations/**",
    "**/alembic/**",
    "**/.venv/**",
    "**/venv/**",
    "**/node_modules/**",
    "**/__pypackages__/**",
];

pub const DEFAULT_FACTORIES: &[&str] = &[
    "async_session_factory",
    "async_session_maker",
    "AsyncSessionLocal",
    "SessionLocal",
    "async_session",
];

/// Where each layer lives when the configuration does not say (a
/// file-per-domain layout's `<domain>/router.py` as well as `routers/`).
const DEFAULT_ROUTERS: &[&str] = &[
    "**/routers/**",
    "**/routes/**",
    "**/endpoints/**",
    "**/views/**",
    "**/router.py",
    "**/routers.py",
    "**/routes.py",
    "**/views.py",
    "**/endpoints.py",
];
const DEFAULT_SERVICES: &[&str] = &[
    "**/services/**",
    "**/service/**",
    "**/crud/**",
    "**/repositories/**",
    "**/repository/**",
    "**/service.py",
    "**/services.py",
    "**/*_service.py",
    "**/crud.py",
    "**/repository.py",
    "**/repositories.py",
    "**/*_repository.py",
    "**/*_crud.py",
];
const DEFAULT_BACKGROUND: &[&str] = &[
    "**/tasks/**",
    "**/workers/**",
    "**/worker/**",
    "**/jobs/**",
    "**/background/**",
    "**/scheduler/**",
    "**/scheduler.py",
    "**/tasks.py",
    "**/jobs.py",
    "**/worker.py",
    "**/scheduled.py",
];
const DEFAULT_SCRIPTS: &[&str] = &["scripts/**", "**/scripts/**", "bin/**"];

/// Common names of session providers (words for the prefilter when the
/// configuration names none).
pub const DEFAULT_PROVIDERS: &[&str] = &[
    "get_session",
    "get_session_dependency",
    "get_db",
    "get_db_session",
    "get_async_session",
];

/// Which layer of the backend a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Router,
    Service,
    Background,
    Script,
    /// Tests and their fixtures: they build sessions against test
    /// databases by design; only the rules in [`Layer::TEST_RULES`] apply.
    Test,
    Other,
}

impl Layer {
    /// The rules that apply in tests: a test is code that must keep
    /// working (a caller of a function whose signature a fix changes), but
    /// how it obtains its sessions is its own business.
    pub const TEST_RULES: &'static [&'static str] = &["DB001", "DB002", "DB003", "DB104", "DB118"];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Router => "router",
            Layer::Service => "service",
            Layer::Background => "background",
            Layer::Script => "script",
            Layer::Test => "test",
            Layer::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Deprecated {
    pub replacement: String,
    /// Old name → name in the replacement module.
    pub names: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub disable_statement_cache: bool,
    pub require_ssl: bool,
    pub user_pattern: Option<Globs>,
    pub pooler_host: Option<String>,
    pub pooler_port: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The project root: the configuration's directory, else the directory
    /// checked (or the working directory).
    pub root: PathBuf,
    pub config: Option<ConfigSource>,
    /// Source roots, absolute: module names are paths relative to these.
    pub src: Vec<PathBuf>,
    /// The canonical session module, when configured.
    pub canonical_module: Option<String>,
    /// The configured providers and factories; what the configuration
    /// leaves out is found in the canonical module (see [`crate::model`]).
    pub context_manager: Option<String>,
    pub dependency: Option<String>,
    pub factories: Option<Vec<String>>,
    pub db_params: Vec<String>,
    pub db_params_providers: Vec<String>,
    pub tenant_columns: Vec<String>,
    /// `tenant-filter-in-session`: the canonical session applies the
    /// tenant filter itself (`None`: not said; detected from the module).
    pub tenant_filter_in_session: Option<bool>,
    /// `dependency-commits`: the sanctioned dependency commits what a
    /// request wrote (`None`: not said; read from the canonical module,
    /// see [`crate::Project::dependency_commits`]).
    pub dependency_commits: Option<bool>,
    pub exclude: Globs,
    /// `force-exclude`: the exclude globs apply to files named on the
    /// command line too (a pre-commit hook passes every staged file).
    pub force_exclude: bool,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub per_file_ignores: Vec<(Globs, Vec<String>)>,
    pub layers: Layers,
    pub deprecated: BTreeMap<String, Deprecated>,
    pub engine: EngineSettings,
}

/// How a file's layer is decided: the configured globs first, then tests
/// by path, then what the file does (it creates an `APIRouter`, declares
/// routes, registers scheduled or queued jobs), then the default globs;
/// cheap to clone (every project file keeps a handle, to decide its layer
/// when first asked).
#[derive(Debug, Clone)]
pub struct Layers(std::sync::Arc<LayerGlobs>);

#[derive(Debug)]
struct LayerGlobs {
    configured: Vec<(Layer, Globs)>,
    defaults: Vec<(Layer, Globs)>,
}

/// Text that shows a module's role whatever its path.
const ROUTER_SIGNS: &[&str] = &[
    "APIRouter(",
    "@router.",
    "@app.get(",
    "@app.post(",
    "@app.put(",
    "@app.patch(",
    "@app.delete(",
    "@app.api_route(",
];
const BACKGROUND_SIGNS: &[&str] = &[
    "@shared_task",
    "@celery.task",
    "@celery_app.task",
    "@app.task",
    ".scheduled_job(",
    ".add_job(",
    "@dramatiq.actor",
    "@actor",
    "@repeat_every",
    "@scheduler.",
    "@huey.",
    "@broker.task",
];

impl Layers {
    /// The layer of `relative` (`/`-separated, relative to the root);
    /// `text` is asked for only when the globs do not decide.
    pub fn of_file(&self, relative: &str, text: impl FnOnce() -> Option<String>) -> Layer {
        let first = |globs: &[(Layer, Globs)]| {
            globs
                .iter()
                .find(|(_, globs)| globs.is_match(relative))
                .map(|(layer, _)| *layer)
        };
        if let Some(layer) = first(&self.0.configured) {
            return layer;
        }
        if crate::model::is_test_path(relative) {
            return Layer::Test;
        }
        if let Some(text) = text() {
            let says = |signs: &[&str]| signs.iter().any(|s| text.contains(s));
            if says(ROUTER_SIGNS) {
                return Layer::Router;
            }
            if says(BACKGROUND_SIGNS) {
                return Layer::Background;
            }
        }
        first(&self.0.defaults).unwrap_or(Layer::Other)
    }

    /// The layer from the path alone.
    pub fn of(&self, relative: &str) -> Layer {
        self.of_file(relative, || None)
    }
}

pub(crate) fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}

impl Settings {
    /// Loads the configuration for `start` (a directory) and resolves it;
    /// without one, the project root is `default_root`.
    pub fn discover(start: &Path, default_root: &Path) -> Result<Self, ConfigError> {
        match find_config(start)? {
            Some((source, raw)) => {
                let root = source
                    .path
                    .parent()
                    .map_or_else(|| start.to_owned(), Path::to_owned);
                Self::resolve(root, Some(source), raw)
            }
            None => Self::resolve(
                unconfigured_root(start).unwrap_or_else(|| default_root.to_owned()),
                None,
                RawConfig::default(),
            ),
        }
    }

    pub fn resolve(
        root: PathBuf,
        source: Option<ConfigSource>,
        raw: RawConfig,
    ) -> Result<Self, ConfigError> {
        let origin = source
            .as_ref()
            .map_or_else(|| root.join("onesession.toml"), |s| s.path.clone());
        let key = |name: &str| match &source {
            Some(s) if !s.table.is_empty() => format!("{}.{name}", s.table),
            _ => name.to_owned(),
        };

        let src = match raw.src {
            Some(dirs) => dirs.iter().map(|d| root.join(d)).collect(),
            // `src/` is a source root in the src layout (a directory of
            // packages); with an `__init__.py` it is a package itself,
            // imported as `src.x`.
            None => {
                let mut dirs = vec![root.clone()];
                let src = root.join("src");
                if src.is_dir() && !src.join("__init__.py").is_file() {
                    dirs.push(src);
                }
                dirs
            }
        };

        let mut exclude = strings(DEFAULT_EXCLUDE);
        exclude.extend(raw.exclude.unwrap_or_default());
        let exclude = Globs::new(&exclude, &origin, &key("exclude"))?;

        let mut per_file_ignores = Vec::new();
        for (pattern, rules) in raw.per_file_ignores.unwrap_or_default() {
            let globs = Globs::new(&[pattern], &origin, &key("per-file-ignores"))?;
            per_file_ignores.push((globs, rules));
        }

        let raw_layers = raw.layers.unwrap_or_default();
        let mut configured = Vec::new();
        let mut defaults = Vec::new();
        for (layer, values, default, name) in [
            (
                Layer::Router,
                raw_layers.routers,
                DEFAULT_ROUTERS,
                "routers",
            ),
            (
                Layer::Service,
                raw_layers.services,
                DEFAULT_SERVICES,
                "services",
            ),
            (
                Layer::Background,
                raw_layers.background,
                DEFAULT_BACKGROUND,
                "background",
            ),
            (
                Layer::Script,
                raw_layers.scripts,
                DEFAULT_SCRIPTS,
                "scripts",
            ),
        ] {
            let key = key(&format!("layers.{name}"));
            match values {
                Some(values) => configured.push((layer, Globs::new(&values, &origin, &key)?)),
                None => defaults.push((layer, Globs::new(&strings(default), &origin, &key)?)),
            }
        }
        let layers = Layers(std::sync::Arc::new(LayerGlobs {
            configured,
            defaults,
        }));

        let canonical_module = raw.canonical_module;
        let deprecated = raw
            .deprecated
            .unwrap_or_default()
            .into_iter()
            .map(|(module, d)| {
                let replacement = d
                    .replacement
                    .or_else(|| canonical_module.clone())
                    .unwrap_or_default();
                (
                    module,
                    Deprecated {
                        replacement,
                        names: d.names,
                    },
                )
            })
            .collect();

        let raw_engine = raw.engine.unwrap_or_default();
        let user_pattern = raw_engine
            .user_pattern
            .map(|p| Globs::new(&[p], &origin, &key("engine.user-pattern")))
            .transpose()?;

        Ok(Self {
            root,
            config: source,
            src,
            canonical_module,
            context_manager: raw.context_manager,
            dependency: raw.dependency,
            factories: raw.factories,
            db_params: raw.db_params.unwrap_or_else(|| strings(&["db_params"])),
            db_params_providers: raw
                .db_params_providers
                .unwrap_or_else(|| strings(&["get_db_params"])),
            tenant_columns: raw
                .tenant_columns
                .unwrap_or_else(|| strings(&["tenant_id"])),
            tenant_filter_in_session: raw.tenant_filter_in_session,
            dependency_commits: raw.dependency_commits,
            exclude,
            force_exclude: raw.force_exclude.unwrap_or(false),
            select: raw.select,
            ignore: raw.ignore.unwrap_or_default(),
            per_file_ignores,
            layers,
            deprecated,
            engine: EngineSettings {
                // With no pooler declared, a direct connection needs no
                // such setting: nothing to say (issue 14).
                disable_statement_cache: raw_engine.disable_statement_cache.unwrap_or(
                    raw_engine.pooler_host.is_some() || raw_engine.pooler_port.is_some(),
                ),
                require_ssl: raw_engine.require_ssl.unwrap_or(false),
                user_pattern,
                pooler_host: raw_engine.pooler_host,
                pooler_port: raw_engine.pooler_port,
            },
        })
    }

    /// Names that may be the canonical module's providers and factories
    /// (the configured ones, else the common ones): words the prefilter
    /// and the reach scan look for.
    pub fn provider_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .factories
            .clone()
            .unwrap_or_else(|| strings(DEFAULT_FACTORIES));
        words.extend(self.context_manager.clone());
        words.extend(self.dependency.clone());
        if self.context_manager.is_none() || self.dependency.is_none() {
            words.extend(strings(DEFAULT_PROVIDERS));
        }
        words
    }

    /// Adds exclude globs (from the command line).
    pub fn extend_exclude(&mut self, patterns: &[String]) -> Result<(), ConfigError> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut all = self.exclude.patterns.clone();
        all.extend(patterns.iter().cloned());
        self.exclude = Globs::new(&all, Path::new("--exclude"), "--exclude")?;
        Ok(())
    }

    /// Loads an explicit configuration file (`--config`).
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let (raw, table) = if is_pyproject {
            let raw = crate::config::parse_pyproject(path, &text)?.ok_or_else(|| {
                ConfigError::Invalid {
                    path: path.to_owned(),
                    line: None,
                    message: "no [tool.onesession] table".into(),
                }
            })?;
            (raw, "tool.onesession")
        } else {
            (crate::config::parse_onesession_toml(path, &text)?, "")
        };
        let root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        let source = ConfigSource {
            path: path.to_owned(),
            table,
        };
        Self::resolve(root, Some(source), raw)
    }

    /// The file the settings came from, for messages.
    pub fn origin(&self) -> PathBuf {
        self.config
            .as_ref()
            .map_or_else(|| self.root.join("pyproject.toml"), |c| c.path.clone())
    }

    /// The name of a key as the user writes it in their file.
    pub fn key_name(&self, name: &str) -> String {
        match &self.config {
            Some(c) if !c.table.is_empty() => format!("[{}] {name}", c.table),
            _ => name.to_owned(),
        }
    }

    pub fn is_excluded(&self, relative: &str) -> bool {
        self.exclude.is_match(relative)
    }

    /// Rules ignored for one file by `per-file-ignores`.
    pub fn ignored_for(&self, relative: &str) -> Vec<&str> {
        self.per_file_ignores
            .iter()
            .filter(|(globs, _)| globs.is_match(relative))
            .flat_map(|(_, rules)| rules.iter().map(String::as_str))
            .collect()
    }

    /// Module name of a file from the source roots (the deepest root that
    /// holds it); `None` outside every root.
    pub fn module_name(&self, path: &Path) -> Option<(String, bool)> {
        // The walker's paths extend a source root byte for byte: split the
        // rest as a string (the longest root wins, as below).
        let plain = self
            .src
            .iter()
            .filter_map(|root| crate::discover::plain_suffix(path, root))
            .min_by_key(|rest| rest.len());
        if let Some(rest) = plain {
            let mut parts: Vec<&str> = rest.split('/').collect();
            let stem = parts.pop()?.strip_suffix(".py")?;
            let is_package = stem == "__init__";
            if !is_package {
                parts.push(stem);
            }
            if parts.iter().any(|p| !is_identifier(p)) {
                return None;
            }
            return Some((parts.join("."), is_package));
        }
        let root = self
            .src
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())?;
        let relative = path.strip_prefix(root).ok()?;
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let last = parts.pop()?;
        let stem = last.strip_suffix(".py")?;
        let is_package = stem == "__init__";
        if !is_package {
            parts.push(stem.to_owned());
        }
        if parts.iter().any(|p| !is_identifier(p)) {
            return None;
        }
        Some((parts.join("."), is_package))
    }
}

fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Without a configuration, where the project starts, so findings do not
/// depend on the directory `check` runs from: inside a package, the parent
/// of the outermost package (`__init__.py`) holding `start` (where its
/// imports start); else the nearest directory at or above `start` holding
/// `pyproject.toml`, `setup.py`, `setup.cfg` or `requirements.txt` (a
/// `scripts/` folder of the project).
fn unconfigured_root(start: &Path) -> Option<PathBuf> {
    let mut package = None;
    for dir in start.ancestors() {
        if !dir.join("__init__.py").is_file() {
            break;
        }
        package = dir.parent();
    }
    if let Some(root) = package {
        return Some(root.to_owned());
    }
    start
        .ancestors()
        .find(|dir| {
            [
                "pyproject.toml",
                "setup.py",
                "setup.cfg",
                "requirements.txt",
            ]
            .iter()
            .any(|marker| dir.join(marker).is_file())
        })
        .map(Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::resolve(PathBuf::from("/p"), None, RawConfig::default()).unwrap()
    }

    #[test]
    fn module_names_from_roots() {
        let s = settings();
        assert_eq!(
            s.module_name(Path::new("/p/app/db/session.py")),
            Some(("app.db.session".into(), false))
        );
        assert_eq!(
            s.module_name(Path::new("/p/app/__init__.py")),
            Some(("app".into(), true))
        );
        assert_eq!(s.module_name(Path::new("/p/my-scripts/x.py")), None);
        assert_eq!(s.module_name(Path::new("/elsewhere/x.py")), None);
    }

    #[test]
    fn default_layers_and_excludes() {
        let s = settings();
        assert_eq!(s.layers.of("app/routers/items.py"), Layer::Router);
        assert_eq!(s.layers.of("app/services/billing.py"), Layer::Service);
        assert_eq!(s.layers.of("app/tasks/cleanup.py"), Layer::Background);
        assert_eq!(s.layers.of("scripts/backfill.py"), Layer::Script);
        assert_eq!(s.layers.of("app/models/user.py"), Layer::Other);
        assert!(s.is_excluded("migrations/env.py"));
        assert!(s.is_excluded("backend/alembic/env.py"));
        assert!(!s.is_excluded("app/db/session.py"));
    }
}
