//! Qualified names of the libraries the rules reason about.

/// Calls that build an engine.
pub const ENGINE_BUILDERS: &[&str] = &[
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine",
    "sqlalchemy.engine_from_config",
    "sqlalchemy.ext.asyncio.async_engine_from_config",
    "sqlmodel.create_engine",
];

/// Calls that build a session factory.
pub const SESSIONMAKERS: &[&str] = &[
    "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker",
    "sqlalchemy.ext.asyncio.async_sessionmaker",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.ext.asyncio.async_scoped_session",
];

/// Session classes (constructing one makes a session directly), SQLModel's
/// subclasses included.
pub const SESSION_CLASSES: &[&str] = &[
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.Session",
    "sqlmodel.orm.session.Session",
    "sqlmodel.ext.asyncio.session.AsyncSession",
];

pub const ASYNC_SESSION_CLASSES: &[&str] = &[
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
];

/// Raw DB-API connections that bypass the session.
pub const RAW_CONNECTS: &[&str] = &[
    "asyncpg.connect",
    "asyncpg.create_pool",
    "psycopg2.connect",
    "psycopg.connect",
    "psycopg.AsyncConnection.connect",
    "psycopg.Connection.connect",
    "aiopg.connect",
    "aiopg.create_pool",
];

/// DB-API driver packages: a file that imports one may hand a `db` or
/// `conn` parameter one of their connections rather than a session.
pub const DBAPI_DRIVERS: &[&str] = &[
    "sqlite3",
    "aiosqlite",
    "psycopg2",
    "psycopg",
    "asyncpg",
    "aiopg",
    "pymysql",
    "MySQLdb",
    "aiomysql",
    "mysql",
    "oracledb",
    "cx_Oracle",
    "pyodbc",
    "duckdb",
];

/// FastAPI's dependency markers: `Security(...)` is a `Depends(...)` with
/// scopes.
pub const FASTAPI_DEPENDS: &[&str] = &[
    "fastapi.Depends",
    "fastapi.params.Depends",
    "fastapi.Security",
    "fastapi.params.Security",
];

/// Scoped-session registries: the object they return is used as a session
/// (`session.execute(...)`), not called for new ones.
pub const SCOPED_SESSIONS: &[&str] = &[
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session",
    "sqlalchemy.ext.asyncio.async_scoped_session",
    "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
];

pub fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.contains(&name)
}

/// Methods of FastAPI/Starlette apps and routers that register an
/// endpoint (`@router.get("/x")`).
pub const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "trace",
    "api_route",
    "route",
    "websocket",
    "websocket_route",
];
