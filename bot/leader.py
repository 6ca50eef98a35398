"""One leader among the bot processes: for work that must run in exactly one process at a time
(the reminder scheduler), whatever number of identical processes serve the webhook.

On PostgreSQL the leader is the process holding a session-level advisory lock
(``pg_try_advisory_lock``) on a dedicated connection. PostgreSQL releases it when that connection
ends, so a process killed with SIGKILL (or cut off from the database) loses it with no timeout to
wait for; another process takes it at its next try. On SQLite there is one bot process, and it is
always the leader.

Use on merge (the scheduler is a coroutine function that runs until cancelled)::

    leader = Leader(db.engine, "reminders")
    task = asyncio.create_task(leader.run(scheduler.run))  # at start-up, in every process
    ...
    task.cancel()                                           # at shutdown: the lock is let go

The job is cancelled as soon as leadership is lost (the connection failed its check); the
delivery claims keep reminders exactly-once even in the seconds two leaders might overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.metrics import LEADER, LEADING

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for ``name`` (stable across processes and versions)."""
    return 0x4E4F4D00_00000000 | zlib.crc32(f"nominee-bot:{name}".encode())  # "NOM\0" + crc32


class Leader:
    """Leadership for ``name`` on ``engine``'s database. ``retry``: seconds between attempts to
    become the leader; ``check``: seconds between the leader's checks that its connection (and so
    its lock) is still alive."""

    def __init__(self, engine: AsyncEngine, name: str, *, retry: float = 5.0, check: float = 5.0) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.retry = retry
        self.check = check
        self.leading = False
        self.shared = engine.dialect.name == "postgresql"

    async def run(self, job: Job) -> None:
        """Waits to be the leader, then runs ``job()`` while leading; runs it again after a lost
        leadership or a failure (logged) once leading again. Returns when ``job()`` returns;
        cancelling it cancels the job and lets the lock go."""
        if not self.shared:
            self._lead(True)
            try:
                await job()
            finally:
                self._lead(False)
            return
        while True:
            conn = await self._acquire()
            self._lead(True)
            task = asyncio.ensure_future(job())
            try:
                while not task.done():
                    await asyncio.wait({task}, timeout=self.check)
                    if not task.done() and not await self._alive(conn):
                        log.warning("leadership of %s lost: the database connection failed", self.name)
                        break
            finally:
                self._lead(False)
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                await self._let_go(conn)
            if task.done() and not task.cancelled():
                failure = task.exception()
                if failure is None:
                    return
                log.error("%s failed while leading; tried again", self.name, exc_info=failure)
                await asyncio.sleep(self.retry)

    async def try_acquire(self) -> AsyncConnection | None:
        """One attempt: the connection holding the lock, or None (another process holds it, or
        the database cannot be reached)."""
        try:
            conn = await self.engine.connect()
        except Exception as exc:
            log.warning("cannot reach the database to lead %s: %s", self.name, exc)
            return None
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # no transaction held open
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})).scalar()
        except Exception as exc:
            log.warning("could not try the lock of %s: %s", self.name, exc)
            await conn.close()
            return None
        if got:
            return conn
        await conn.close()
        return None

    async def _acquire(self) -> AsyncConnection:
        while True:
            conn = await self.try_acquire()
            if conn is not None:
                log.info("leading %s", self.name)
                return conn
            await asyncio.sleep(self.retry)

    @staticmethod
    async def _alive(conn: AsyncConnection) -> bool:
        try:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), 10)
        except Exception:
            return False
        return True

    async def _let_go(self, conn: AsyncConnection) -> None:
        try:
            await asyncio.wait_for(conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}), 5)
            await conn.close()
        except BaseException:  # a broken connection: dropped, and PostgreSQL frees the lock with it
            with contextlib.suppress(Exception):
                await conn.invalidate()
                await conn.close()

    def _lead(self, leading: bool) -> None:
        self.leading = leading
        LEADING.labels(job=self.name).set(1 if leading else 0)
        if leading:
            LEADER.labels(job=self.name).inc()


__all__ = ["Leader", "lock_key"]
