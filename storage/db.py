"""Engines, transactions and the schema version.

SQLite (the embedded default) is set up so that concurrent writers *wait* instead of failing:
WAL (readers never block the writer), a busy timeout, and write transactions that start with
``BEGIN IMMEDIATE`` — a deferred transaction that reads first and writes later cannot upgrade its
lock while another writer is active and fails with "database is locked" at once, whatever the
timeout. Inside one process writers also queue on an asyncio lock, so they wait in the event loop
rather than in SQLite's sleeping back-off. PostgreSQL goes through asyncpg; its row locks do the
serialising (see storage/service.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import weakref
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Select, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine, Result, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 10
_WRITE = "nominee_write"  # execution option marking a connection whose transactions will write
_SINGLE = "nominee_single"  # execution option: every transaction is a single statement (no BEGIN on SQLite)


def make_engine(
    url: str, *, pool_size: int | None = None, max_overflow: int | None = None, echo: bool = False
) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    ``hide_parameters`` keeps bound values (ID numbers, phone numbers) out of SQLAlchemy's
    error messages and logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if not memory and parsed.database and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)  # the data dir, on first use
        # Writes serialise anyway; a big pool only adds connections sleeping in lock back-off.
        pool: dict[str, Any] = {} if memory else {"pool_size": pool_size or 5, "max_overflow": 0}
        if parsed.get_driver_name() == "aiosqlite":
            from storage.sqlite_driver import lean_dbapi

            module = lean_dbapi()  # one thread round trip per statement instead of four
            if module is not None:
                pool["module"] = module
        engine = create_async_engine(
            url,
            hide_parameters=True,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
            **pool,
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


def _configure_sqlite(
    engine: AsyncEngine | Engine,
    *,
    busy_ms: int = SQLITE_BUSY_TIMEOUT_S * 1000,
    query_only: bool = False,
) -> None:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's legacy implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # In WAL mode NORMAL loses no committed transaction on a process crash, only on power loss.
            cursor.execute("PRAGMA synchronous=NORMAL")
            if query_only:
                cursor.execute("PRAGMA query_only=ON")
            # No checkpoint as a transaction commits: it would copy the WAL into the database file
            # and sync it while this process's write lock is held — every writer waiting behind it,
            # for hundreds of milliseconds on a slow disk. Database.checkpoint runs in the background.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        finally:
            cursor.close()

    @event.listens_for(sync, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_SINGLE):
            return  # one statement: SQLite runs it as a transaction of its own
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE) else "BEGIN")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


# One asyncio lock per SQLite engine: writers of one process queue here, in the event loop.
_write_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def _write_lock(engine: AsyncEngine) -> asyncio.Lock:
    lock = _write_locks.get(engine.sync_engine)
    if lock is None:
        lock = _write_locks[engine.sync_engine] = asyncio.Lock()
    return lock


# SQLite statements in the event loop's own thread. aiosqlite hands every statement to a worker
# thread: two thread switches (and, on a busy machine, two trips through the scheduler) per
# statement, for work SQLite does in microseconds.
#
# - Reads: in WAL mode a read takes no lock a writer holds and waits for none, so it cannot block
#   the loop — except in rare moments (another connection recovering the WAL after a crash, or
#   holding the file exclusively), which INLINE_BUSY_MS bounds; then the read goes through aiosqlite.
# - Single-statement writes (the draft saved at every step): after this process's write lock
#   (storage/db.py's asyncio lock), with no busy wait at all — when another process holds
#   SQLite's write lock the write goes through aiosqlite and waits there. This connection never
#   checkpoints the WAL (no connection does as it commits, see _configure_sqlite).
# - Write transactions (a nominee saved with its places and audit lines): BEGIN IMMEDIATE with no
#   busy wait, after this process's write lock; once it succeeds this connection holds SQLite's
#   write lock and nothing can make it wait, so the whole transaction runs as one stretch of the
#   loop (~3 ms for a save) instead of a thread round trip per statement, each waiting its turn
#   in a busy loop — while every other writer of the process queued behind the lock. When another
#   process holds the write lock, the transaction goes through aiosqlite and waits there.
#
# NOMINEE_SQLITE_INLINE=0 turns all of this off.
INLINE = os.environ.get("NOMINEE_SQLITE_INLINE", "1") != "0"
INLINE_BUSY_MS = 20
# Background checkpoints: after CHECKPOINT_EVERY writes of this process, at the first moment
# without a write for CHECKPOINT_IDLE seconds — a checkpoint syncs the database file, and the
# writes that run in the loop's thread meanwhile stalled behind that disk sync for 10-300 ms (the
# paced benchmark's p99 went from ~30 to 52-378 ms in the runs that had one). Under load that
# never pauses, CHECKPOINT_FORCE writes bound the WAL (a few tens of MB).
CHECKPOINT_EVERY = 500
CHECKPOINT_IDLE = 0.5
CHECKPOINT_FORCE = 5_000
_inline_engines: weakref.WeakKeyDictionary[Any, tuple[Engine, Engine, AsyncEngine]] = weakref.WeakKeyDictionary()


def _inline_engines_of(engine: AsyncEngine) -> tuple[Engine, Engine, AsyncEngine] | None:
    """The twins of an SQLite file engine that run in the loop's thread — SQLite connections to
    read and to write single statements (kept, see Plain), and an async engine for write
    transactions — shared by every Database on the engine; None for PostgreSQL, in-memory or URI
    databases."""
    url = engine.url
    if not INLINE or not is_sqlite(engine) or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:") or url.query:
        return None
    found = _inline_engines.get(engine.sync_engine)
    if found is None:
        sync_url = url.set(drivername="sqlite")
        # Each Database on the engine keeps one connection of each (Database._plain_reader/_writer).
        reader = create_engine(sync_url, hide_parameters=True, pool_size=2, max_overflow=8)
        _configure_sqlite(reader, busy_ms=INLINE_BUSY_MS, query_only=True)
        writer = create_engine(sync_url, hide_parameters=True, pool_size=2, max_overflow=8)
        _configure_sqlite(writer, busy_ms=0)
        from storage.sqlite_driver import inline_dbapi

        transactions = create_async_engine(
            url, module=inline_dbapi(), hide_parameters=True, pool_size=1, max_overflow=0, connect_args={"timeout": 0}
        )
        _configure_sqlite(transactions, busy_ms=0)
        found = _inline_engines[engine.sync_engine] = (reader, writer, transactions)
    return found


def _busy(exc: OperationalError | sqlite3.OperationalError) -> bool:
    """SQLite could not take a lock without waiting (SQLAlchemy's error wraps the driver's)."""
    text = str(exc.orig if isinstance(exc, OperationalError) else exc).lower()
    return "locked" in text or "busy" in text


class InlineReader:
    """A read transaction on SQLite's own connection in the loop's thread, with the ``execute`` of
    an async connection (nothing is awaited). Statements run as :class:`Plain` ones; a Core
    statement given as such is made ready on the spot."""

    def __init__(self, raw: sqlite3.Connection, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect

    async def execute(self, statement: Executable, parameters: Mapping[str, Any] | None = None) -> PlainRows:
        return self.plain(Plain(statement), parameters)

    def plain(self, statement: Plain, parameters: Mapping[str, Any] | None) -> PlainRows:
        sql, binds, maker = statement.compiled(self.dialect)
        return PlainRows(map(maker, _run_plain(self.raw, sql, _plain_parameters(binds, parameters), many=True)))


class PlainRows(list[Any]):
    """The rows of a Plain statement, with the one method of a Result the services use."""

    def first(self) -> Any:
        return self[0] if self else None


async def execute(
    s: AsyncSession | AsyncConnection | InlineReader, statement: Executable | Plain, parameters: Mapping[str, Any]
) -> Result[Any] | PlainRows:
    """``s.execute``, taking a Plain statement as well: on SQLite's own connection when ``s`` is
    an inline reading (Database.reading), as its Core statement otherwise."""
    if isinstance(statement, Plain):
        if isinstance(s, InlineReader):
            return s.plain(statement, parameters)
        statement = statement.statement
    return await s.execute(statement, parameters)


class Plain:
    """A Core statement made ready once to run on SQLite's own connection in the loop's thread —
    for the statements of every chat update (who is writing, the draft's upsert) and the quota
    readings behind its buttons, where SQLAlchemy's execution machinery (a connection from the
    pool, an execution context, the result object) cost about twice what SQLite does. The SQL is
    SQLAlchemy's own compilation and values go through the column types' own bind and result
    processors, so the statement means exactly what it means on the other paths; where there is
    no such connection (PostgreSQL, another process holding the lock, NOMINEE_SQLITE_INLINE=0) the
    Core statement runs as usual.

    ``keys``: for an INSERT, the columns the parameters will hold (SQLAlchemy compiles one per set
    of keys)."""

    def __init__(self, statement: Executable, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.keys = list(keys) if keys is not None else None
        self._compiled: tuple[str, list[tuple[str, Any, Any]], Callable[[Sequence[Any]], Any]] | None = None

    def compiled(self, dialect: Dialect) -> tuple[str, list[tuple[str, Any, Any]], Callable[[Sequence[Any]], Any]]:
        """(SQL, [(parameter, bind processor, fixed value)], row maker)."""
        if self._compiled is None:
            compiled = cast(
                SQLCompiler, cast(ClauseElement, self.statement).compile(dialect=dialect, column_keys=self.keys)
            )
            names = compiled.positiontup or []
            # (name, processor, fixed value): literals in the statement (``role == "clerk"``) are
            # binds with a value of their own; the others come from the call's parameters.
            binds = [
                (
                    n,
                    compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect),
                    _NEEDED if compiled.binds[n].required else compiled.binds[n].effective_value,
                )
                for n in names
            ]
            columns = list(self.statement.selected_columns) if isinstance(self.statement, Select) else []
            convert = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
            shape = namedtuple("PlainRow", [c.key for c in columns])  # type: ignore[misc]

            def maker(raw: Sequence[Any]) -> Any:
                return shape._make(f(v) if f is not None else v for f, v in zip(convert, raw, strict=True))

            self._compiled = (compiled.string, binds, maker if any(convert) else shape._make)
        return self._compiled


_NEEDED = object()  # a bind whose value the call gives


def _plain_parameters(binds: list[tuple[str, Any, Any]], parameters: Mapping[str, Any] | None) -> list[Any]:
    values = parameters or {}
    out = []
    for name, process, fixed in binds:
        value = values[name] if fixed is _NEEDED else fixed
        out.append(process(value) if process is not None else value)
    return out


def _run_plain(raw: sqlite3.Connection, sql: str, values: list[Any], *, many: bool) -> Any:
    """Rows of one statement on a kept connection, its cursor closed at once: a statement left
    unfinished (one row read of a lookup, or an exception while reading) would hold its read
    snapshot, and every later read on the connection would see the database as it was then."""
    cursor = raw.execute(sql, values)
    try:
        return cursor.fetchall() if many else cursor.fetchone()
    finally:
        cursor.close()


class Database:
    """Transactions for the repositories and services: ``read()`` and ``write()`` each yield a
    session inside one transaction, committed when the block ends and rolled back on an exception."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(engine)
        inline = _inline_engines_of(engine)
        self._inline: Engine | None = inline[0] if inline is not None else None
        self._inline_writer: Engine | None = inline[1] if inline is not None else None
        self._inline_engine: AsyncEngine | None = inline[2] if inline is not None else None
        self._raw_reader: PoolProxiedConnection | None = None
        self._raw_writer: PoolProxiedConnection | None = None
        self._inline_transactions = (
            async_sessionmaker(inline[2].execution_options(**{_WRITE: True}), expire_on_commit=False)
            if inline is not None
            else None
        )
        self._writes = 0  # since the last checkpoint
        self._last_write = 0.0  # the loop's time of this process's last SQLite write
        self._checkpoint: asyncio.Task[None] | None = None
        self._reader = async_sessionmaker(engine, expire_on_commit=False)
        self._writer = async_sessionmaker(engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        self._single_engine = engine.execution_options(**{_SINGLE: True})
        self._single_write_engine = engine.execution_options(**{_SINGLE: True, _WRITE: True})

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        lock = _write_lock(self.engine) if self.sqlite else nullcontext()
        async with lock:
            session = await self._inline_transaction() or self._writer()
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                await session.close()
        self._written()

    async def _inline_transaction(self) -> AsyncSession | None:
        """A session already inside BEGIN IMMEDIATE in the loop's thread, or None when that would
        have to wait (another process writes) or is off (see INLINE)."""
        if self._inline_transactions is None:
            return None
        session = self._inline_transactions()
        try:
            await session.connection()  # BEGIN IMMEDIATE: SQLite's write lock now, or "database is locked"
        except OperationalError as exc:
            await session.close()
            if not _busy(exc):
                raise
            return None
        return session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection | InlineReader]:
        """Like :meth:`read` with a Core connection instead of an ORM session (one consistent
        snapshot for several statements, less work per statement); on an SQLite file, in the
        loop's thread (see INLINE)."""
        raw = self._plain_reader() if self._inline is not None else None
        if raw is not None and not raw.in_transaction:  # (in one when a reading awaits another: rare)
            try:
                raw.execute("BEGIN")
                _run_plain(raw, "SELECT 1 FROM sqlite_master LIMIT 1", [], many=True)  # takes the snapshot now
            except sqlite3.OperationalError as exc:
                if raw.in_transaction:
                    raw.rollback()
                if not _busy(exc):
                    raise
            else:
                try:
                    yield InlineReader(raw, self.engine.dialect)
                finally:
                    raw.rollback()  # a read: nothing to keep
                return
        async with self.engine.connect() as aconn, aconn.begin():
            yield aconn

    async def first(self, statement: Plain, parameters: Mapping[str, Any] | None = None) -> Any:
        """The first row of one read-only statement, without an ORM session: the cheapest round
        trip, for lookups made on every update. On an SQLite file it runs on SQLite's own
        connection in the loop's thread (see INLINE), as its own transaction."""
        if self._inline is not None:
            sql, binds, maker = statement.compiled(self.engine.dialect)
            try:
                raw = _run_plain(self._plain_reader(), sql, _plain_parameters(binds, parameters), many=False)
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            else:
                return None if raw is None else maker(raw)
        async with self._single_engine.connect() as aconn:
            return (await aconn.execute(statement.statement, parameters)).first()

    async def execute_write(self, statement: Plain, parameters: Mapping[str, Any] | None = None) -> None:
        """One write statement, atomic by itself (an upsert of a draft), queued behind this
        process's other writers like :meth:`write`. On SQLite it runs as its own transaction: a
        single statement takes the write lock for itself, so BEGIN IMMEDIATE adds nothing; on an
        SQLite file in the loop's thread with no busy wait (aiosqlite when another process writes)."""
        lock = _write_lock(self.engine) if self.sqlite else nullcontext()
        async with lock:
            if self._inline_writer is not None:
                sql, binds, _maker = statement.compiled(self.engine.dialect)
                try:
                    _run_plain(self._plain_writer(), sql, _plain_parameters(binds, parameters), many=True)
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                else:
                    self._written()
                    return
            async with self._single_write_engine.begin() as aconn:
                await aconn.execute(statement.statement, parameters)
        self._written()

    def _plain_reader(self) -> sqlite3.Connection:
        """SQLite's own connection behind the inline reader (query only, short busy bound), kept."""
        if self._raw_reader is None:
            assert self._inline is not None
            self._raw_reader = self._inline.raw_connection()
        return self._raw_reader.driver_connection  # type: ignore[return-value]

    def _plain_writer(self) -> sqlite3.Connection:
        """SQLite's own connection behind the inline writer (autocommit, no busy wait), kept."""
        if self._raw_writer is None:
            assert self._inline_writer is not None
            self._raw_writer = self._inline_writer.raw_connection()
        return self._raw_writer.driver_connection  # type: ignore[return-value]

    def _written(self) -> None:
        """Counts this process's SQLite writes; after CHECKPOINT_EVERY a checkpoint waits in the
        background (one at a time) for a quiet moment, so the WAL stays small and nobody waits."""
        if not self.sqlite:
            return
        loop = asyncio.get_running_loop()
        self._writes += 1
        self._last_write = loop.time()
        if self._writes >= CHECKPOINT_EVERY and (self._checkpoint is None or self._checkpoint.done()):
            self._checkpoint = loop.create_task(self._checkpoint_when_quiet())

    async def _checkpoint_when_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        while self._writes < CHECKPOINT_FORCE and loop.time() - self._last_write < CHECKPOINT_IDLE:
            await asyncio.sleep(CHECKPOINT_IDLE)
        self._writes = 0
        await self.checkpoint()

    async def checkpoint(self) -> None:
        """Copies committed WAL pages into the database file and syncs it, in aiosqlite's worker
        thread, without waiting for readers or writers (PRAGMA wal_checkpoint(PASSIVE))."""
        try:
            async with self._single_engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # housekeeping: the next one will do
            log.warning("WAL checkpoint failed", exc_info=True)

    async def dispose(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        for raw in (self._raw_reader, self._raw_writer):
            if raw is not None:
                raw.close()  # back to its pool
        self._raw_reader = self._raw_writer = None
        for inline in (self._inline, self._inline_writer):
            if inline is not None:
                inline.dispose()
        if self._inline_engine is not None:
            await self._inline_engine.dispose()
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
    """``nominee-bot db upgrade``: brings the database to ``revision`` in one transaction."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
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
    "Database",
    "InlineReader",
    "Plain",
    "PlainRows",
    "SchemaOutOfDate",
    "alembic_config",
    "check_schema",
    "current_revision",
    "downgrade",
    "execute",
    "head_revision",
    "is_sqlite",
    "make_engine",
    "upgrade",
]
