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
from storage.invites import SqlInvites
from storage.nominees import SqlNominees
from storage.reminders import SqlReminders
from storage.units import SqlUnits
from storage.users import SqlUsers

T = TypeVar("T")


class SqlUnitOfWork:
    """The repositories of one transaction (``app.ports.UnitOfWork``)."""

    def __init__(self, conn: Conn, definitions: Definitions) -> None:
        self._conn = conn
        self.users: Users = SqlUsers(conn)
        self.units: Units = SqlUnits(conn)
        self.campaigns: Campaigns = SqlCampaigns(conn, definitions)
        self.nominees: Nominees = SqlNominees(conn)
        self.counters: Counters = SqlCounters(conn)
        self.audit: Audit = SqlAudit(conn)
        self.invites: Invites = SqlInvites(conn)
        self.reminders: Reminders = SqlReminders(conn)

    async def commit(self) -> None:
        await self._conn.commit()


class SqlTransactions:
    """``app.ports.Transactions`` on one :class:`Database` (SQLite: reads ``BEGIN``, writes
    ``BEGIN IMMEDIATE`` after this process's write lock; PostgreSQL: reads REPEATABLE READ)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._definitions = Definitions()

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        return await self.db.run(fn, *args, **kwargs)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.read() as conn:
            yield SqlUnitOfWork(conn, self._definitions)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.write() as conn:
            yield SqlUnitOfWork(conn, self._definitions)


__all__ = ["SqlTransactions", "SqlUnitOfWork"]
