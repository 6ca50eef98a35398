"""Starting the bot and the database-backed commands of the command line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import Settings

if TYPE_CHECKING:
    from storage.service import Store

log = logging.getLogger(__name__)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_clock(settings: Settings) -> Callable[[], datetime]:
    """The real time, or with NOMINEE_TODAY the real time moved to that day: timestamps still run
    forward (drafts, the audit log) while deadlines and ages see the pinned date."""
    pinned = settings.today
    if pinned is None:
        return lambda: datetime.now(UTC)
    shift = pinned - datetime.now(SHANGHAI).date()
    return lambda: datetime.now(UTC) + shift


async def open_store(settings: Settings) -> Store:
    """The service on the configured database; refuses a database whose schema is out of date."""
    from storage.db import Database, check_schema, make_engine
    from storage.service import Store

    settings.ensure_data_dir()
    engine = make_engine(settings.database_url)
    try:
        await check_schema(engine)
    except Exception:
        await engine.dispose()
        raise
    return Store(
        Database(engine),
        files_dir=settings.files_dir,
        clock=make_clock(settings),
        # One bot process writes its users' drafts, so it may keep them in memory; several
        # instances (Redis) share them through the database only.
        cache_drafts=not settings.redis_url,
    )


async def run(settings: Settings) -> int:
    from aiogram.exceptions import TelegramUnauthorizedError
    from aiogram.fsm.storage.base import BaseEventIsolation

    from bot.app import make_bot, make_dispatcher, run_polling, settle_memory
    from bot.logging import setup_logging
    from storage.db import SchemaOutOfDate
    from storage.fsm import make_fsm_storage

    setup_logging()
    # aiogram logs every handled update at INFO ("Update id=… is handled. Duration … ms"): a line
    # per keystroke through the masking filter, 2% of a busy bot's CPU. Failures still reach the log.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    try:
        store = await open_store(settings)
    except SchemaOutOfDate as exc:
        print(f"nominee-bot run: {exc}", file=sys.stderr)
        return 1
    fsm = make_fsm_storage(settings, store.db.engine)
    isolation: BaseEventIsolation | None = None
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        if isinstance(fsm, RedisStorage):
            isolation = RedisEventIsolation(fsm.redis)
    assert settings.bot_token is not None
    bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
    dp = make_dispatcher(
        store,
        storage=fsm,
        isolation=isolation,
        clock=make_clock(settings),
        throttle=(settings.throttle_rate, settings.throttle_window),
    )
    settle_memory()
    try:
        await run_polling(bot, dp)
    except TelegramUnauthorizedError:
        print("nominee-bot run: Telegram refused the token (NOMINEE_BOT_TOKEN).", file=sys.stderr)
        return 1
    finally:
        await bot.session.close()
        await fsm.close()
        await store.db.dispose()
    return 0


async def create_invite(settings: Settings, campaign_id: str, unit: str | None, role: str, days: int) -> int:
    from core.loader import builtin_names
    from core.ports import ServiceError
    from storage.db import SchemaOutOfDate

    try:
        store = await open_store(settings)
    except SchemaOutOfDate as exc:
        print(f"nominee-bot invite: {exc}", file=sys.stderr)
        return 1
    try:
        if campaign_id in builtin_names():
            await store.ensure_builtin(campaign_id)
        code = await store.create_invite(campaign_id, unit, "office" if role == "office" else "clerk", days)
    except ServiceError as err:
        messages = {
            "campaign.unknown": f"没有评选活动 “{campaign_id}”：请先执行 nominee-bot campaign load。",
            "unit.unknown": f"评选活动 “{campaign_id}” 中没有推荐单位 “{unit}”。",
        }
        print(f"nominee-bot invite: {messages.get(err.code, err.code)}", file=sys.stderr)
        return 1
    finally:
        await store.db.dispose()
    username = settings.bot_username or await _bot_username(settings)
    print(code)
    print(f"https://t.me/{username or '<bot>'}?start={code}")
    print(f"({unit or 'office'} · {role} · {days} days)", file=sys.stderr)
    return 0


async def _bot_username(settings: Settings) -> str | None:
    if settings.bot_token is None:
        return None
    from bot.app import make_bot

    bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
    try:
        return (await bot.get_me()).username
    except Exception:  # no network or a bad token: the link gets a placeholder
        log.warning("could not ask Telegram for the bot's username")
        return None
    finally:
        await bot.session.close()


__all__ = ["create_invite", "open_store", "run"]
