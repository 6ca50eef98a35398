"""Engines, transactions and the schema version.

SQLite (the embedded default) goes through SQLAlchemy's aiosqlite dialect as shipped, set up so
that concurrent writers *wait* instead of failing: WAL (readers never block the writer, nor it
them), a busy timeout, and write transactions that start with ``BEGIN IMMEDIATE`` — a deferred
transaction that reads first and writes later cannot upgrade its lock while another writer is
active and fails with "database is locked" at once, whatever the timeout. SQLAlchemy emits the
BEGIN itself (the ``connect``/``begin`` event recipe of SQLAlchemy's SQLite documentation,
"Transactions with SQLite and the sqlite3 driver"); an execution option says which kind.
Inside one process writers also queue on an asyncio lock, so they wait in the event loop, in
turn, rather than in SQLite's busy handler, which sleeps in growing steps and lets a late
writer overtake one that has waited long. SQLite checkpoints the WAL itself as a transaction
commits (its default), in the driver's thread.

PostgreSQL goes through asyncpg; its row locks do the serialising (app/nominees.py). Its reads
are REPEATABLE READ, READ ONLY: one snapshot for every statement of a read, as on SQLite.

:class:`Database` is the one object per engine the repositories (``storage.uow``), the drafts,
the files and the FSM storage share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 10
# Each connection is a thread of aiosqlite's; writes take turns anyway, so a few serve every reader.
SQLITE_POOL_SIZE = 5
WRITE = "nominee_write"  # execution option: this connection's transactions write (BEGIN IMMEDIATE)
SINGLE = "nominee_single"  # execution option: each transaction is one statement (no BEGIN on SQLite)


def is_memory(url: URL) -> bool:
    """An SQLite database that lives in this process only (one connection: see Database)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(
    url: str, *, pool_size: int | None = None, max_overflow: int | None = None, echo: bool = False
) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    ``hide_parameters`` keeps bound values (ID numbers, phone numbers) out of SQLAlchemy's
    error messages and logs. An SQLite file's directory is created on first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool: dict[str, Any] = {}
        if not is_memory(parsed):
            if parsed.database and not parsed.database.startswith("file:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": pool_size or SQLITE_POOL_SIZE, "max_overflow": max_overflow or 0}
        engine = create_async_engine(
            url, hide_parameters=True, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **pool
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        hide_parameters=True,
        echo=echo,
        pool_size=pool_size or 10,
        max_overflow=20 if max_overflow is None else max_overflow,
        pool_pre_ping=True,  # survive a database restart under a long-running bot
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below) instead of the driver's legacy implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # In WAL mode NORMAL loses no committed transaction on a process crash, only on power loss.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(SINGLE):
            return  # one statement: SQLite runs it as a transaction of its own
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")


def unique_violation(exc: IntegrityError, marker: str) -> bool:
    """A UNIQUE (or primary key) constraint fired whose message names ``marker`` (a column or
    table name): "UNIQUE constraint failed: nominees.campaign_id, nominees.identity" on SQLite,
    'duplicate key value violates unique constraint "uq_nominees_campaign_id_identity"' on
    PostgreSQL."""
    text = str(exc.orig).lower()
    return "unique" in text and marker in text


class Database:
    """Transactions on one engine, shared by everything that stores (one per engine and process).

    - :meth:`read`: a read transaction, one snapshot (SQLite ``BEGIN``; PostgreSQL REPEATABLE
      READ, READ ONLY); nothing is kept.
    - :meth:`write`: a write transaction (SQLite ``BEGIN IMMEDIATE``, after this process's write
      lock); kept only if the caller commits, rolled back otherwise.
    - :meth:`single`: one statement that is a transaction of its own (a draft's upsert or read, a
      file's row): no BEGIN/COMMIT round trips; a write one queues on the write lock too.

    Each yields an :class:`AsyncConnection`. An in-memory SQLite database has a single
    connection: every transaction on it takes the lock, so they run one at a time.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.memory = is_memory(engine.url)
        self._lock = asyncio.Lock()
        if self.sqlite:
            self._reads = engine
            self._writes = engine.execution_options(**{WRITE: True})
            self._single_reads = engine.execution_options(**{SINGLE: True})
            self._single_writes = self._single_reads
        else:
            self._reads = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            self._writes = engine
            self._single_reads = self._single_writes = engine.execution_options(isolation_level="AUTOCOMMIT")

    def _queue(self, write: bool) -> AbstractAsyncContextManager[Any]:
        """This process's SQLite writers wait here, in the event loop, one after the other."""
        if self.memory or (write and self.sqlite):
            return self._lock
        return nullcontext()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._queue(False), self._reads.connect() as conn:
            yield conn  # SQLAlchemy begins at the first statement and rolls back on close

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._queue(True), self._writes.connect() as conn:
            await conn.begin()
            yield conn  # closing rolls back what was not committed

    @asynccontextmanager
    async def single(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """For one statement; a write is committed when the block ends without an exception."""
        async with self._queue(write), (self._single_writes if write else self._single_reads).connect() as conn:
            yield conn
            if write:
                await conn.commit()

    async def dispose(self) -> None:
        """Closes every connection (the application's last step)."""
        await self.engine.dispose()


# --------------------------------------------------------------------------- Alembic


def alembic_config() -> Config:
    """Alembic's configuration without an ini file: the scripts live inside this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _run(conn: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    if action == "upgrade":
        command.upgrade(cfg, revision)
    else:
        command.downgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """``nominee-bot db upgrade``: brings the database to ``revision`` in one write transaction."""
    async with engine.execution_options(**{WRITE: True}).begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.execution_options(**{WRITE: True}).begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


class SchemaOutOfDate(RuntimeError):
    """The bot refuses to start on a database whose schema does not match this program."""


async def check_schema(engine: AsyncEngine) -> None:
    current = await current_revision(engine)
    head = head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaOutOfDate(f"The database {where} has no schema yet. Run `nominee-bot db upgrade` first.")
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise SchemaOutOfDate(
            f"The database {where} is at schema revision {current}, which this version of nominee-bot "
            f"does not know (it expects {head}); the database was upgraded by a newer version."
        )
    raise SchemaOutOfDate(
        f"The database {where} is at schema revision {current}, this version needs {head}. "
        "Run `nominee-bot db upgrade` first."
    )


__all__ = [
    "SINGLE",
    "WRITE",
    "Database",
    "SchemaOutOfDate",
    "alembic_config",
    "check_schema",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_memory",
    "make_engine",
    "unique_violation",
    "upgrade",
]
