"""Everything the chat tests need from the product's store and wiring, in one place.

This is the only module of ``tests/chat`` that names the store's API (today: the use cases of
``app/`` over :class:`app.ports.Ports`, built by ``storage.open_ports``) or the composition
root's (``bot.app.make_dispatcher``). Everything else a story needs happens through the chat, as
a clerk would do it — joining included (``/start <code>``).

What the office would do on the command line is here: migrate a database (once per test
session, then copied), load a built-in campaign or a definition file, create an invitation
code. And building what ``nominee-bot run`` builds over a database file: the ports, the FSM
storage and the Dispatcher, with the test's clock and throttling off. A restart is the same done
again over the same file.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage

from app import campaigns, joining, queries, review
from app.ports import Ports
from bot.app import make_dispatcher, register_commands
from bot.session import Sleep, tune
from core.campaign import Campaign
from core.loader import builtin_text, load_builtin, parse
from storage import open_ports
from storage.db import Database, make_engine, upgrade
from storage.fsm import make_fsm_storage


async def migrate(path: Path) -> None:
    """An empty database file at the newest schema (``nominee-bot db upgrade``)."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class World:
    """The bot's database file and files directory, and the running bot's ports over them.

    ``clock`` is the one clock of the bot (timestamps, "today", the pause before a draft is
    offered again): an aware datetime."""

    def __init__(self, db_path: Path, files_dir: Path, clock: Callable[[], datetime]) -> None:
        self.db_path = db_path
        self.files_dir = files_dir
        self.clock = clock
        self._db: Database | None = None
        self._ports: Ports | None = None
        self._fsm: BaseStorage | None = None

    @property
    def ports(self) -> Ports:
        if self._ports is None:
            # as bot.runner.open_ports builds them for one bot process without Redis
            self._db = Database(make_engine(f"sqlite+aiosqlite:///{self.db_path}"))
            self._ports = open_ports(self._db, self.files_dir, self.clock, cache_drafts=True)
        return self._ports

    async def close(self) -> None:
        """Stops the running bot's ports (its database connections)."""
        if self._fsm is not None:
            await self._fsm.close()
        if self._db is not None:
            await self._db.dispose()
        self._db, self._ports, self._fsm = None, None, None

    # -------------------------------------------------------------- the office's command line

    async def load_builtin(self, name: str) -> None:
        """``nominee-bot campaign load NAME`` for a built-in campaign (zhengzhou-2024, …)."""
        await campaigns.ensure_builtin(self.ports, name)

    async def load_definition(self, text: str) -> None:
        """``nominee-bot campaign load FILE``: a new definition, or a changed one of a campaign
        already loaded. Fails the test when the definition is refused."""
        report = await campaigns.load(self.ports, parse(text, "<test>"), text=text)
        assert report.ok, report

    def allocation_template(self, name: str) -> bytes:
        """``nominee-bot import-allocation --campaign NAME --template OUT.xlsx``: the table to fill."""
        from sheets.allocation import allocation_template

        return allocation_template(self.campaign(name))

    @staticmethod
    def campaign(name: str) -> Campaign:
        """A built-in definition, as the office reads it (its questions' labels)."""
        return load_builtin(name)

    @staticmethod
    def builtin_text(name: str) -> str:
        """The text of a built-in definition (to load a changed copy of it)."""
        return builtin_text(name)

    async def invite(self, campaign: str, unit: str | None, *, days: int = 14) -> str:
        """``nominee-bot invite create``: a single-use code for a clerk of ``unit``, or for the
        office when ``unit`` is None."""
        return await joining.create_invite(self.ports, campaign, unit, "clerk" if unit else "office", days)

    async def seat_office(self, campaign: str, *tg_ids: int) -> None:
        """``NOMINEE_OFFICE_IDS``: what ``nominee-bot run`` does with the listed ids at start."""
        await joining.seat_office(self.ports, campaign, tg_ids)

    async def reopen(self, office: int, unit: str, until: date | None = None) -> int:
        """The office (Telegram user ``office``, joined) opens ``unit``'s list again after a
        submission or the deadline (app.review.reopen; in the chat: /review → 重新开放本单位名单).
        How many submitted nominees became editable again."""
        found = await queries.context(self.ports, office)
        assert found is not None, f"{office} has not joined"
        return await review.reopen(self.ports, found[0], unit, until)

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

    @contextmanager
    def full_disk(self) -> Iterator[None]:
        """While inside, every write of the database fails as on a full disk (SQLite's "database
        or disk is full"); reads still work. Set up from outside the bot, as the machine would."""
        tables = ("drafts", "nominees", "fsm", "users", "audit_log")
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            for table in tables:
                for what in ("INSERT", "UPDATE", "DELETE"):
                    db.execute(
                        f"CREATE TRIGGER full_{table}_{what.lower()} BEFORE {what} ON {table} "
                        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                    )
            db.commit()
        try:
            yield
        finally:
            with contextlib.closing(sqlite3.connect(self.db_path)) as db:
                for table in tables:
                    for what in ("insert", "update", "delete"):
                        db.execute(f"DROP TRIGGER full_{table}_{what}")
                db.commit()

    # -------------------------------------------------------------- the running bot

    @staticmethod
    def make_bot(token: str, session: BaseSession, sleep: Sleep) -> Bot:
        """The Bot production makes (bot.session.make_bot) on a test's session: the same
        defaults (HTML), the same request middlewares (retries included, waiting with ``sleep``)
        and reader of Telegram's replies."""
        tune(session, sleep=sleep)
        return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))

    async def start_up(self, bot: Bot) -> None:
        """What the bot does with Telegram before it polls (bot.app.run_polling): the command
        menus, the office's in each office member's chat."""
        await bot.delete_webhook(drop_pending_updates=False)
        await register_commands(bot, self.ports)
        await bot.get_me()

    def dispatcher(self) -> Dispatcher:
        """What ``nominee-bot run`` builds (bot.runner.run), over this world's database."""
        ports = self.ports
        assert self._db is not None
        self._fsm = make_fsm_storage(None, self._db)
        return make_dispatcher(ports, storage=self._fsm, throttle=(0, 3.0))

    async def restart(self) -> Dispatcher:
        """The bot process stopped and started again over the same database file: nothing of the
        old process's memory survives."""
        await self.close()
        return self.dispatcher()
