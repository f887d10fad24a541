//! `[tool.onesession]` in `pyproject.toml`, or `onesession.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::error::ConfigError;

/// The raw file contents, exactly as the user wrote them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub src: Option<Vec<String>>,
    pub canonical_module: Option<String>,
    pub context_manager: Option<String>,
    pub dependency: Option<String>,
    pub factories: Option<Vec<String>>,
    pub db_params: Option<Vec<String>>,
    pub db_params_providers: Option<Vec<String>>,
    pub tenant_columns: Option<Vec<String>>,
    pub tenant_filter_in_session: Option<bool>,
    pub dependency_commits: Option<bool>,
    pub exclude: Option<Vec<String>>,
    pub force_exclude: Option<bool>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    pub layers: Option<RawLayers>,
    pub deprecated: Option<BTreeMap<String, RawDeprecated>>,
    pub engine: Option<RawEngine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLayers {
    pub routers: Option<Vec<String>>,
    pub services: Option<Vec<String>>,
    pub background: Option<Vec<String>>,
    pub scripts: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDeprecated {
    pub replacement: Option<String>,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEngine {
    pub disable_statement_cache: Option<bool>,
    pub require_ssl: Option<bool>,
    pub user_pattern: Option<String>,
    pub pooler_host: Option<String>,
    pub pooler_port: Option<u16>,
}

/// Where a configuration was found.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    pub path: PathBuf,
    /// `tool.onesession` for pyproject.toml, empty for onesession.toml.
    pub table: &'static str,
}

/// Finds the configuration for `start` and its ancestors: the nearest
/// `onesession.toml`, or `pyproject.toml` holding `[tool.onesession]`.
pub fn find_config(start: &Path) -> Result<Option<(ConfigSource, RawConfig)>, ConfigError> {
    for dir in start.ancestors() {
        let own = dir.join("onesession.toml");
        if own.is_file() {
            let text = read(&own)?;
            let raw = parse_table(&own, &text, None)?;
            return Ok(Some((
                ConfigSource {
                    path: own,
                    table: "",
                },
                raw,
            )));
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let text = read(&pyproject)?;
            if let Some(raw) = parse_pyproject(&pyproject, &text)? {
                let source = ConfigSource {
                    path: pyproject,
                    table: "tool.onesession",
                };
                return Ok(Some((source, raw)));
            }
        }
    }
    Ok(None)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Parses a whole `onesession.toml`.
pub fn parse_onesession_toml(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    parse_table(path, text, None)
}

/// `None` when the pyproject has no `[tool.onesession]` table.
pub fn parse_pyproject(path: &Path, text: &str) -> Result<Option<RawConfig>, ConfigError> {
    let document: toml::Table = toml::from_str(text).map_err(|e| syntax(path, text, &e))?;
    let Some(table) = document
        .get("tool")
        .and_then(|tool| tool.get("onesession"))
        .cloned()
    else {
        return Ok(None);
    };
    parse_table(path, text, Some(table)).map(Some)
}

fn parse_table(
    path: &Path,
    text: &str,
    table: Option<toml::Value>,
) -> Result<RawConfig, ConfigError> {
    let result = match table {
        Some(value) => RawConfig::deserialize(value),
        None => toml::from_str(text),
    };
    result.map_err(|e| {
        // Errors from a detached table carry no span: find the key's line.
        let message = e.message().to_owned();
        let line = e
            .span()
            .map(|span| line_of(text, span.start))
            .or_else(|| offending_key(&message).and_then(|key| find_key_line(text, &key)));
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            message: clean_message(&message),
        }
    })
}

fn syntax(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_owned(),
        line: error.span().map(|s| line_of(text, s.start)),
        message: clean_message(error.message()),
    }
}

fn clean_message(message: &str) -> String {
    message.trim().replace('\n', " ")
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn offending_key(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    Some(rest.split('`').next()?.to_owned())
}

/// The line of `key` (`context-manager`, or a table like
/// `deprecated."app.db.x"`) in a configuration's text.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    find_key_line(text, key).or_else(|| {
        text.lines()
            .position(|l| {
                let l = l.trim();
                l.starts_with('[') && l.trim_end_matches(']').ends_with(key)
            })
            .map(|i| i + 1)
    })
}

fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
                || l.starts_with('[') && l.trim_end_matches(']').ends_with(&format!(".{key}"))
        })
        .map(|i| i + 1)
}

/// A compiled list of globs with the patterns kept for messages.
#[derive(Debug, Clone)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    pub fn new(patterns: &[String], origin: &Path, key: &str) -> Result<Self, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern).map_err(|e| ConfigError::Invalid {
                path: origin.to_owned(),
                line: None,
                message: format!("bad glob {pattern:?} in `{key}`: {}", e.kind()),
            })?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| ConfigError::Invalid {
            path: origin.to_owned(),
            line: None,
            message: format!("bad globs in `{key}`: {e}"),
        })?;
        Ok(Self {
            patterns: patterns.to_vec(),
            set,
        })
    }

    pub fn is_match(&self, relative: &str) -> bool {
        self.set.is_match(relative)
    }

    pub fn matches(&self, relative: &str) -> Vec<usize> {
        self.set.matches(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let text = "[project]\nname = \"x\"\n\n[tool.onesession]\ncanonical-modul = \"app.db\"\n";
        let err = parse_pyproject(Path::new("pyproject.toml"), text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("pyproject.toml:5"), "{shown}");
        assert!(shown.contains("canonical-modul"), "{shown}");
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn pyproject_without_table_is_not_a_config() {
        let text = "[project]\nname = \"x\"\n";
        assert!(parse_pyproject(Path::new("pyproject.toml"), text)
            .unwrap()
            .is_none());
    }

    #[test]
    fn nested_tables_parse() {
        let text = r#"
[tool.onesession]
canonical-module = "app.db.session"
[tool.onesession.deprecated."app.db.direct_session"]
names = { get_direct_session = "get_session" }
[tool.onesession.engine]
require-ssl = true
"#;
        let raw = parse_pyproject(Path::new("p"), text).unwrap().unwrap();
        let deprecated = raw.deprecated.unwrap();
        assert_eq!(
            deprecated["app.db.direct_session"].names["get_direct_session"],
            "get_session"
        );
        assert_eq!(raw.engine.unwrap().require_ssl, Some(true));
    }

    #[test]
    fn bad_glob_is_reported() {
        let err =
            Globs::new(&["app/[".into()], Path::new("onesession.toml"), "exclude").unwrap_err();
        assert!(err.to_string().contains("exclude"), "{err}");
    }
}
