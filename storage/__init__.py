"""Persistence: :mod:`app.ports` on SQLAlchemy 2 with the stock drivers — the standard library's
sqlite3 for the embedded SQLite default, in the database's own thread (a whole use case in one hop,
storage.db), asyncpg for PostgreSQL — and Alembic migrations. No business rule lives here: the use
cases (``app/``) decide, these modules store.

- ``db``          engines (SQLite: WAL, busy timeout, BEGIN IMMEDIATE for writes),
                  :class:`~storage.db.Database` (the one per engine: ``read()``, ``write()``,
                  ``single()``, ``run()``), the Alembic helpers and the schema check the bot runs
                  at start-up
- ``uow``         :class:`~storage.uow.SqlTransactions`: a unit of work binding the repositories
                  to one transaction, committed once
- ``users``, ``units``, ``campaigns`` (definitions parsed once per version), ``nominees``,
  ``counters`` (places taken by conditional UPDATE), ``audit``, ``invites``, ``reminders``:
                  the repositories, one table family each, returning plain records
- ``drafts``      the half-typed nominees, one statement per step (in memory too, one process)
- ``files``       uploaded files on disk, once per SHA-256, with their rows
- ``memo``        the write-through memory of rows one process alone writes (drafts, FSM rows)
- ``fsm``         aiogram FSM storage in the database (or Redis when configured)
- ``models``      the schema; ``migrations/`` its Alembic history (``nominee-bot db upgrade``)

:func:`open_ports` builds everything a use case runs over. Only ``fsm`` imports aiogram; nothing
here imports ``bot/`` or ``handlers/``. Importing the package itself loads nothing heavy: the
command line's fast commands must not pay for SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ports import Clock, Ports
    from storage.db import Database


def open_ports(db: Database, files_dir: Path, clock: Clock, *, cache_drafts: bool) -> Ports:
    """The ports of the use cases on one :class:`Database`. ``cache_drafts``: this process is the
    only writer of its users' drafts (one bot process, no Redis), so they may stay in memory."""
    from app.ports import Ports
    from storage.drafts import DRAFT_CACHE_SIZE, SqlDrafts
    from storage.files import DiskFiles
    from storage.uow import SqlTransactions

    drafts = SqlDrafts(db, cache_size=DRAFT_CACHE_SIZE if cache_drafts else 0)
    return Ports(
        db=SqlTransactions(db, drafts),
        drafts=drafts,
        files=DiskFiles(db, files_dir),
        clock=clock,
    )


__all__ = ["open_ports"]
