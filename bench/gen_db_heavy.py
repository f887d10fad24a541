#!/usr/bin/env python3
"""Generate the db-heavy benchmark corpus (deterministic, seeded).

A synthetic FastAPI + SQLAlchemy backend modelled on testdata/example:
routers, services and background tasks where nearly every file imports and
uses database sessions, and about one file in five has a violation.

    python3 bench/gen_db_heavy.py [OUT_DIR] [--files N] [--seed S]

Defaults: OUT_DIR = bench/corpora/db-heavy, 5000 files, seed 6. The same
arguments always produce byte-identical trees. OUT_DIR is replaced.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "testdata" / "example"

DOMAINS = [
    "shipments", "parcels", "carriers", "invoices", "customers", "routes",
    "warehouses", "pickups", "returns", "labels", "manifests", "tariffs",
    "claims", "drivers", "vehicles", "depots", "zones", "quotes", "payments",
    "refunds", "webhooks", "tenants", "users", "audits", "exports", "imports",
    "schedules", "slots", "lockers", "notices", "tracking", "customs",
    "contracts", "discounts", "surcharges", "reports", "alerts", "batches",
    "pallets", "containers",
]
MODELS = [
    "Shipment", "Parcel", "Carrier", "Invoice", "Customer", "Route",
    "Warehouse", "Pickup", "ReturnOrder", "Label", "Manifest", "Tariff",
    "Claim", "Driver", "Vehicle", "Depot",
]
VERBS = ["sync", "refresh", "reconcile", "rebuild", "archive", "expire",
         "notify", "score", "rank", "recount", "price", "dispatch", "audit",
         "import", "export", "close", "reopen", "settle", "merge", "split"]
NOUNS = ["batch", "window", "backlog", "queue", "ledger", "summary", "index",
         "cache", "snapshot", "digest", "manifest", "rollup", "report",
         "schedule", "forecast", "quota", "budget", "history"]
STATUSES = ["open", "in_transit", "delivered", "late", "cancelled", "held"]
KINDS = ("routers", "services", "tasks")

# Violation kinds for the ~20% of files that have one, with weights.
# "factory" is the DB101 + DB102 case ruff's TID251 config also catches.
VIOLATIONS = [
    ("factory", 40),
    ("unused_factory", 10),
    ("service_commit", 12),
    ("unawaited", 13),
    ("tenant_filter", 12),
    ("wrong_provider", 13),
]
VIOLATION_RATE = 0.2


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --------------------------------------------------------------- fixed files

SESSION_PY = '''"""Canonical database session management (benchmark corpus).

This is the only module allowed to create the engine and the session
factory. Background work uses ``async with get_session() as session``;
routers use ``session: AsyncSession = Depends(get_session_dependency)``.
"""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.config import settings

engine = create_async_engine(
    settings.database_url,
    pool_size=settings.db_pool_size,
    pool_pre_ping=True,
    connect_args={
        "server_settings": {"application_name": "benchcorp"},
        "statement_cache_size": 0,
        "ssl": "require",
    },
)

async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def get_session() -> AsyncIterator[AsyncSession]:
    """Yield a session; commit on success, roll back on any error."""
    async with async_session_factory() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


async def get_session_dependency() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request."""
    async with get_session() as session:
        yield session
'''

CONFIG_PY = '''"""Application settings, loaded from the environment (BENCH_*)."""
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_", env_file=".env")

    database_url: str = "postgresql+asyncpg://bench:bench@localhost:5432/bench"
    db_pool_size: int = 10
    sql_echo: bool = False


settings = Settings()
'''

DEPENDENCIES_PY = '''"""Shared FastAPI dependencies."""
from dataclasses import dataclass

from fastapi import Header, HTTPException, status


@dataclass(frozen=True)
class TenantContext:
    """The tenant a request acts on, resolved from gateway headers."""

    id: int
    slug: str


async def get_current_tenant(
    x_tenant_id: int = Header(...),
    x_tenant_slug: str = Header(""),
) -> TenantContext:
    if x_tenant_id <= 0:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid tenant header")
    return TenantContext(id=x_tenant_id, slug=x_tenant_slug)
'''


def models_py() -> str:
    out = [
        '"""ORM models (benchmark corpus)."""',
        "from datetime import datetime",
        "",
        "from sqlalchemy import DateTime, ForeignKey, String, func",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
    ]
    for model in MODELS:
        out += [
            "",
            "",
            f"class {model}(Base):",
            f'    __tablename__ = "{snake(model)}s"',
            "",
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            '    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)',
            "    name: Mapped[str] = mapped_column(String(128))",
            '    status: Mapped[str] = mapped_column(String(16), default="open")',
            "    priority: Mapped[int] = mapped_column(default=0)",
            "    amount_cents: Mapped[int] = mapped_column(default=0)",
            "    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))",
            "    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())",
        ]
    return "\n".join(out) + "\n"


def schemas_py() -> str:
    out = ['"""Pydantic schemas (benchmark corpus)."""', "from pydantic import BaseModel"]
    for model in MODELS:
        out += [
            "", "",
            f"class {model}Create(BaseModel):",
            "    name: str",
            '    status: str = "open"',
            "    priority: int = 0",
            "    amount_cents: int = 0",
            "", "",
            f"class {model}Out({model}Create):",
            "    id: int",
            "    tenant_id: int",
            "",
            '    model_config = {"from_attributes": True}',
        ]
    return "\n".join(out) + "\n"


def pyproject_toml() -> str:
    text = (EXAMPLE / "pyproject.toml").read_text()
    tool = text[text.index("[tool.onesession]"):]
    return (
        "[project]\n"
        'name = "benchcorp"\n'
        'version = "1.0.0"\n'
        'requires-python = ">=3.11"\n'
        "\n" + tool
    )


# ---------------------------------------------------------- function blocks

class Gen:
    def __init__(self, rng: random.Random, kind: str, domain: str, ident: int):
        self.rng = rng
        self.kind = kind
        self.domain = domain
        self.ident = ident
        self.used_names: set[str] = set()
        self.models_used: set[str] = set()

    def model(self) -> str:
        m = self.rng.choice(MODELS)
        self.models_used.add(m)
        return m

    def fname(self, prefix: str = "") -> str:
        while True:
            name = f"{prefix}{self.rng.choice(VERBS)}_{self.rng.choice(NOUNS)}_{self.rng.randrange(1000)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    # -- plain helpers (no session), bulk of a realistic module
    def helper(self) -> str:
        name = self.fname("_")
        n = self.rng.randrange(2, 9)
        status = self.rng.choice(STATUSES)
        return f'''def {name}(rows: list[dict], threshold: int = {n}) -> dict[str, int]:
    """Bucket rows by status and count the ones above the threshold."""
    buckets: dict[str, int] = {{}}
    for row in rows:
        key = row.get("status", "{status}")
        if row.get("priority", 0) >= threshold:
            buckets[key] = buckets.get(key, 0) + 1
        elif key == "{status}":
            buckets.setdefault("{status}_low", 0)
            buckets["{status}_low"] += 1
    total = sum(buckets.values())
    if total > {n * 100}:
        logger.warning("{name}: %d rows over threshold", total)
    return buckets
'''

    # -- routers
    def router_get(self, provider: str = "get_session_dependency") -> str:
        m = self.model()
        name = self.fname("get_")
        return f'''@router.get("/{name}/{{item_id}}", response_model={m}Out)
async def {name}(
    item_id: int,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends({provider}),
) -> {m}:
    """Fetch one {snake(m)} of the caller's tenant."""
    row = await session.get({m}, item_id)
    if row is None or row.tenant_id != tenant.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "{snake(m)} not found")
    return row
'''

    def router_list(self) -> str:
        m = self.model()
        name = self.fname("list_")
        status_ = self.rng.choice(STATUSES)
        return f'''@router.get("/{name}", response_model=list[{m}Out])
async def {name}(
    status_filter: str = "{status_}",
    limit: int = {self.rng.choice([20, 50, 100])},
    session: AsyncSession = Depends(get_session_dependency),
) -> list[{m}]:
    """List {snake(m)}s by status, highest priority first."""
    stmt = (
        select({m})
        .where({m}.status == status_filter)
        .order_by({m}.priority.desc())
        .limit(limit)
    )
    result = await session.scalars(stmt)
    return list(result)
'''

    def router_create(self, unawaited: bool = False) -> str:
        m = self.model()
        name = self.fname("create_")
        refresh = "session.refresh(row)" if unawaited else "await session.refresh(row)"
        return f'''@router.post("/{name}", response_model={m}Out, status_code=status.HTTP_201_CREATED)
async def {name}(
    payload: {m}Create,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
) -> {m}:
    """Create a {snake(m)} for the caller's tenant."""
    row = {m}(tenant_id=tenant.id, **payload.model_dump())
    async with session.begin():
        session.add(row)
    {refresh}
    return row
'''

    # -- services
    def service_query(self, tenant_filter: bool = False) -> str:
        m = self.model()
        name = self.fname()
        col = self.rng.choice(["priority", "amount_cents"])
        cond = f"{m}.tenant_id == tenant_id" if tenant_filter else f"{m}.{col} >= minimum"
        return f'''async def {name}(session: AsyncSession, tenant_id: int, minimum: int = 0) -> list[{m}]:
    """Rows worth looking at, newest first."""
    stmt = (
        select({m})
        .where({cond})
        .order_by({m}.created_at.desc())
    )
    rows = list(await session.scalars(stmt))
    logger.debug("{name}: %d rows for tenant %s", len(rows), tenant_id)
    return rows
'''

    def service_update(self, commit: bool = False) -> str:
        m = self.model()
        name = self.fname()
        status_ = self.rng.choice(STATUSES)
        tail = "    await session.commit()\n" if commit else "    await session.flush()\n"
        return f'''async def {name}(session: AsyncSession, item_ids: list[int]) -> int:
    """Mark the given rows {status_}; the caller owns the transaction."""
    rows = await session.scalars(select({m}).where({m}.id.in_(item_ids)))
    count = 0
    for row in rows:
        if row.status != "{status_}":
            row.status = "{status_}"
            count += 1
{tail}    return count
'''

    # -- background tasks
    def task(self, factory: bool = False) -> str:
        m = self.model()
        name = self.fname()
        opener = "async_session_factory()" if factory else "get_session()"
        status_ = self.rng.choice(STATUSES)
        return f'''async def {name}(batch_size: int = {self.rng.choice([100, 250, 500])}) -> int:
    """Background job: process one batch of {snake(m)}s."""
    changed = 0
    async with {opener} as session:
        stmt = select({m}).where({m}.status == "{status_}").limit(batch_size)
        for row in await session.scalars(stmt):
            row.priority = row.priority + 1
            changed += 1
        await session.commit()
    logger.info("{name}: %d changed", changed)
    return changed
'''


def header(kind: str, models: set[str], domain: str, violation: str | None) -> str:
    ms = sorted(models)
    lines = [f'"""{kind.capitalize()} for {domain} (generated benchmark corpus)."""', "import logging", ""]
    if kind == "routers":
        lines.append("from fastapi import APIRouter, Depends, HTTPException, status")
    lines.append("from sqlalchemy import select")
    lines.append("from sqlalchemy.ext.asyncio import AsyncSession")
    lines.append("")
    session_names: list[str] = []
    if kind == "routers":
        session_names.append("get_session_dependency")
        if violation == "wrong_provider":
            session_names.append("get_session")
    elif kind == "tasks":
        session_names.append("get_session")
    if violation in ("factory", "unused_factory"):
        session_names.insert(0, "async_session_factory")
    if session_names:
        lines.append(f"from app.db.session import {', '.join(session_names)}")
    if kind == "routers":
        lines.append("from app.dependencies import TenantContext, get_current_tenant")
    if ms:
        lines.append(f"from app.models import {', '.join(ms)}")
    if kind == "routers" and ms:
        schemas = sorted([f"{m}Create" for m in ms] + [f"{m}Out" for m in ms])
        lines.append("from app.schemas import (")
        lines += [f"    {s}," for s in schemas]
        lines.append(")")
    lines += ["", "logger = logging.getLogger(__name__)"]
    if kind == "routers":
        lines += ["", f'router = APIRouter(prefix="/{domain}", tags=["{domain}"])']
    return "\n".join(lines) + "\n"


def gen_file(rng: random.Random, kind: str, domain: str, ident: int, violation: str | None, target_lines: int) -> str:
    g = Gen(rng, kind, domain, ident)
    blocks: list[str] = []
    # The violating block, placed at a random position among the others.
    special = None
    if violation == "factory":
        # In a task, the opener; elsewhere an extra task-style function.
        special = g.task(factory=True)
    elif violation == "service_commit":
        special = g.service_update(commit=True) if kind == "services" else None
    elif violation == "unawaited":
        special = g.router_create(unawaited=True) if kind == "routers" else None
    elif violation == "tenant_filter":
        special = g.service_query(tenant_filter=True)
    elif violation == "wrong_provider":
        special = g.router_get(provider="get_session") if kind == "routers" else None
    makers = {
        "routers": [g.router_get, g.router_list, g.router_create, g.helper],
        "services": [g.service_query, g.service_update, g.helper],
        "tasks": [g.task, g.helper],
    }[kind]
    lines = 14 + (special.count("\n") + 2 if special else 0)
    while lines < target_lines:
        block = rng.choice(makers)()
        blocks.append(block)
        lines += block.count("\n") + 2
    if special:
        blocks.insert(rng.randrange(len(blocks) + 1), special)
    # Make sure a file that calls get_session() imports it.
    body = "\n\n".join(blocks)
    head = header(kind, g.models_used, domain, violation)
    if "get_session()" in body and "get_session" not in head.split("from app.db.session import", 1)[-1].split("\n", 1)[0]:
        if "from app.db.session import" in head:
            head = re.sub(r"from app\.db\.session import ([^\n]+)",
                          lambda mt: "from app.db.session import " + ", ".join(sorted(set(mt.group(1).split(", ")) | {"get_session"}, key=lambda s: (s != "async_session_factory", s))),
                          head, count=1)
        else:
            head = head.replace("from sqlalchemy.ext.asyncio import AsyncSession\n",
                                "from sqlalchemy.ext.asyncio import AsyncSession\n\nfrom app.db.session import get_session\n", 1)
    return head + "\n\n" + body


def pick_violation(rng: random.Random, kind: str) -> str | None:
    if rng.random() >= VIOLATION_RATE:
        return None
    choices = [(v, w) for v, w in VIOLATIONS
               if not (v == "service_commit" and kind != "services")
               and not (v in ("unawaited", "wrong_provider") and kind != "routers")]
    total = sum(w for _, w in choices)
    r = rng.uniform(0, total)
    for v, w in choices:
        r -= w
        if r <= 0:
            return v
    return choices[-1][0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=str(REPO / "bench" / "corpora" / "db-heavy"))
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=1_500_000, help="approximate total lines")
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(args.seed)
    mean = args.lines / args.files

    def write(rel: str, text: str) -> None:
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    write("pyproject.toml", pyproject_toml())
    fixed = {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/session.py": SESSION_PY,
        "app/config.py": CONFIG_PY,
        "app/dependencies.py": DEPENDENCIES_PY,
        "app/models/__init__.py": models_py(),
        "app/schemas/__init__.py": schemas_py(),
        "app/routers/__init__.py": "",
        "app/services/__init__.py": "",
        "app/tasks/__init__.py": "",
    }
    for rel, text in fixed.items():
        write(rel, text)
    n_gen = args.files - len(fixed)
    for kind in KINDS:
        for domain in DOMAINS:
            write(f"app/{kind}/{domain}/__init__.py", "")
    n_gen -= len(KINDS) * len(DOMAINS)

    total_lines = sum(t.count("\n") for t in fixed.values())
    violations: dict[str, int] = {}
    for i in range(n_gen):
        kind = KINDS[i % 3]
        domain = DOMAINS[(i // 3) % len(DOMAINS)]
        violation = pick_violation(rng, kind)
        target = max(40, int(rng.gauss(mean, mean * 0.35)))
        text = gen_file(rng, kind, domain, i, violation, target)
        stem = {"routers": "api", "services": "service", "tasks": "jobs"}[kind]
        write(f"app/{kind}/{domain}/{stem}_{i:05d}.py", text)
        total_lines += text.count("\n")
        if violation:
            violations[violation] = violations.get(violation, 0) + 1
    files = sum(1 for _ in out.rglob("*.py"))
    print(f"db-heavy: {files} .py files, {total_lines} lines, "
          f"{sum(violations.values())} files with a violation {dict(sorted(violations.items()))} -> {out}")


if __name__ == "__main__":
    main()
