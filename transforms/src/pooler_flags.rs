//! Pooler and driver flags in the wrong place, and the shared engine
//! changed at run time (DB114).

use onesession_engine::names::is_one_of;
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::engine_config::{entries_of, ConnectArgs, EngineCall};
use crate::helpers::method_name;

declare_rule! {
    /// ## What it finds
    /// Pooler and driver flags where they have no effect, and the shared
    /// engine changed at run time:
    /// - `.execution_options(statement_cache_size=...)` (also
    ///   `prepared_statement_cache_size`, `prepare_threshold`): these are
    ///   connection-level driver settings, not per-statement options;
    /// - driver arguments given to the engine builder itself
    ///   (`create_async_engine(url, statement_cache_size=0)`, also
    ///   `prepared_statement_cache_size`, `prepare_threshold`, `ssl`,
    ///   `sslmode`, `server_settings`): they belong in `connect_args`;
    /// - the same flags per statement as an `execution_options={...}`
    ///   argument (`session.execute(q, execution_options={...})`,
    ///   `conn.execute`, `scalars`, `stream`), also through a dict bound to a
    ///   name first or unpacked with `**`;
    /// - pooler workarounds no driver knows (`no_prepare`, `raw_sql`,
    ///   `pgbouncer`, `disable_prepared_statements`) as execution options,
    ///   `connect_args` keys of any engine, or arguments of
    ///   `asyncpg.connect()`/`psycopg2.connect()`;
    /// - `connect_args` keys asyncpg does not know, on async engines whose
    ///   URL is asyncpg or not a literal;
    /// - an engine imported from another module mutated: an attribute
    ///   assigned (`db.engine.pool_size = 20`) or
    ///   `engine.update_execution_options(...)`.
    ///
    /// ## Why is this bad?
    /// Misplaced flags are silently ignored or make the engine fail at
    /// first connect, so the pooler still sees prepared statements. An
    /// invented key is rejected by asyncpg at connect time. Mutating the
    /// shared engine at run time changes it for every request and task in
    /// the process, at an unpredictable moment.
    ///
    /// ## Example
    /// ```python
    /// engine = create_async_engine(url, statement_cache_size=0, connect_args={"pgbouncer": True})
    /// stmt = stmt.execution_options(prepared_statement_cache_size=0)
    /// db.engine.pool_size = 20
    /// ```
    /// Use instead:
    /// ```python
    /// engine = create_async_engine(url, connect_args={"statement_cache_size": 0})
    /// # pool size and driver flags are set once, in the canonical module
    /// ```
    ///
    /// ## Fix safety
    /// Manual: where the flag should go, and whether the pool really needs
    /// resizing, is a decision for the code's owner.
    pub static DB114 = { id: "DB114", name: "pooler-flag-misuse", summary: "Pooler/driver flag in the wrong place, or the shared engine mutated at run time" };
}

/// Connection-level flags that are no per-statement execution option.
const STATEMENT_FLAGS: &[&str] = &[
    "statement_cache_size",
    "prepared_statement_cache_size",
    "prepare_threshold",
];

/// Keys invented to turn prepared statements off: no driver and no
/// SQLAlchemy dialect knows them, wherever they are passed.
const POOLER_WORKAROUNDS: &[&str] = &[
    "no_prepare",
    "raw_sql",
    "pgbouncer",
    "disable_prepared_statements",
    "prepared_statements",
    "use_prepared_statements",
];

/// Direct driver connections, whose keyword arguments are the driver's.
const DRIVER_CONNECTS: &[&str] = &[
    "asyncpg.connect",
    "asyncpg.create_pool",
    "psycopg2.connect",
    "psycopg.connect",
    "psycopg.AsyncConnection.connect",
];

/// Driver arguments that belong in `connect_args`, not on the builder.
const DRIVER_KWARGS: &[&str] = &[
    "statement_cache_size",
    "prepared_statement_cache_size",
    "prepare_threshold",
    "ssl",
    "sslmode",
    "server_settings",
];

/// What `asyncpg.connect()` accepts (and SQLAlchemy's asyncpg dialect).
const ASYNCPG_KEYS: &[&str] = &[
    "ssl",
    "statement_cache_size",
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
    "server_settings",
    "command_timeout",
    "timeout",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "connection_class",
    "record_class",
    "direct_tls",
    "passfile",
    "password",
    "user",
    "host",
    "port",
    "database",
    "target_session_attrs",
    "krbsrvname",
    "gsslib",
];

pub struct PoolerFlags;

impl Transform for PoolerFlags {
    fn name(&self) -> &'static str {
        "pooler-flag-misuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB114];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let mut found: Vec<(TextRange, String)> = Vec::new();
        let nodes = checker.nodes;
        nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            if let Some(engine) = EngineCall::of(checker, call) {
                engine_flags(checker, &engine, &mut found);
                return;
            }
            if let Some(keyword) = call
                .keywords
                .iter()
                .find(|k| k.arg.as_deref() == Some("execution_options"))
            {
                execution_options(checker, &keyword.value, &mut found);
            }
            if checker
                .qualified(&call.func)
                .is_some_and(|q| is_one_of(&q, DRIVER_CONNECTS))
            {
                for keyword in &call.keywords {
                    if let Some(arg) = keyword
                        .arg
                        .as_deref()
                        .filter(|a| POOLER_WORKAROUNDS.contains(a))
                    {
                        found.push((range_of(keyword), invented(arg, "a connection argument")));
                    }
                }
            }
            let Some((receiver, method)) = method_name(call) else {
                return;
            };
            match method {
                "execution_options" => {
                    for keyword in &call.keywords {
                        match keyword.arg.as_deref() {
                            Some(arg) => {
                                if let Some(message) = statement_flag(arg) {
                                    found.push((range_of(keyword), message));
                                }
                            }
                            None => execution_options(checker, &keyword.value, &mut found),
                        }
                    }
                }
                "update_execution_options" => {
                    if let Some(engine) = foreign_engine(checker, receiver) {
                        found.push((
                            range_of(expr),
                            format!("`update_execution_options()` changes the shared engine `{engine}` at run time for every user of it; configure it where the engine is built"),
                        ));
                    }
                }
                _ => {}
            }
        });
        nodes.for_each_stmt(|stmt| {
            let targets: Vec<&Expr> = match stmt {
                Stmt::Assign(ast::StmtAssign { targets, .. }) => targets.iter().collect(),
                Stmt::AugAssign(ast::StmtAugAssign { target, .. }) => vec![target.as_ref()],
                Stmt::AnnAssign(ast::StmtAnnAssign {
                    target,
                    value: Some(_),
                    ..
                }) => vec![target.as_ref()],
                _ => return,
            };
            for target in targets {
                let Expr::Attribute(attribute) = target else {
                    continue;
                };
                // `engine.x = ...`, `db.engine.pool.x = ...`: any prefix of
                // the target that is an engine from another module.
                let mut base = attribute.value.as_ref();
                loop {
                    if let Some(engine) = foreign_engine(checker, base) {
                        found.push((
                            range_of(target),
                            format!("`{}` mutates the shared engine `{engine}` at run time for every request and task; configure it where the engine is built", checker.text(&range_of(target))),
                        ));
                        break;
                    }
                    match base {
                        Expr::Attribute(inner) => base = inner.value.as_ref(),
                        _ => break,
                    }
                }
            }
        });
        for (range, message) in found {
            checker.report(&DB114, range, message);
        }
    }
}

/// The qualified name of `expr` when it is a module-level engine defined
/// in another module than this one.
fn foreign_engine(checker: &Checker<'_>, expr: &Expr) -> Option<String> {
    let qualified = checker.qualified(expr)?;
    if !checker.project.is_engine(&qualified) {
        return None;
    }
    let module = qualified.rsplit_once('.').map(|(m, _)| m)?;
    (Some(module) != checker.module()).then_some(qualified)
}

fn engine_flags(
    checker: &Checker<'_>,
    engine: &EngineCall<'_>,
    found: &mut Vec<(TextRange, String)>,
) {
    let builder = checker
        .text(&range_of(engine.call.func.as_ref()))
        .to_owned();
    for keyword in &engine.call.keywords {
        let Some(arg) = keyword.arg.as_deref() else {
            continue;
        };
        if DRIVER_KWARGS.contains(&arg) {
            found.push((
                range_of(keyword),
                format!("`{arg}` is a driver argument, not an argument of `{builder}()`; move it into `connect_args`"),
            ));
        }
    }
    let entries = match &engine.connect_args {
        ConnectArgs::Dict(entries) => entries,
        ConnectArgs::Missing | ConnectArgs::Unknown => return,
    };
    for entry in entries {
        if let Some(key) = entry.key.filter(|k| POOLER_WORKAROUNDS.contains(k)) {
            found.push((
                entry.key_range.clone(),
                invented(key, "a `connect_args` key"),
            ));
        }
    }
    // Other unknown keys: only where the driver is asyncpg. A sync engine
    // with a non-literal URL is most likely psycopg, whose keys differ.
    if engine.expects_asyncpg() {
        for entry in entries {
            let Some(key) = entry.key else { continue };
            if !ASYNCPG_KEYS.contains(&key) && !POOLER_WORKAROUNDS.contains(&key) {
                found.push((
                    entry.key_range.clone(),
                    format!("`connect_args` key `{key}` is not an asyncpg connection argument: asyncpg rejects it at connect time; remove it (pooler modes are configured on the pooler)"),
                ));
            }
        }
    }
}

/// The message for a per-statement flag that has no effect there.
fn statement_flag(key: &str) -> Option<String> {
    if STATEMENT_FLAGS.contains(&key) {
        Some(format!("`{key}` is a driver connection setting, not an execution option: it has no effect here; set it once in the engine's `connect_args`"))
    } else if POOLER_WORKAROUNDS.contains(&key) {
        Some(invented(key, "an execution option"))
    } else {
        None
    }
}

fn invented(key: &str, as_what: &str) -> String {
    format!("`{key}` is not {as_what} any driver or SQLAlchemy knows: it does not turn prepared statements off; with a transaction pooler set `statement_cache_size` to 0 in the canonical engine's `connect_args`")
}

/// Flags in an execution-options mapping: a dict literal or `dict(...)`,
/// directly or through a name bound to one.
fn execution_options<'a>(
    checker: &Checker<'a>,
    value: &'a Expr,
    found: &mut Vec<(TextRange, String)>,
) {
    let Some(entries) = entries_of(checker.value_of(value)) else {
        return;
    };
    for entry in entries {
        if let Some(message) = entry.key.and_then(statement_flag) {
            found.push((entry.key_range, message));
        }
    }
}
