"""The composition root: one engine and one Database per process, the ports built over them, and
the commands that need the database or Telegram. Heavy imports stay inside the functions: the
command line builds its parser for every command, and ``campaign check`` must not pay for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.settings import Settings
from core.clock import default_zone

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from sqlalchemy.ext.asyncio import AsyncEngine

    from app.ports import Ports
    from storage.db import Database

log = logging.getLogger(__name__)


def make_clock(settings: Settings) -> Callable[[], datetime]:
    """The real time, or with NOMINEE_TODAY the real time moved to that day: timestamps still run
    forward (drafts, the audit log) while deadlines and ages see the pinned date."""
    pinned = settings.today
    if pinned is None:
        return lambda: datetime.now(UTC)
    shift = pinned - datetime.now(default_zone()).date()  # the day as the campaigns' offices count it
    return lambda: datetime.now(UTC) + shift


@asynccontextmanager
async def open_ports(settings: Settings, *, check: bool = True) -> AsyncIterator[tuple[Ports, Database]]:
    """The use cases' ports on the configured database (refused with SchemaOutOfDate when its
    schema is not the newest), and the one Database behind them; disposed of at the end."""
    from storage import open_ports as storage_ports
    from storage.db import Database, check_schema, make_engine

    settings.ensure_data_dir()
    db = Database(make_engine(settings.database_url))
    try:
        if check:
            await check_schema(db.engine)
        # One bot process writes its users' drafts, so it may keep them in memory; several
        # instances (Redis) share them through the database only.
        yield storage_ports(db, settings.files_dir, make_clock(settings), cache_drafts=not settings.redis_url), db
    finally:
        await db.dispose()


class OfficeSeatError(Exception):
    """NOMINEE_OFFICE_IDS cannot be seated: which campaign is meant is unclear or unknown."""


async def seat_office(ports: Ports, settings: Settings) -> list[int]:
    """Seats ``NOMINEE_OFFICE_IDS`` as office staff of ``NOMINEE_OFFICE_CAMPAIGN``, or of the one
    campaign loaded (app.joining.seat_office); raises :class:`OfficeSeatError` when no campaign is
    loaded, several are and none is named, or the named one is not loaded."""
    from app import campaigns, joining

    if not settings.office_ids:
        return []
    loaded = [c.id for c in await campaigns.listed(ports)]
    name = settings.office_campaign
    if name is None:
        if len(loaded) != 1:
            raise OfficeSeatError(
                "NOMINEE_OFFICE_IDS 需要 NOMINEE_OFFICE_CAMPAIGN 指明评选活动 "
                f"(name the campaign with NOMINEE_OFFICE_CAMPAIGN; loaded: {', '.join(loaded) or 'none'})"
            )
        name = loaded[0]
    elif name not in loaded:
        raise OfficeSeatError(f"NOMINEE_OFFICE_CAMPAIGN 未加载 (campaign not loaded): {name}")
    seated = await joining.seat_office(ports, name, settings.office_ids)
    if seated:
        log.info("seated %d office member(s) from NOMINEE_OFFICE_IDS in %s", len(seated), name)
    return seated


@asynccontextmanager
async def reminders(
    settings: Settings, ports: Ports, bot: Bot, dp: Dispatcher, engine: AsyncEngine | None = None
) -> AsyncIterator[None]:
    """The reminder scheduler of this bot process (unless ``NOMINEE_REMINDERS=off``) while the
    block runs; /remind and /deadline start their rounds through it (``dp["rounds"]``). With
    ``engine``, the scheduler runs only while this process holds the leader lock (bot.leader):
    exactly one of several processes schedules; the claims keep each reminder single regardless."""
    if not settings.reminders:
        yield
        return
    from bot.app import LOCALES
    from bot.middlewares import make_i18n
    from bot.scheduler import Rounds, Scheduler
    from bot.session import Pacer

    rounds = Rounds(ports, bot, make_i18n(str(LOCALES)), Pacer(settings.reminder_rate))
    dp["rounds"] = rounds
    job = Scheduler(ports, rounds).run
    if engine is None:
        scheduler = asyncio.create_task(job(), name="reminders")
    else:
        from bot.leader import Leader

        scheduler = asyncio.create_task(Leader(engine, "reminders", retry=2.0).run(job), name="reminders")
    try:
        yield
    finally:
        scheduler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scheduler


async def run(settings: Settings) -> int:
    from aiogram.exceptions import TelegramUnauthorizedError
    from aiogram.fsm.storage.base import BaseEventIsolation
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

    from bot.app import make_bot, make_dispatcher, run_polling, settle_memory
    from bot.logging import setup_logging
    from storage.db import SchemaOutOfDate
    from storage.fsm import make_fsm_storage

    setup_logging()
    # aiogram logs every handled update at INFO ("Update id=… is handled. Duration … ms"): a line
    # per keystroke through the masking filter. Failures still reach the log.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    assert settings.bot_token is not None
    try:
        async with open_ports(settings) as (ports, db):
            try:
                await seat_office(ports, settings)
            except OfficeSeatError as exc:
                print(f"nominee-bot run: {exc}", file=sys.stderr)
                return 2
            fsm = make_fsm_storage(settings.redis_url, db)
            isolation: BaseEventIsolation | None = None
            if isinstance(fsm, RedisStorage):
                isolation = RedisEventIsolation(fsm.redis)
            bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
            dp = make_dispatcher(
                ports, storage=fsm, isolation=isolation, throttle=(settings.throttle_rate, settings.throttle_window)
            )
            try:
                async with reminders(settings, ports, bot, dp, db.engine):
                    settle_memory()
                    await run_polling(bot, dp)
            except TelegramUnauthorizedError:
                refused = "Telegram 拒绝了该令牌 (Telegram refused the token NOMINEE_BOT_TOKEN)"
                print(f"nominee-bot run: {refused}", file=sys.stderr)
                return 1
            finally:
                await bot.session.close()
                await fsm.close()
    except SchemaOutOfDate as exc:
        print(f"nominee-bot run: 数据库结构不是最新 (database schema out of date): {exc}", file=sys.stderr)
        return 1
    return 0


async def run_webhook(settings: Settings, *, host: str, port: int, path: str, set_webhook: str | None) -> int:
    """``nominee-bot webhook``: serves updates over HTTP (bot.webhook) until SIGTERM. With
    ``set_webhook`` (the public HTTPS URL Telegram posts to) the webhook and the command menus
    are registered first; otherwise the operator (or one process) has done that."""
    from aiogram.exceptions import TelegramUnauthorizedError
    from aiogram.fsm.storage.base import BaseEventIsolation
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

    from bot.app import allowed_updates, make_bot, make_dispatcher, register_commands, settle_memory
    from bot.dedup import MemoryClaims, RedisClaims, UpdateClaims
    from bot.logging import setup_logging
    from bot.webhook import Health, WebhookHandler, make_app, serve
    from storage.db import SchemaOutOfDate
    from storage.fsm import make_fsm_storage

    setup_logging()
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    assert settings.bot_token is not None and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    try:
        async with open_ports(settings) as (ports, db):
            try:
                await seat_office(ports, settings)
            except OfficeSeatError as exc:
                print(f"nominee-bot webhook: {exc}", file=sys.stderr)
                return 2
            fsm = make_fsm_storage(settings.redis_url, db)
            isolation: BaseEventIsolation | None = None
            claims: UpdateClaims = MemoryClaims(lease=settings.update_lease)
            redis = None
            if isinstance(fsm, RedisStorage):
                redis = fsm.redis
                # A user's lock outlives a killed process by this much only (aiogram's default: 60 s,
                # a minute in which that clerk's retried updates would wait).
                isolation = RedisEventIsolation(redis, lock_kwargs={"timeout": settings.update_lease})
                claims = RedisClaims(redis, lease=settings.update_lease)
            bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
            dp = make_dispatcher(
                ports, storage=fsm, isolation=isolation, throttle=(settings.throttle_rate, settings.throttle_window)
            )
            health = Health(db, redis)
            handler = WebhookHandler(dp, bot, secret_token=secret, claims=claims)
            try:
                if set_webhook:
                    await bot.set_webhook(set_webhook, secret_token=secret, allowed_updates=allowed_updates(dp))
                    await register_commands(bot, ports)
                    log.info("webhook set to %s", set_webhook)
                settle_memory()
                # exactly one process schedules the reminders; /metrics shows which (nominee_leader)
                async with reminders(settings, ports, bot, dp, db.engine):
                    await serve(make_app(handler, health, path), health, host, port)
            except TelegramUnauthorizedError:
                refused = "Telegram 拒绝了该令牌 (Telegram refused the token NOMINEE_BOT_TOKEN)"
                print(f"nominee-bot webhook: {refused}", file=sys.stderr)
                return 1
            finally:
                await bot.session.close()
                await fsm.close()
    except SchemaOutOfDate as exc:
        print(f"nominee-bot webhook: 数据库结构不是最新 (database schema out of date): {exc}", file=sys.stderr)
        return 1
    return 0


async def bot_username(settings: Settings) -> str | None:
    """The bot's username for invitation links: the setting, or asked from Telegram."""
    if settings.bot_username:
        return settings.bot_username
    if settings.bot_token is None:
        return None
    from bot.session import make_bot

    bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
    try:
        return (await bot.get_me()).username
    except Exception:  # no network or a bad token: the link gets a placeholder
        log.warning("could not ask Telegram for the bot's username")
        return None
    finally:
        await bot.session.close()


__all__ = ["OfficeSeatError", "bot_username", "make_clock", "open_ports", "run", "run_webhook", "seat_office"]
