"""The unit of work (:class:`app.ports.Transactions`): one database transaction with every
repository bound to its connection; ``commit()`` once at the end of a use case, and leaving
without it rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from app.ports import Audit, Campaigns, Counters, Invites, Nominees, Reminders, Units, Users
from storage.audit import SqlAudit
from storage.campaigns import Definitions, SqlCampaigns
from storage.counters import SqlCounters
from storage.db import Conn, Database
from storage.drafts import SqlDraftRows, SqlDrafts
from storage.invites import SqlInvites
from storage.nominees import SqlNominees
from storage.reminders import SqlReminders
from storage.units import SqlUnits
from storage.users import SqlUsers

T = TypeVar("T")


class SqlUnitOfWork:
    """The repositories of one transaction (``app.ports.UnitOfWork``)."""

    def __init__(self, conn: Conn, definitions: Definitions, drafts: SqlDrafts | None = None) -> None:
        self._conn = conn
        self._drafts = None if drafts is None else drafts.within(conn)
        self.users: Users = SqlUsers(conn)
        self.units: Units = SqlUnits(conn)
        self.campaigns: Campaigns = SqlCampaigns(conn, definitions)
        self.nominees: Nominees = SqlNominees(conn)
        self.counters: Counters = SqlCounters(conn)
        self.audit: Audit = SqlAudit(conn)
        self.invites: Invites = SqlInvites(conn)
        self.reminders: Reminders = SqlReminders(conn)

    @property
    def drafts(self) -> SqlDraftRows:
        if self._drafts is None:
            raise RuntimeError("these transactions were opened without the drafts (SqlTransactions(db, drafts))")
        return self._drafts

    async def commit(self) -> None:
        await self._conn.commit()

    def close(self) -> None:
        """Leaving the transaction: the drafts it removed are read again from what was committed."""
        if self._drafts is not None:
            self._drafts.settle()


class SqlTransactions:
    """``app.ports.Transactions`` on one :class:`Database` (SQLite: reads ``BEGIN``, writes
    ``BEGIN IMMEDIATE`` after this process's write lock; PostgreSQL: reads REPEATABLE READ)."""

    def __init__(self, db: Database, drafts: SqlDrafts | None = None) -> None:
        self.db = db
        self._definitions = Definitions()
        self._drafts = drafts  # a write transaction may remove a draft (and keep its memory coherent); any reads them

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        return await self.db.run(fn, *args, **kwargs)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.read() as conn:
            yield SqlUnitOfWork(conn, self._definitions, self._drafts)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.write() as conn:
            uow = SqlUnitOfWork(conn, self._definitions, self._drafts)
            try:
                yield uow
            finally:
                uow.close()


__all__ = ["SqlTransactions", "SqlUnitOfWork"]
