"""The composition root: Bot + Dispatcher + service, the way production and the tests build them."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BotCommand, BotCommandScopeDefault, InlineKeyboardMarkup, InputFile
from aiohttp import ClientError, ClientTimeout

import handlers
from bot.middlewares import ContextMiddleware, LanguageMiddleware, ThrottlingMiddleware, make_i18n
from core.ports import NomineeService
from handlers.i18n import N_

log = logging.getLogger(__name__)
LOCALES = Path(__file__).resolve().parent.parent / "locales"
JSON_HEADERS = {"Content-Type": "application/json"}

# (command, English description); the Chinese descriptions come from the catalogue.
COMMANDS = [
    ("new", N_("Enter a nominee")),
    ("quota", N_("Places left for my unit")),
    ("list", N_("My unit's nominees")),
    ("status", N_("One nominee's record: /status N")),
    ("edit", N_("Change a nominee: /edit N")),
    ("withdraw", N_("Withdraw a nominee: /withdraw N")),
    ("submit", N_("Hand the list to the office")),
    ("deadlines", N_("Dates and days left")),
    ("lang", N_("中文 / English")),
    ("help", N_("Help")),
    ("cancel", N_("Stop the current step")),
]


class BotSession(AiohttpSession):
    """aiogram's aiohttp session, with three changes that the profile of a busy bot asked for:

    - the ``Response[T]`` models replies are validated with are kept alive. aiogram parametrises
      ``Response[T]`` on every call; pydantic caches parametrised models only weakly, so after a
      garbage collection the model was built again from scratch — 1 to 4 ms of CPU for
      ``Response[Message]`` or ``Response[list[Update]]``, the biggest single item of the profile;
    - a reply's copy of the keyboard just sent is not validated again (see ``_loads``);
    - requests without a file go as a JSON body (which the Bot API accepts) instead of a
      url-encoded form: percent-encoding every Chinese character of a text and of its keyboard's
      JSON cost more than the rest of building the request, and the server decodes JSON faster.
      Uploads keep aiogram's multipart form.
    """

    _responses: ClassVar[dict[Any, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_loads=self._loads, **kwargs)
        self._sent_markup: InlineKeyboardMarkup | None = None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        payload = self.prepare_value(method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False)
        if files:
            return await super().make_request(bot, method, timeout)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            limit = ClientTimeout(total=self.timeout if timeout is None else timeout)
            async with session.post(url, data=body, headers=JSON_HEADERS, timeout=limit) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._responses:
            self._responses[returning] = Response[returning]  # type: ignore[valid-type]
        markup = getattr(method, "reply_markup", None)
        self._sent_markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        try:
            return super().check_response(bot, method, status_code, content)
        finally:
            self._sent_markup = None

    def _loads(self, content: str) -> Any:
        """The reply's JSON. A sent or edited message comes back with the keyboard it was sent
        with; the keyboard object just sent stands in for its copy, which pydantic would otherwise
        validate button by button again (140 µs of the 190 for a reply with twelve buttons).
        check_response calls this synchronously, so ``_sent_markup`` belongs to its reply."""
        data = json.loads(content)
        markup = self._sent_markup
        if markup is not None and isinstance(data, dict):
            result = data.get("result")
            if isinstance(result, dict) and "reply_markup" in result:
                result["reply_markup"] = markup
        return data


def settle_memory() -> None:
    """Garbage collection for a long-running bot, once start-up is done.

    What exists then lives as long as the process (aiogram's types, pydantic's schemas,
    SQLAlchemy's metadata, the catalogues): a full collection walked all of it with the event loop
    stopped, 100-230 ms each time under load — the tail of the reply latency. Frozen, the
    collector never walks it again. And an update allocates thousands of short-lived objects (the
    update's pydantic models, the reply's, its keyboard's), nearly all freed at once by reference
    counting; with the default thresholds (700, 10, 10) the collector still ran a young collection
    every few updates and a full one every few seconds: 5% of a busy bot's CPU, 11-16% of its
    throughput. Cycles are still collected, in larger batches (RSS: the README's Performance)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def make_bot(token: str, api_server: str | None = None) -> Bot:
    session = BotSession(api=TelegramAPIServer.from_base(api_server)) if api_server else BotSession()
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def make_dispatcher(
    service: NomineeService,
    *,
    storage: BaseStorage | None = None,
    isolation: BaseEventIsolation | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    throttle: tuple[int, float] = (30, 3.0),
) -> Dispatcher:
    dp = Dispatcher(storage=storage, events_isolation=isolation or SimpleEventIsolation())
    i18n = make_i18n(str(LOCALES))
    context = ContextMiddleware(service, clock)
    throttling = ThrottlingMiddleware(*throttle) if throttle[0] > 0 else None
    language = LanguageMiddleware(i18n)
    for observer in (dp.message, dp.callback_query):
        # context first (who is it), then language (needs the stored choice), then throttling (speaks)
        observer.outer_middleware(context)
        observer.outer_middleware(language)
        if throttling is not None:
            observer.outer_middleware(throttling)
    # The error handler runs outside the observers above; it needs the user's language as well.
    dp.errors.outer_middleware(ContextMiddleware(service, clock, tolerant=True))
    dp.errors.outer_middleware(language)
    dp.include_router(handlers.setup())
    return dp


async def register_commands(bot: Bot) -> None:
    """Command menus in both languages (Chinese for everybody who is not English)."""
    i18n = make_i18n(str(LOCALES))
    for code in ("zh", "en"):
        with i18n.context(), i18n.use_locale(code):
            commands = [BotCommand(command=c, description=i18n.gettext(d)[:256]) for c, d in COMMANDS]
        await bot.set_my_commands(commands, BotCommandScopeDefault(), language_code=None if code == "zh" else "en")


def used_updates(dp: Dispatcher) -> list[str]:
    return dp.resolve_used_update_types()


async def run_polling(bot: Bot, dp: Dispatcher, **kwargs: Any) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    await register_commands(bot)
    me = await bot.get_me()
    log.info("polling as @%s", me.username)
    await dp.start_polling(bot, allowed_updates=used_updates(dp), handle_signals=True, **kwargs)
