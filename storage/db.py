"""Engines, transactions and the schema version.

SQLite (the embedded default) is set up so that concurrent writers *wait* instead of failing: WAL
(readers never block the writer, nor it them), a busy timeout, and write transactions that start
with ``BEGIN IMMEDIATE`` — a deferred transaction that reads first and writes later cannot
upgrade its lock while another writer is active and fails with "database is locked" at once,
whatever the timeout. SQLAlchemy emits the BEGIN itself (the ``connect``/``begin`` event recipe
of SQLAlchemy's SQLite documentation, "Transactions with SQLite and the sqlite3 driver"); an
execution option says which kind.

On an SQLite file every statement runs in one worker thread of the :class:`Database`, on the
standard library's sqlite3 through SQLAlchemy's pysqlite dialect, and a whole use case goes there
in one hop (:meth:`Database.run`, app.ports.usecase): with a thread round trip per statement, each
waiting for a busy event loop to take its result, a transaction lasted as long as the loop was
busy and every other writer waited behind it. In that thread the transactions of this process
take turns by themselves; another process (the command line) is waited for by SQLite's busy
timeout there, never in the event loop. SQLite checkpoints the WAL itself as a transaction commits.

PostgreSQL goes through asyncpg in the event loop; its row locks do the serialising
(app/nominees.py). Its reads are REPEATABLE READ, READ ONLY: one snapshot for every statement of a
read, as on SQLite. An in-memory SQLite database (tests) goes through aiosqlite, one transaction
at a time.

:class:`Database` is the one object per engine the repositories (``storage.uow``), the drafts,
the files and the FSM storage share.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, Result, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.base import Executable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 10
# Writes take turns anyway, so a few connections serve every reader.
SQLITE_POOL_SIZE = 8
# Transactions opened from the event loop (a draft's row, the FSM state) hold a connection across
# awaits; at most this many at once, so that the worker thread always finds a free connection for
# a use case: it takes connections in that thread, and a connect that had to wait there would block
# the very thread every holder needs to finish (50 clerks at once stalled at the ID number).
SQLITE_LOOP_CONNECTIONS = SQLITE_POOL_SIZE - 2
WRITE = "nominee_write"  # execution option: this connection's transactions write (BEGIN IMMEDIATE)
SINGLE = "nominee_single"  # execution option: each transaction is one statement (no BEGIN on SQLite)
T = TypeVar("T")


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
        configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(
        url,
        hide_parameters=True,
        echo=echo,
        pool_size=pool_size or 10,
        max_overflow=20 if max_overflow is None else max_overflow,
        pool_pre_ping=True,  # survive a database restart under a long-running bot
    )


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, and SQLAlchemy's own BEGIN (see the module's docstring)."""

    @event.listens_for(engine, "connect")
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

    @event.listens_for(engine, "begin")
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


class Conn(Protocol):
    """What the repositories use of a connection: SQLAlchemy's AsyncConnection has it, and so has
    :class:`ThreadConnection`, the one used in the database's worker thread."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]: ...

    async def commit(self) -> None: ...


class ThreadConnection:
    """A synchronous SQLAlchemy connection of an SQLite file behind the :class:`Conn` methods. In
    the database's worker thread a call runs at once (a use case sent there by Database.run never
    waits for the event loop); from anywhere else each call is one hop to that thread."""

    __slots__ = ("_conn", "_db")

    def __init__(self, db: Database, conn: Connection) -> None:
        self._db = db
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        return await self._db.call(self._conn.execute, statement, parameters)

    async def commit(self) -> None:
        await self._db.call(self._conn.commit)


class Database:
    """Transactions on one engine, shared by everything that stores (one per engine and process).

    - :meth:`read`: a read transaction, one snapshot (SQLite ``BEGIN``; PostgreSQL REPEATABLE
      READ, READ ONLY); nothing is kept.
    - :meth:`write`: a write transaction (SQLite ``BEGIN IMMEDIATE``); kept only if the caller
      commits, rolled back otherwise.
    - :meth:`single`: one statement that is a transaction of its own (a draft's upsert or read, a
      file's row): no BEGIN/COMMIT round trips.
    - :meth:`run`: a whole use case where its statements are cheapest — on an SQLite file in the
      worker thread, in one hop; elsewhere in the event loop.

    Each transaction yields a :class:`Conn`.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.memory = is_memory(engine.url)
        self.threaded = self.sqlite and not self.memory
        self._lock = asyncio.Lock()  # an in-memory SQLite database: one transaction at a time
        self._loop_side = asyncio.Semaphore(SQLITE_LOOP_CONNECTIONS)  # see SQLITE_LOOP_CONNECTIONS
        self._pool: ThreadPoolExecutor | None = None  # the worker thread, started on first use
        self._thread_id: int | None = None
        if self.threaded:
            self._sync = create_engine(
                engine.url.set(drivername="sqlite"),
                hide_parameters=True,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
                pool_size=SQLITE_POOL_SIZE,
                max_overflow=0,
            )
            configure_sqlite(self._sync)
            self._sync_reads = self._sync
            self._sync_writes = self._sync.execution_options(**{WRITE: True})
            self._sync_single = self._sync.execution_options(**{SINGLE: True})
        if self.sqlite:
            self._reads = engine
            self._writes = engine.execution_options(**{WRITE: True})
            self._single_reads = engine.execution_options(**{SINGLE: True})
            self._single_writes = self._single_reads
        else:
            self._reads = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            self._writes = engine
            self._single_reads = self._single_writes = engine.execution_options(isolation_level="AUTOCOMMIT")

    # -------------------------------------------------------------- the worker thread (SQLite files)

    def _started(self) -> None:
        self._thread_id = threading.get_ident()

    def _thread(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="sqlite", initializer=self._started)
        return self._pool

    def in_thread(self) -> bool:
        """True in the worker thread (where a use case sent by :meth:`run` executes)."""
        return self._thread_id is not None and threading.get_ident() == self._thread_id

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the worker thread: at once when already there, else one hop."""
        if not self.threaded or self.in_thread():
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self._thread(), fn, *args)

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Awaits ``fn(*args, **kwargs)`` — on an SQLite file inside the worker thread, where the
        coroutine runs to its end without ever waiting for the event loop (one hop for a whole
        use case); a nested call runs where it is."""
        if not self.threaded or self.in_thread():
            return await fn(*args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._thread(), _complete, fn, args, kwargs)

    async def blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """Slow work that is no database's (a file written, a photo hashed): where it does not
        hold up the event loop — in place in the worker thread, else in a thread of asyncio's."""
        if self.in_thread():
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    @asynccontextmanager
    async def _thread_transaction(self, engine: Engine, *, begin: bool, commit: bool) -> AsyncIterator[Conn]:
        if self.in_thread():  # a use case's own: the connections the loop side leaves free
            async with self._thread_connection(engine, begin=begin, commit=commit) as conn:
                yield conn
            return
        async with self._loop_side, self._thread_connection(engine, begin=begin, commit=commit) as conn:
            yield conn

    @asynccontextmanager
    async def _thread_connection(self, engine: Engine, *, begin: bool, commit: bool) -> AsyncIterator[Conn]:
        conn = await self.call(engine.connect)
        try:
            if begin:
                await self.call(conn.begin)
            yield ThreadConnection(self, conn)
            if commit:
                await self.call(conn.commit)
        finally:
            await self.call(conn.close)  # rolls back what was not committed

    # -------------------------------------------------------------- transactions

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        if self.threaded:
            async with self._thread_transaction(self._sync_reads, begin=False, commit=False) as conn:
                yield conn  # SQLAlchemy begins at the first statement and rolls back on close
            return
        async with self._queue(), self._reads.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        if self.threaded:
            async with self._thread_transaction(self._sync_writes, begin=True, commit=False) as conn:
                yield conn
            return
        async with self._queue(), self._writes.connect() as conn:
            await conn.begin()
            yield conn  # closing rolls back what was not committed

    @asynccontextmanager
    async def single(self, *, write: bool) -> AsyncIterator[Conn]:
        """For one statement; a write is committed when the block ends without an exception."""
        if self.threaded:
            async with self._thread_transaction(self._sync_single, begin=False, commit=write) as conn:
                yield conn
            return
        async with self._queue(), (self._single_writes if write else self._single_reads).connect() as conn:
            yield conn
            if write:
                await conn.commit()

    def _queue(self) -> AbstractAsyncContextManager[Any]:
        """An in-memory SQLite database has a single connection: its transactions take turns."""
        return self._lock if self.memory else nullcontext()

    async def dispose(self) -> None:
        """Closes every connection and stops the worker thread (the application's last step; a
        later use starts them again)."""
        if self._pool is not None:
            await self.call(self._sync.dispose)
            self._pool.shutdown(wait=True)
            self._pool = self._thread_id = None
        await self.engine.dispose()


def _complete(fn: Callable[..., Awaitable[T]], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    """Runs a coroutine that never waits (its statements run synchronously in this thread) to its
    end; one that would wait for the event loop is a programming error, said as such."""
    coroutine = fn(*args, **kwargs)
    assert isinstance(coroutine, Coroutine)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError(f"{fn.__qualname__} waited for the event loop in the database's thread")


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
