"""Webhook delivery, as Telegram does it once ``setWebhook`` has set a URL.

Each queued update is POSTed as JSON to the URL, with the ``X-Telegram-Bot-Api-Secret-Token``
header when a secret was set. A 2xx answer delivers it (it leaves the queue); anything else — an
error status, a refused or dropped connection, no answer within ``timeout`` seconds — is a failed
delivery, retried after a growing pause (``retry_first`` doubling up to ``retry_max`` seconds),
with the same ``update_id``, and reported by ``getWebhookInfo`` (``last_error_date``,
``last_error_message``). One chat's updates are delivered one at a time and in order (the next
only after the previous was delivered); different chats' updates go out in parallel, at most
``max_connections`` at once (setWebhook's, 40 by default).

Telegram gives up on an update after a while; this server keeps retrying while it runs, so a test
never loses an update to a slow retry schedule. A method in the webhook's answer is not performed
(the bot calls the API itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import aiohttp

from .wire import JSON

if TYPE_CHECKING:
    from .bot_side import BotSide

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def chat_of(update: JSON) -> int:
    """The chat an update belongs to (its sender's id when it has no chat): what orders deliveries."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return int(chat["id"])
            sender = value.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return int(sender["id"])
    return 0


class WebhookDelivery:
    """Delivers ``bot.updates`` to ``bot.webhook['url']`` until :meth:`stop` (module docstring)."""

    def __init__(
        self, bot: BotSide, *, timeout: float = 60.0, retry_first: float = 1.0, retry_max: float = 60.0
    ) -> None:
        self.bot = bot
        self.timeout = timeout
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.delivered = 0
        self.failed = 0
        self._wake = asyncio.Event()
        self._busy: set[int] = set()  # chats with a delivery under way
        self._retry_at: dict[int, float] = {}
        self._failures: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        self._wake.set()

    def cancel(self) -> None:
        """Stops delivering (the server is closing; the loop finishes the cancellation)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            while True:
                self._wake.clear()
                pause = self._dispatch(loop.time())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._session.close()

    def _dispatch(self, now: float) -> float | None:
        """Starts a delivery for each chat's first queued update where allowed; returns how long
        to sleep until a retry is due (None: until woken)."""
        if not self.bot.webhook.get("url"):
            return None
        limit = int(self.bot.webhook.get("max_connections") or 40)
        seen: set[int] = set()
        pause: float | None = None
        for update in list(self.bot.updates):
            chat = chat_of(update)
            if chat in seen:
                continue
            seen.add(chat)
            if chat in self._busy:
                continue
            due = self._retry_at.get(chat, 0.0)
            if due > now:
                pause = due - now if pause is None else min(pause, due - now)
                continue
            if len(self._busy) >= limit:
                break
            self._busy.add(chat)
            task = asyncio.get_running_loop().create_task(self._deliver(update, chat))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return pause

    async def _deliver(self, update: JSON, chat: int) -> None:
        assert self._session is not None
        webhook = self.bot.webhook
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(webhook["secret_token"])
        error: str | None = None
        try:
            async with self._session.post(str(webhook["url"]), data=_dumps(update), headers=headers) as resp:
                await resp.read()
                if not 200 <= resp.status < 300:
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as exc:
            error = f"Connection failed: {type(exc).__name__}"
        finally:
            self._busy.discard(chat)
        if error is None:
            self.delivered += 1
            self._failures.pop(chat, None)
            self._retry_at.pop(chat, None)
            with contextlib.suppress(ValueError):
                self.bot.updates.remove(update)
        else:
            self.failed += 1
            count = self._failures[chat] = self._failures.get(chat, 0) + 1
            pause = min(self.retry_first * 2 ** (count - 1), self.retry_max)
            self._retry_at[chat] = asyncio.get_running_loop().time() + pause
            webhook["last_error_date"] = int(time.time())
            webhook["last_error_message"] = error
            log.info("webhook delivery of update %s failed (%s); retry in %.1f s", update["update_id"], error, pause)
        self.wake()


def _dumps(update: JSON) -> bytes:
    import json

    return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["SECRET_HEADER", "WebhookDelivery", "chat_of"]
