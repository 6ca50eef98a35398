"""Everything the chat tests need from the product's store and wiring, in one place.

The store's API is being replaced (``storage.service.Store`` → the use cases of ``app/`` over
``Ports``): this is the only module of ``tests/chat`` that names it. Everything else a story
needs happens through the chat, as a clerk would do it — joining included (``/start <code>``).

What the office would do on the command line is here: migrate a database (once per test
session, then copied), load a built-in campaign or a definition file, create an invitation
code. And building what ``nominee-bot run`` builds over a database file: the service and the
Dispatcher (``bot.app.make_dispatcher``), with the test's clock and throttling off. A restart is
the same done again over the same file.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from aiogram import Dispatcher

from bot.app import make_dispatcher
from core.loader import builtin_text, parse
from storage.db import make_engine, upgrade
from storage.fsm import DbStorage
from storage.service import Store


async def migrate(path: Path) -> None:
    """An empty database file at the newest schema (``nominee-bot db upgrade``)."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class World:
    """The bot's database file and files directory, and the running bot's service over them.

    ``clock`` is the one clock of the bot (the service's timestamps, "today", the middlewares):
    an aware datetime."""

    def __init__(self, db_path: Path, files_dir: Path, clock: Callable[[], datetime]) -> None:
        self.db_path = db_path
        self.files_dir = files_dir
        self.clock = clock
        self._store: Store | None = None
        self._fsm: DbStorage | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            # As bot.runner.open_store builds it for one bot process without Redis.
            engine = make_engine(f"sqlite+aiosqlite:///{self.db_path}")
            self._store = Store(engine, files_dir=self.files_dir, clock=self.clock, cache_drafts=True)
        return self._store

    async def close(self) -> None:
        """Stops the running bot's service (its database connections)."""
        if self._fsm is not None:
            await self._fsm.close()
            self._fsm = None
        if self._store is not None:
            await self._store.db.dispose()
            self._store = None

    # -------------------------------------------------------------- the office's command line

    async def load_builtin(self, name: str) -> None:
        """``nominee-bot campaign load NAME`` for a built-in campaign (zhengzhou-2024, …)."""
        await self.store.ensure_builtin(name)

    async def load_definition(self, text: str) -> None:
        """``nominee-bot campaign load FILE``: a new definition, or a changed one of a campaign
        already loaded. Fails the test when the definition is refused."""
        report = await self.store.load_campaign(parse(text, "<test>"), text=text)
        assert report.ok, report

    @staticmethod
    def builtin_text(name: str) -> str:
        """The text of a built-in definition (to load a changed copy of it)."""
        return builtin_text(name)

    async def invite(self, campaign: str, unit: str | None, *, days: int = 14) -> str:
        """``nominee-bot invite create``: a single-use code for a clerk of ``unit``, or for the
        office when ``unit`` is None."""
        return await self.store.create_invite(campaign, unit, "clerk" if unit else "office", days)

    # -------------------------------------------------------------- the machine

    @contextmanager
    def failing_disk(self) -> Iterator[None]:
        """While inside, every write of an uploaded file fails (NotADirectoryError): the place
        where the bot keeps files is a plain file. The directory is back afterwards, emptied."""
        if self.files_dir.exists():
            shutil.rmtree(self.files_dir)
        self.files_dir.write_text("not a directory")
        try:
            yield
        finally:
            self.files_dir.unlink()

    # -------------------------------------------------------------- the running bot

    def dispatcher(self) -> Dispatcher:
        """What ``nominee-bot run`` builds (bot.runner.run), over this world's database."""
        self._fsm = DbStorage(self.store.db)
        return make_dispatcher(self.store, storage=self._fsm, clock=self.clock, throttle=(0, 3.0))

    async def restart(self) -> Dispatcher:
        """The bot process stopped and started again over the same database file: nothing of the
        old process's memory survives."""
        await self.close()
        return self.dispatcher()
