//! Engine configuration: engines that break what the config declares
//! about connections (DB109). Also holds the analysis of an engine-builder
//! call (`EngineCall`) that `pooler_flags` shares.

use onesession_engine::names::{is_one_of, ENGINE_BUILDERS};
use onesession_engine::python::ast::{self, Constant, Expr};
use onesession_engine::python::source::{indentation_at, line_end};
use onesession_engine::python::{range_of, ScopeKind};
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Group, Rule, Transform};

declare_rule! {
    /// ## What it finds
    /// An engine (`create_async_engine(...)`, `create_engine(...)`) whose
    /// connection settings break what `[tool.onesession.engine]` declares:
    /// - `disable-statement-cache` (on when a pooler is declared: by this
    ///   key, `pooler-host` or `pooler-port`): `connect_args` without
    ///   `"statement_cache_size": 0` (asyncpg, or an async engine whose URL
    ///   is not a literal);
    /// - `require-ssl`: `connect_args` without an `"ssl"` key;
    /// - `user-pattern`, `pooler-host`, `pooler-port`: a literal URL whose
    ///   user, host or port does not match.
    ///
    /// With nothing declared in `[tool.onesession.engine]`, DB109 reports
    /// nothing: no setting is wrong for every deployment (a direct
    /// connection needs no statement-cache setting, a local database no
    /// SSL). Declare the pooler and the requirements to be checked.
    ///
    /// The canonical module is checked too: its engine is the one that
    /// matters most. When `connect_args` is not a literal (a variable, a
    /// call other than `dict(...)`) or the call takes `**kwargs`, the
    /// `connect_args` checks are skipped: what it holds is unknown. A URL
    /// for another driver (psycopg, sqlite), as a literal, a module
    /// constant or an f-string's literal start, skips the asyncpg
    /// statement-cache check; a sqlite URL skips the SSL check.
    ///
    /// ## Why is this bad?
    /// Behind a transaction pooler (pgbouncer, Supavisor) consecutive
    /// statements may run on different server connections: asyncpg's
    /// prepared-statement cache then fails with "prepared statement does
    /// not exist". A connection without SSL, a user without the pooler's
    /// tenant suffix, or a URL that goes around the pooler fails (or
    /// worse, works) only in production.
    ///
    /// ## Example
    /// ```python
    /// engine = create_async_engine(settings.database_url)
    /// ```
    /// Use instead:
    /// ```python
    /// engine = create_async_engine(
    ///     settings.database_url,
    ///     connect_args={"statement_cache_size": 0, "ssl": ssl_context},
    /// )
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the missing keys are added to a `connect_args={...}` dict
    /// literal, or as a new `connect_args={...}` keyword argument (in the
    /// call's own layout): `"statement_cache_size": 0`, and
    /// `"ssl": "require"` for asyncpg (`"sslmode": "require"` for
    /// psycopg); the values may need adjusting (an `ssl.SSLContext`).
    /// Manual when `connect_args` is a variable or a call, for a wrong
    /// value (`statement_cache_size` not 0, `ssl` turned off), for SSL with
    /// another driver, for URL problems (user, host, port), and when the
    /// URL's default names another database
    /// (`os.getenv("DATABASE_URL", "sqlite:///dev.db")`: the keys would
    /// break it).
    pub static DB109 = { id: "DB109", name: "engine-config", summary: "Engine configuration breaks the declared pooler/SSL settings" };
}

pub struct EngineConfig;

impl Transform for EngineConfig {
    fn name(&self) -> &'static str {
        "engine-config"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB109];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let mut found: Vec<(TextRange, String, Option<Edits>)> = Vec::new();
        checker.nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            if let Some(engine) = EngineCall::of(checker, call) {
                let mut own = Vec::new();
                check_engine(checker, &engine, &mut own);
                // One fix adds every missing entry; each finding about a
                // missing entry carries it (one unit, identical edits).
                let entries: Vec<String> = own
                    .iter()
                    .filter_map(|(_, _, m)| m.as_ref().and_then(|m| m.entry(&engine)))
                    .collect();
                let edits = add_connect_args(checker, &engine, &entries)
                    .filter(|_| !engine.may_not_be_postgres());
                for (range, message, missing) in own {
                    let fix = match (&missing, &edits) {
                        (Some(m), Some(edits)) if m.entry(&engine).is_some() => Some(edits.clone()),
                        _ => None,
                    };
                    found.push((range, message, fix));
                }
            }
        });
        for (range, message, edits) in found {
            let group = Group::InFile(format!("engine-config:{}", range.start));
            let fix = edits.map(|e| checker.fix_unsafe(e));
            if let Some(finding) = checker.report(&DB109, range, message) {
                if fix.is_some() {
                    finding.group = Some(group);
                }
                finding.fix = fix;
            }
        }
    }
}

type Edits = Vec<Edit>;

/// A `connect_args` entry a finding says is missing.
enum Missing {
    StatementCache,
    Ssl,
}

impl Missing {
    /// The entry the fix adds; `None` when the driver's SSL key is unknown.
    fn entry(&self, engine: &EngineCall<'_>) -> Option<String> {
        match self {
            Missing::StatementCache => Some("\"statement_cache_size\": 0".to_owned()),
            // asyncpg takes the libpq mode name as its `ssl` argument.
            Missing::Ssl if engine.expects_asyncpg() => Some("\"ssl\": \"require\"".to_owned()),
            Missing::Ssl => match &engine.url_literal {
                Some(url)
                    if url.dialect == "postgresql"
                        && matches!(url.driver.as_deref(), None | Some("psycopg2" | "psycopg")) =>
                {
                    Some("\"sslmode\": \"require\"".to_owned())
                }
                _ => None,
            },
        }
    }
}

/// The edits that add `entries` to the engine's `connect_args`: into a
/// dict literal, or as a new `connect_args={...}` keyword. `None` when
/// `connect_args` is something else (a variable, a call).
fn add_connect_args(
    checker: &Checker<'_>,
    engine: &EngineCall<'_>,
    entries: &[String],
) -> Option<Edits> {
    if entries.is_empty() {
        return None;
    }
    let source = checker.source;
    match engine.keyword("connect_args") {
        Some(keyword) => {
            let Expr::Dict(dict) = &keyword.value else {
                return None;
            };
            let items: Vec<TextRange> = dict
                .keys
                .iter()
                .zip(&dict.values)
                .map(|(k, v)| {
                    let value = range_of(v);
                    match k {
                        Some(k) => range_of(k).start..value.end,
                        None => value,
                    }
                })
                .collect();
            insert_items(source, &range_of(&keyword.value), &items, entries)
        }
        None => {
            if engine.call.keywords.iter().any(|k| k.arg.is_none()) {
                return None;
            }
            let mut items: Vec<TextRange> = engine
                .call
                .args
                .iter()
                .map(range_of)
                .chain(engine.call.keywords.iter().map(range_of))
                .collect();
            items.sort_by_key(|r| r.start);
            let call = range_of(engine.call);
            // The parentheses of the call: from the `(` after the callee.
            let open = range_of(engine.call.func.as_ref()).end
                + source[range_of(engine.call.func.as_ref()).end..call.end].find('(')?;
            let item = format!("connect_args={{{}}}", entries.join(", "));
            insert_items(source, &(open..call.end), &items, &[item])
        }
    }
}

/// Edits adding `new` items at the end of the bracketed list `container`
/// (from its opening to past its closing bracket) whose items are `items`:
/// a multi-line list gets one line per item with the items' indentation
/// (keeping its trailing-comma style), a single-line list `, item`.
fn insert_items(
    source: &str,
    container: &TextRange,
    items: &[TextRange],
    new: &[String],
) -> Option<Edits> {
    let close = container.end.checked_sub(1)?;
    let Some(last) = items.last() else {
        let inner = container.start + 1..close;
        if !source.get(inner.clone())?.trim().is_empty() {
            return None;
        }
        return Some(vec![Edit::replace(inner, new.join(", "))]);
    };
    let tail = source.get(last.end..close)?;
    let trailing_comma = tail.trim_start().starts_with(',');
    if tail.contains('\n') {
        // After the last item's comma (or the item), the line must hold
        // nothing but a comment.
        let after = if trailing_comma {
            last.end + tail.find(',')? + 1
        } else {
            last.end
        };
        let end = line_end(source, after);
        let rest = source[after..end].trim();
        if (rest.is_empty() || rest.starts_with('#')) && end <= close {
            let indent = indentation_at(source, last.start);
            let lines: Vec<String> = new.iter().map(|n| format!("{indent}{n}")).collect();
            let mut edits = Vec::new();
            let text = if trailing_comma {
                format!("{},\n", lines.join(",\n"))
            } else {
                edits.push(Edit::insert(last.end, ","));
                format!("{}\n", lines.join(",\n"))
            };
            edits.push(Edit::insert(end, text));
            return Some(edits);
        }
    }
    Some(vec![Edit::insert(
        last.end,
        format!(", {}", new.join(", ")),
    )])
}

fn check_engine(
    checker: &Checker<'_>,
    engine: &EngineCall<'_>,
    found: &mut Vec<(TextRange, String, Option<Missing>)>,
) {
    let settings = &checker.settings().engine;
    let at = range_of(engine.call.func.as_ref());
    let builder = checker.text(&at).to_owned();
    let url = engine.url_literal.as_ref();
    let is_sqlite = engine.is_sqlite();

    // The statement cache. A top-level `statement_cache_size=` keyword is
    // DB114's (it belongs in connect_args; moving it fixes this too).
    if settings.disable_statement_cache
        && engine.expects_asyncpg()
        && !url.is_some_and(|u| u.query_is("statement_cache_size", "0"))
        && engine.keyword("statement_cache_size").is_none()
    {
        match &engine.connect_args {
            ConnectArgs::Missing => found.push((
                at.clone(),
                format!("`{builder}(...)` has no `connect_args`: add `\"statement_cache_size\": 0` (asyncpg's prepared statements break behind a transaction pooler)"),
                Some(Missing::StatementCache),
            )),
            ConnectArgs::Dict(entries) => match find_key(entries, "statement_cache_size") {
                Some(entry) => {
                    if let Some(value) = int_literal(entry.value) {
                        if value != "0" {
                            found.push((
                                at.clone(),
                                format!("`connect_args` sets `\"statement_cache_size\"` to {value}; it must be 0 behind a transaction pooler"),
                                None,
                            ));
                        }
                    }
                }
                None if !has_unpacking(entries) => found.push((
                    at.clone(),
                    format!("`connect_args` of `{builder}(...)` has no `\"statement_cache_size\": 0` (asyncpg's prepared statements break behind a transaction pooler)"),
                    Some(Missing::StatementCache),
                )),
                None => {}
            },
            ConnectArgs::Unknown => {}
        }
    }

    // SSL.
    if settings.require_ssl
        && !is_sqlite
        && !url.is_some_and(|u| u.query_has("ssl") || u.query_has("sslmode"))
    {
        let keys: &[&str] = if engine.expects_asyncpg() {
            &["ssl"]
        } else {
            &["ssl", "sslmode"]
        };
        match &engine.connect_args {
            ConnectArgs::Missing => found.push((
                at.clone(),
                format!("`{builder}(...)` has no `connect_args` with `\"ssl\"`, but the config requires SSL (engine.require-ssl)"),
                Some(Missing::Ssl),
            )),
            ConnectArgs::Dict(entries) => {
                match keys.iter().find_map(|k| find_key(entries, k)) {
                    Some(entry) => {
                        if matches!(entry.value, Expr::Constant(c) if matches!(c.value, Constant::Bool(false) | Constant::None))
                        {
                            found.push((
                                at.clone(),
                                format!("`connect_args` turns `\"{}\"` off, but the config requires SSL (engine.require-ssl)", entry.key.unwrap_or("ssl")),
                                None,
                            ));
                        }
                    }
                    None if !has_unpacking(entries) => found.push((
                        at.clone(),
                        format!("`connect_args` of `{builder}(...)` has no `\"ssl\"` key, but the config requires SSL (engine.require-ssl)"),
                        Some(Missing::Ssl),
                    )),
                    None => {}
                }
            }
            ConnectArgs::Unknown => {}
        }
    }

    // The URL, when it is a literal.
    let Some(url) = url else { return };
    if let Some(pattern) = &settings.user_pattern {
        match &url.user {
            Some(user) if pattern.is_match(user) => {}
            Some(user) => found.push((
                at.clone(),
                format!("database user `{user}` in the URL does not match the configured engine.user-pattern"),
                None,
            )),
            None => found.push((
                at.clone(),
                "the URL names no database user; the configured engine.user-pattern requires one".to_owned(),
                None,
            )),
        }
    }
    if let Some(host) = &settings.pooler_host {
        if url.host.as_deref() != Some(host.as_str()) {
            found.push((
                at.clone(),
                format!(
                    "URL host `{}` bypasses the pooler host `{host}` (engine.pooler-host)",
                    url.host.as_deref().unwrap_or("")
                ),
                None,
            ));
        }
    }
    if let Some(port) = settings.pooler_port {
        let actual = url.port.unwrap_or(5432);
        if actual != port {
            found.push((
                at,
                format!("URL port {actual} bypasses the pooler port {port} (engine.pooler-port)"),
                None,
            ));
        }
    }
}

/// What an engine-builder call says about its connections.
pub(crate) struct EngineCall<'a> {
    pub call: &'a ast::ExprCall,
    /// `create_async_engine` / `async_engine_from_config`.
    pub is_async: bool,
    pub url_literal: Option<Url>,
    /// The URL's dialect and driver where the code says them without a
    /// literal URL (see [`scheme_of`]).
    pub scheme: Option<Scheme>,
    pub connect_args: ConnectArgs<'a>,
}

/// A URL's dialect and driver, read from a literal URL, a module constant
/// or an f-string's literal start (`certain`), or from the default of
/// `os.getenv("...", "sqlite:///...")` (not certain: the environment may
/// say another database).
pub(crate) struct Scheme {
    pub dialect: String,
    pub driver: Option<String>,
    pub certain: bool,
}

pub(crate) enum ConnectArgs<'a> {
    /// No `connect_args` keyword (and no `**kwargs` that could hold one).
    Missing,
    /// A dict literal or `dict(...)` call: its entries.
    Dict(Vec<Entry<'a>>),
    /// A variable, another call, `**kwargs`: unknown.
    Unknown,
}

pub(crate) struct Entry<'a> {
    /// The string key; `None` for `**other` or a non-literal key.
    pub key: Option<&'a str>,
    /// Where the key is written (the keyword for `dict(k=v)`).
    pub key_range: TextRange,
    pub value: &'a Expr,
    pub is_unpacking: bool,
}

impl<'a> EngineCall<'a> {
    pub fn of(checker: &Checker<'_>, call: &'a ast::ExprCall) -> Option<Self> {
        let builder = checker.qualified(&call.func)?;
        if !is_one_of(&builder, ENGINE_BUILDERS) {
            return None;
        }
        let from_config = builder.ends_with("engine_from_config");
        let is_async = builder.starts_with("sqlalchemy.ext.asyncio");
        let url = if from_config {
            None
        } else {
            call.args.first().or_else(|| {
                call.keywords
                    .iter()
                    .find(|k| k.arg.as_deref() == Some("url"))
                    .map(|k| &k.value)
            })
        };
        let url_literal = url.and_then(str_literal).map(Url::parse);
        let scheme = url.and_then(|url| scheme_of(checker, url));
        let connect_args = match call
            .keywords
            .iter()
            .find(|k| k.arg.as_deref() == Some("connect_args"))
        {
            Some(keyword) => {
                entries_of(&keyword.value).map_or(ConnectArgs::Unknown, ConnectArgs::Dict)
            }
            None if from_config || call.keywords.iter().any(|k| k.arg.is_none()) => {
                ConnectArgs::Unknown
            }
            None => ConnectArgs::Missing,
        };
        Some(Self {
            call,
            is_async,
            url_literal,
            scheme,
            connect_args,
        })
    }

    /// The driver is asyncpg: the URL certainly says `+asyncpg`, or it is
    /// an async engine whose URL does not certainly say another driver.
    pub fn expects_asyncpg(&self) -> bool {
        match &self.scheme {
            Some(scheme) if scheme.certain => scheme.driver.as_deref() == Some("asyncpg"),
            _ => self.is_async,
        }
    }

    /// The URL certainly names a sqlite database.
    pub fn is_sqlite(&self) -> bool {
        self.scheme
            .as_ref()
            .is_some_and(|s| s.certain && s.dialect.starts_with("sqlite"))
    }

    /// Some environment may run the engine on a database other than
    /// PostgreSQL (`os.getenv("DATABASE_URL", "sqlite:///dev.db")`): adding
    /// asyncpg's or libpq's keys would break it there.
    pub fn may_not_be_postgres(&self) -> bool {
        self.scheme
            .as_ref()
            .is_some_and(|s| !s.certain && s.dialect != "postgresql")
    }

    pub fn keyword(&self, name: &str) -> Option<&'a ast::Keyword> {
        self.call
            .keywords
            .iter()
            .find(|k| k.arg.as_deref() == Some(name))
    }
}

/// What [`Scheme`] the URL argument says: a string literal, a module-level
/// constant assigned once, an f-string whose literal start holds the
/// scheme, or (not certain) the literal default of `os.getenv` /
/// `os.environ.get`.
fn scheme_of(checker: &Checker<'_>, url: &Expr) -> Option<Scheme> {
    let scheme = |text: &str, certain: bool| {
        text.contains("://").then(|| {
            let url = Url::parse(text);
            Scheme {
                dialect: url.dialect,
                driver: url.driver,
                certain,
            }
        })
    };
    match url {
        Expr::Constant(_) => scheme(str_literal(url)?, true),
        Expr::JoinedStr(joined) => scheme(str_literal(joined.values.first()?)?, true),
        Expr::Name(name) => scheme(module_constant(checker, name.id.as_str())?, true),
        Expr::Call(call) => {
            let callee = checker.qualified(&call.func)?;
            if !matches!(callee.as_str(), "os.getenv" | "os.environ.get") {
                return None;
            }
            let default = call.args.get(1).or_else(|| {
                call.keywords
                    .iter()
                    .find(|k| k.arg.as_deref() == Some("default"))
                    .map(|k| &k.value)
            })?;
            scheme(str_literal(default)?, false)
        }
        _ => None,
    }
}

/// The string a module-level name is bound to, when one top-level
/// `name = "..."` is its only binding in the module.
fn module_constant<'c>(checker: &Checker<'c>, name: &str) -> Option<&'c str> {
    let semantic = checker.semantic;
    let mut bindings = semantic
        .bindings()
        .filter(|(_, b)| semantic.scope(b.scope).kind == ScopeKind::Module && b.name == name);
    let (_, binding) = bindings.next()?;
    if bindings.next().is_some() {
        return None;
    }
    checker.parsed.body.iter().find_map(|stmt| match stmt {
        ast::Stmt::Assign(assign)
            if range_of(stmt) == binding.stmt_range
                && matches!(assign.targets.as_slice(), [Expr::Name(target)] if target.id.as_str() == name) =>
        {
            str_literal(&assign.value)
        }
        ast::Stmt::AnnAssign(assign) if range_of(stmt) == binding.stmt_range => {
            str_literal(assign.value.as_deref()?)
        }
        _ => None,
    })
}

/// The entries of a dict literal or a `dict(k=v)` call.
pub(crate) fn entries_of(expr: &Expr) -> Option<Vec<Entry<'_>>> {
    match expr {
        Expr::Dict(dict) => Some(
            dict.keys
                .iter()
                .zip(&dict.values)
                .map(|(key, value)| match key {
                    Some(key) => Entry {
                        key: str_literal(key),
                        key_range: range_of(key),
                        value,
                        is_unpacking: false,
                    },
                    None => Entry {
                        key: None,
                        key_range: range_of(value),
                        value,
                        is_unpacking: true,
                    },
                })
                .collect(),
        ),
        Expr::Call(call)
            if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "dict")
                && call.args.is_empty() =>
        {
            Some(
                call.keywords
                    .iter()
                    .map(|k| Entry {
                        key: k.arg.as_deref(),
                        key_range: range_of(k),
                        value: &k.value,
                        is_unpacking: k.arg.is_none(),
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

fn find_key<'e, 'a>(entries: &'e [Entry<'a>], key: &str) -> Option<&'e Entry<'a>> {
    entries.iter().find(|e| e.key == Some(key))
}

fn has_unpacking(entries: &[Entry<'_>]) -> bool {
    entries.iter().any(|e| e.is_unpacking || e.key.is_none())
}

pub(crate) fn str_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

fn int_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Constant(c) => match &c.value {
            Constant::Int(i) => Some(i.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The parts of a literal database URL the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    /// `postgresql` in `postgresql+asyncpg://...`.
    pub dialect: String,
    /// `asyncpg`; `None` for the dialect's default driver.
    pub driver: Option<String>,
    pub user: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub query: Vec<(String, String)>,
}

impl Url {
    pub fn parse(text: &str) -> Self {
        let (scheme, rest) = text.split_once("://").unwrap_or((text, ""));
        let (dialect, driver) = match scheme.split_once('+') {
            Some((d, drv)) => (d.to_owned(), Some(drv.to_owned())),
            None => (scheme.to_owned(), None),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = rest.split('/').next().unwrap_or("");
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let user = userinfo
            .map(|u| u.split(':').next().unwrap_or("").to_owned())
            .filter(|u| !u.is_empty());
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !hostport.ends_with(']') => (h, p.parse().ok()),
            _ => (hostport, None),
        };
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        Self {
            dialect,
            driver,
            user,
            host: Some(host.to_owned()).filter(|h| !h.is_empty()),
            port,
            query,
        }
    }

    pub fn query_has(&self, key: &str) -> bool {
        self.query.iter().any(|(k, _)| k == key)
    }

    pub fn query_is(&self, key: &str, value: &str) -> bool {
        self.query.iter().any(|(k, v)| k == key && v == value)
    }
}

#[cfg(test)]
mod tests {
    use super::Url;

    #[test]
    fn parses_urls() {
        let url = Url::parse(
            "postgresql+asyncpg://postgres.abc:pw@pooler.example.com:6543/db?ssl=require",
        );
        assert_eq!(url.dialect, "postgresql");
        assert_eq!(url.driver.as_deref(), Some("asyncpg"));
        assert_eq!(url.user.as_deref(), Some("postgres.abc"));
        assert_eq!(url.host.as_deref(), Some("pooler.example.com"));
        assert_eq!(url.port, Some(6543));
        assert!(url.query_has("ssl"));
        let url = Url::parse("postgresql://db/app");
        assert_eq!((url.driver, url.user, url.port), (None, None, None));
        assert_eq!(url.host.as_deref(), Some("db"));
        assert_eq!(Url::parse("sqlite+aiosqlite:///x.db").dialect, "sqlite");
    }
}
