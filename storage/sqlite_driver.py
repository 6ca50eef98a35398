"""SQLAlchemy's aiosqlite adapter with one thread round trip per statement.

aiosqlite runs SQLite in a worker thread; every call is a round trip to that thread (a queue, a
thread switch, a wake-up of the event loop): about 50 µs of CPU, far more than SQLite needs for
a primary-key lookup. SQLAlchemy's adapter makes four of them per statement (create a cursor,
execute, fetch the rows, close the cursor) and one per commit or rollback even when SQLite has
no transaction open (the pool's reset of every connection it gets back). On the bot's hot path —
a lookup and a draft upsert per update — those round trips were most of the database's cost.

This adapter runs cursor, execute, fetch and close as one call in the same worker thread and
skips a commit or rollback when SQLite has no transaction open. Same driver, same thread, same
transactions and locking (storage/db.py); only fewer trips. ``make_engine`` uses it for
``sqlite+aiosqlite`` URLs; :data:`ENABLED` false (NOMINEE_SQLITE_LEAN=0) falls back to the stock
adapter.

:class:`InlineDbapi` is the same adapter with no trip at all: the statements run in the event
loop's thread. storage/db.py uses it for write transactions that already hold SQLite's lock.
"""

from __future__ import annotations

import collections
import os
import sqlite3
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

ENABLED = os.environ.get("NOMINEE_SQLITE_LEAN", "1") != "0"

_Result = tuple[Any, list[Any], int, int | None]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Result:
    """In the worker thread: the whole life of one cursor."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class LeanCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in one round trip (no aiosqlite cursor is kept)."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        pass

    def close(self) -> None:
        self._rows.clear()

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            result: _Result = await conn._execute(  # type: ignore[no-untyped-call]
                lambda: _run(conn._conn, operation, parameters, many)
            )
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._call(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._call(operation, seq_of_parameters, True)

    def nextset(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass


class LeanConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = LeanCursor

    def _in_transaction(self) -> bool:
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        return conn._connection is not None and conn.in_transaction

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()


class LeanDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> LeanConnection:
        creator_fn = kw.pop("async_creator_fn", None)
        if creator_fn:
            connection = creator_fn(*arg, **kw)
        else:
            connection = self.aiosqlite.connect(*arg, **kw)
            if isinstance(connection, Thread):  # aiosqlite before 0.22: the connection is the thread
                connection.daemon = True
            else:
                connection._thread.daemon = True
        return LeanConnection(self, await_(connection))


class _LoopThreadSqlite:
    """What the adapter uses of an ``aiosqlite.Connection``, done at once in the calling thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def _execute(self, fn: Any) -> Any:
        return fn()

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        self._connection = None
        self._conn.close()


class InlineConnection(LeanConnection):
    """A LeanConnection whose statements run in the event loop's thread (see InlineDbapi)."""

    __slots__ = ()

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level  # type: ignore[no-any-return]

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection._conn.isolation_level = value


class InlineDbapi(LeanDbapi):
    """The same adapter without the worker thread: every statement runs in the event loop's
    thread, blocking it for as long as SQLite takes. storage/db.py uses it only where SQLite
    cannot make it wait: write transactions begun with ``BEGIN IMMEDIATE`` under a zero busy
    timeout (once that succeeds this connection holds SQLite's write lock and, in WAL mode, no
    reader or writer can stall it; when another process holds the lock, the transaction goes
    through aiosqlite instead)."""

    def connect(self, *arg: Any, **kw: Any) -> InlineConnection:
        kw.pop("async_creator_fn", None)
        kw["check_same_thread"] = False  # the pool may close it from the garbage collector
        return InlineConnection(self, _LoopThreadSqlite(sqlite3.connect(*arg, **kw)))  # type: ignore[arg-type]


def inline_dbapi() -> InlineDbapi:
    return InlineDbapi(aiosqlite, sqlite3)


def lean_dbapi() -> LeanDbapi | None:
    """The ``module`` argument for create_async_engine (None: SQLAlchemy's own adapter)."""
    return LeanDbapi(aiosqlite, sqlite3) if ENABLED else None


__all__ = [
    "ENABLED",
    "InlineConnection",
    "InlineDbapi",
    "LeanConnection",
    "LeanCursor",
    "LeanDbapi",
    "inline_dbapi",
    "lean_dbapi",
]
