"""One bot's state as the Bot API side sees and changes it (:class:`BotSide`).

Its identity, its chats, the update queue that getUpdates long-polls, the log of every bot action
("events", each with the server's global ``seq``) that the sandbox side long-polls, the bot's
messages and callback answers, its commands, and the failures injected into its next calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chats import CallbackQuery, Chat, Message, User
from .files import StoredFile
from .webhook import WebhookDelivery
from .wire import DEFAULT_UPDATE_TYPES, JSON, NOT_MODIFIED, QUERY_TOO_OLD, UPDATE_TYPES, ApiError, bad_request

if TYPE_CHECKING:
    from .state import ServerState

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Failure:
    """The next ``count`` calls of a method fail: with an error response (``error_code``,
    ``description``, a 429's ``retry_after``), or, when ``drop`` is set, with the connection
    closed and no reply — ``"before"`` the method is performed or ``"after"`` it."""

    count: int
    error_code: int
    description: str
    retry_after: int | None
    drop: str | None = None

    def error(self) -> ApiError:
        params = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return ApiError(self.error_code, self.description, params)


RECENT = 1000  # updates kept for redelivery


def _update_kind(update: JSON) -> str:
    return next(k for k in update if k != "update_id")


def _signal(event: asyncio.Event | None) -> None:
    if event is not None:
        event.set()


async def _wait_signal(event: asyncio.Event, timeout: float) -> bool:
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


class BotSide:
    """What one bot token sees and does through the Bot API: identity, chats, updates, events, commands, failures."""

    def __init__(self, server: ServerState, token: str, user: User) -> None:
        self.server = server
        self.token = token
        self.user = user
        self.next_update_id = 1  # never reset: update ids only grow
        self.poll_generation = 0
        self.get_updates_calls = 0
        self._updates_signal: asyncio.Event | None = None
        self._events_signal: asyncio.Event | None = None
        self.delivery: WebhookDelivery | None = None  # while a webhook is set
        self._init_data()

    def _init_data(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.updates: deque[JSON] = deque()
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook: JSON = {"url": ""}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.command_scopes: dict[str, JSON] = {}
        self.default_menu_button: JSON = {"type": "commands"}
        self.profile: dict[str, str] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.failures: dict[str, Failure] = {}
        self.events: list[JSON] = []
        self.event_seqs: list[int] = []
        self.method_calls: dict[str, int] = {}
        self.recent: deque[JSON] = deque(maxlen=RECENT)  # the latest updates queued, for redeliver()
        self._next_query = 1

    def reset(self) -> None:
        """Forget chats, updates, commands, failures, events and the webhook; pending long polls keep waiting."""
        self.stop_webhook()
        self._init_data()
        self.wake_all()

    # ------------------------------------------------------------- identity
    def me(self) -> JSON:
        return {
            **self.user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ------------------------------------------------------------- chats
    def open_chat(self, user: User) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = Chat(user)
        return chat

    def chat(self, chat_id: int | str) -> Chat:
        """Chat the bot may write to; 400 chat not found / 403 blocked."""
        chat: Chat | None
        if isinstance(chat_id, str):
            chat = None
            if chat_id.startswith("@"):
                wanted = chat_id[1:].lower()
                for candidate in self.chats.values():
                    if (candidate.user.username or "").lower() == wanted:
                        chat = candidate
                        break
        else:
            chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    # ------------------------------------------------------------- updates
    def push_update(self, kind: str, payload: JSON) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        if kind in self.allowed_updates:
            self.updates.append({"update_id": update_id, kind: payload})
            self.recent.append(self.updates[-1])
            event, self._updates_signal = self._updates_signal, None
            _signal(event)
            if self.delivery is not None:
                self.delivery.wake()
        return update_id

    def redeliver(self, update_id: int | None = None) -> int:
        """Queues a recent update (the latest by default) once more, as Telegram does when a poll's
        confirmation is lost: the same message or press, under a new update id."""
        found = [u for u in self.recent if update_id is None or u["update_id"] == update_id]
        if not found:
            raise bad_request(f"no recent update {update_id}" if update_id is not None else "no update yet")
        update = found[-1]
        kind = _update_kind(update)
        return self.push_update(kind, update[kind])

    def start_webhook(self, webhook: JSON) -> None:
        """Deliver the updates to ``webhook['url']`` from now on (tgserver.webhook)."""
        self.webhook = webhook
        if self.delivery is None:
            s = self.server
            self.delivery = WebhookDelivery(
                self, timeout=s.webhook_timeout, retry_first=s.webhook_retry_first, retry_max=s.webhook_retry_max
            )
            self.delivery.start()
        self.delivery.wake()

    def stop_webhook(self) -> None:
        self.webhook = {"url": ""}
        delivery, self.delivery = self.delivery, None
        if delivery is not None:
            delivery.cancel()

    def confirm_updates(self, offset: int) -> None:
        updates = self.updates
        if offset < 0:
            keep = -offset
            while len(updates) > keep:
                updates.popleft()
            return
        while updates and updates[0]["update_id"] < offset:
            updates.popleft()

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return
        chosen = frozenset(a for a in allowed if a in UPDATE_TYPES)
        self.allowed_updates = chosen or DEFAULT_UPDATE_TYPES
        if any(_update_kind(u) not in self.allowed_updates for u in self.updates):
            self.updates = deque(u for u in self.updates if _update_kind(u) in self.allowed_updates)

    def drop_unwritable(self, updates: list[JSON]) -> list[JSON]:
        """``updates`` without those that cannot be written as UTF-8 JSON, which also leave the
        queue: one bad update must not stop every later getUpdates."""
        good = []
        for update in updates:
            try:
                json.dumps(update, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                log.warning("update %s dropped: it cannot be written as UTF-8", update["update_id"])
                self.updates = deque(u for u in self.updates if u["update_id"] != update["update_id"])
                continue
            good.append(update)
        return good

    def take_updates(self, limit: int) -> list[JSON]:
        updates = self.updates
        if not updates:
            return []
        if len(updates) <= limit:
            return list(updates)
        return [updates[k] for k in range(limit)]

    def start_poll(self) -> int:
        """Register a getUpdates call; an older pending call is terminated (409)."""
        self.poll_generation += 1
        self.get_updates_calls += 1
        event, self._updates_signal = self._updates_signal, None
        _signal(event)
        return self.poll_generation

    async def wait_updates(self, generation: int, timeout: float) -> bool:
        """Long-poll until an update is queued (True) or ``timeout`` passes (False).

        Raises 409 when a newer getUpdates call supersedes this one, like Telegram.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.updates:
            remaining = deadline - loop.time()
            if remaining <= 0 or self.server.closing:
                return False
            if self._updates_signal is None:
                self._updates_signal = asyncio.Event()
            await _wait_signal(self._updates_signal, remaining)
            if self.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
        return True

    def wake_all(self) -> None:
        updates, self._updates_signal = self._updates_signal, None
        events, self._events_signal = self._events_signal, None
        _signal(updates)
        _signal(events)

    # ------------------------------------------------------------- events (sandbox side)
    def record(self, chat: Chat, kind: str, message: Message | None = None, **extra: Any) -> JSON:
        seq = self.server.next_seq()
        event: JSON = {"seq": seq, "kind": kind, "chat_id": chat.id}
        if message is not None:
            event.update(message.view())
        event.update(extra)
        event["seq"] = seq
        event["kind"] = kind
        chat.events.append(event)
        chat.event_seqs.append(seq)
        self.events.append(event)
        self.event_seqs.append(seq)
        signal, self._events_signal = self._events_signal, None
        _signal(signal)
        return event

    def events_after(self, chat_id: int | None, after_seq: int) -> list[JSON]:
        if chat_id is None:
            events, seqs = self.events, self.event_seqs
        else:
            chat = self.chats.get(chat_id)
            if chat is None:
                return []
            events, seqs = chat.events, chat.event_seqs
        if not seqs or seqs[-1] <= after_seq:
            return []
        return events[bisect_right(seqs, after_seq) :]

    async def wait_events(self, chat_id: int | None, after_seq: int, timeout: float) -> list[JSON]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.events_after(chat_id, after_seq)
            remaining = deadline - loop.time()
            if found or remaining <= 0 or self.server.closing:
                return found
            if self._events_signal is None:
                self._events_signal = asyncio.Event()
            await _wait_signal(self._events_signal, remaining)

    # ------------------------------------------------------------- bot actions
    def send_message(
        self,
        chat: Chat,
        *,
        text: str | None = None,
        raw_text: str | None = None,
        parse_mode: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        file: StoredFile | None = None,
        reply_markup: JSON | None = None,
        reply_to: Message | None = None,
    ) -> Message:
        msg = Message(
            message_id=chat.new_message_id(),
            chat=chat,
            sender=self.user,
            date=int(time.time()),
            outgoing=True,
            text=text,
            raw_text=raw_text,
            parse_mode=parse_mode,
            entities=entities or None,
            caption=caption or None,
            caption_entities=caption_entities or None,
            file=file,
            reply_markup=reply_markup,
            reply_to=reply_to,
        )
        chat.messages[msg.message_id] = msg
        if reply_markup is not None:
            if "keyboard" in reply_markup:
                chat.reply_keyboard = reply_markup
            elif "remove_keyboard" in reply_markup:
                chat.reply_keyboard = None
        self.record(chat, "message", msg)
        return msg

    def edit_message(
        self,
        msg: Message,
        *,
        text: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        raw_text: str | None = None,
        parse_mode: str | None = None,
        reply_markup: JSON | None = None,
        markup_only: bool = False,
    ) -> Message:
        new_markup = reply_markup if reply_markup and reply_markup.get("inline_keyboard") else None
        old_markup = msg.inline_markup if msg.inline_markup and msg.inline_markup["inline_keyboard"] else None
        if markup_only:
            if new_markup == old_markup:
                raise bad_request(NOT_MODIFIED)
        else:
            if msg.file is None:
                same = text == msg.text and (entities or None) == msg.entities
            else:
                same = (caption or None) == msg.caption and (caption_entities or None) == msg.caption_entities
            if same and new_markup == old_markup:
                raise bad_request(NOT_MODIFIED)
            if msg.file is None:
                msg.text = text
                msg.entities = entities or None
            else:
                msg.caption = caption or None
                msg.caption_entities = caption_entities or None
            msg.raw_text = raw_text
            msg.parse_mode = parse_mode
        msg.reply_markup = new_markup
        msg.edit_date = int(time.time())
        msg.edit_count += 1
        msg.changed()
        self.record(msg.chat, "edit", msg)
        return msg

    def delete_message(self, msg: Message) -> None:
        msg.deleted = True
        msg.changed()
        self.record(msg.chat, "delete", msg)

    def answer_callback(
        self, query_id: str, *, text: str | None, show_alert: bool, url: str | None, cache_time: int
    ) -> None:
        query = self.callback_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        query.answered = True
        answer: JSON = {
            "callback_query_id": query_id,
            "message_id": query.message_id,
            "callback_data": query.data,
            "text": text,
            "show_alert": show_alert,
            "url": url,
            "cache_time": cache_time,
        }
        query.answer = answer
        event = self.record(query.chat, "callback_answer", None, **answer)
        query.chat.callback_answers.append({**answer, "seq": event["seq"]})

    # ------------------------------------------------------------- commands
    def set_commands(self, scope: JSON | None, language: str, commands: list[JSON]) -> None:
        key = self._scope_key(scope)
        self.commands[(key, language)] = commands

    def get_commands(self, scope: JSON | None, language: str) -> list[JSON]:
        return self.commands.get((self._scope_key(scope), language), [])

    def delete_commands(self, scope: JSON | None, language: str) -> None:
        self.commands.pop((self._scope_key(scope), language), None)

    def _scope_key(self, scope: JSON | None) -> str:
        scope = scope or {"type": "default"}
        key = ";".join(f"{k}={scope[k]}" for k in sorted(scope))
        self.command_scopes.setdefault(key, scope)
        return key

    # ------------------------------------------------------------- failures
    def inject_failure(
        self, method: str, count: int, error_code: int, description: str | None, retry_after: int | None
    ) -> None:
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif error_code == 400:
                description = "Bad Request: injected failure"
            elif error_code == 403:
                description = "Forbidden: bot was blocked by the user"
            else:
                description = "Internal Server Error"
        key = method.lower()
        if count <= 0:
            self.failures.pop(key, None)
            return
        self.failures[key] = Failure(count, error_code, description, retry_after)

    def inject_drop(self, method: str, count: int, when: str) -> None:
        """The next ``count`` calls of ``method`` lose their connection, ``"before"`` the server
        performs them or ``"after"``."""
        if when not in ("before", "after"):
            raise bad_request('drop must be "before" or "after"')
        key = method.lower()
        if count <= 0:
            self.failures.pop(key, None)
            return
        self.failures[key] = Failure(count, 0, "connection dropped", None, when)

    def take_failure(self, method: str) -> Failure | None:
        failure = self.failures.get(method)
        if failure is None:
            return None
        failure.count -= 1
        if failure.count <= 0:
            del self.failures[method]
        return failure
