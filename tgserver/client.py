"""Async client for the ``/_sandbox`` side: play a human user talking to the bot.

async with SandboxClient(url, token) as user:
    await user.user(42, "Alice", username="alice")
    events = await user.ask(42, "/start")          # send + collect the bot's reply
    events = await user.press_text(42, "确认")      # tap a button by its visible text
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp

Buttons = list[list[tuple[str, str | None]]]


class SandboxError(Exception):
    """The sandbox refused a request (e.g. pressing a button that is not on the message)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class NoReply(TimeoutError):
    """The bot sent nothing within the timeout."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    kind: str  # "photo" | "document"
    file_id: str
    file_unique_id: str
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileInfo:
        return cls(
            kind=data["kind"],
            file_id=data["file_id"],
            file_unique_id=data["file_unique_id"],
            file_size=data["file_size"],
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            width=data.get("width"),
            height=data.get("height"),
            file_path=data.get("file_path"),
        )


def buttons_of(markup: dict[str, Any] | None) -> Buttons:
    """Inline keyboard rows as ``(text, callback_data)``; ``data`` is None for URL etc. buttons."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in markup["inline_keyboard"]]


@dataclass(slots=True)
class BotEvent:
    """Something the bot did in a chat: ``message`` | ``edit`` | ``callback_answer`` | ``delete``.

    For messages/edits ``text`` is the plain text (or caption) after entity parsing and
    ``raw_text`` what the bot sent (e.g. the HTML source). For ``callback_answer`` events
    ``text`` is the answer's text and ``message_id`` the message the button was on.
    """

    kind: str
    seq: int
    chat_id: int
    message_id: int | None
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    buttons: Buttons = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    file: FileInfo | None = None
    edit_count: int = 0
    deleted: bool = False
    outgoing: bool = True
    callback_query_id: str | None = None
    callback_data: str | None = None
    show_alert: bool = False
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotEvent:
        markup = data.get("reply_markup")
        file = data.get("file")
        return cls(
            kind=data.get("kind", "message"),
            seq=data.get("seq", 0),
            chat_id=data["chat_id"],
            message_id=data.get("message_id"),
            text=data.get("text"),
            raw_text=data.get("raw_text"),
            parse_mode=data.get("parse_mode"),
            buttons=buttons_of(markup),
            reply_markup=markup,
            file=FileInfo.from_json(file) if file else None,
            edit_count=data.get("edit_count", 0),
            deleted=data.get("deleted", False),
            outgoing=data.get("outgoing", True),
            callback_query_id=data.get("callback_query_id"),
            callback_data=data.get("callback_data"),
            show_alert=bool(data.get("show_alert")),
            url=data.get("url"),
            raw=data,
        )

    @property
    def message(self) -> dict[str, Any] | None:
        """The Telegram ``Message`` object as it was at this event."""
        return self.raw.get("message")

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Texts of a reply (non-inline) keyboard sent with this message."""
        markup = self.reply_markup
        if not markup or "keyboard" not in markup:
            return []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup["keyboard"]]

    def find_button(self, text: str) -> tuple[str, str | None]:
        return _find_button(self.buttons, text)


def _find_button(buttons: Buttons, text: str) -> tuple[str, str | None]:
    flat = [b for row in buttons for b in row]
    exact = [b for b in flat if b[0] == text]
    if exact:
        return exact[0]
    matches = [b for b in flat if text in b[0]]
    if len(matches) == 1:
        return matches[0]
    labels = [b[0] for b in flat]
    if not matches:
        raise LookupError(f"no button containing {text!r}; buttons: {labels}")
    raise LookupError(f"{len(matches)} buttons contain {text!r}: {[b[0] for b in matches]}")


def texts(events: list[BotEvent]) -> list[str]:
    """Texts of message/edit events in order (handy for assertions)."""
    return [e.text or "" for e in events if e.kind in ("message", "edit")]


class SandboxClient:
    """Drives ``/_sandbox/{token}/...`` of a running :mod:`tgserver`.

    ``quiet`` is the silence (seconds) after the last event that ends a reply
    collected by :meth:`ask`/:meth:`tap`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        quiet: float = 0.08,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.quiet = quiet
        self._prefix = f"{self.base_url}/_sandbox/{token}/"
        self._session = session
        self._own_session = session is None
        self.last_sent: dict[str, Any] | None = None

    async def __aenter__(self) -> SandboxClient:
        self._ensure_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
            self._own_session = True
        return self._session

    async def _request(
        self,
        method: str,
        action: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        session = self._ensure_session()
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with session.request(method, self._prefix + action, json=json, params=query, data=data) as resp:
            body: dict[str, Any] = await resp.json(content_type=None)
        if not body.get("ok"):
            raise SandboxError(resp.status, str(body.get("description", body)))
        return body

    # ------------------------------------------------------------------ user actions
    async def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Create/update a user and open their private chat with the bot (chat id == user id)."""
        payload = {
            "id": user_id,
            "first_name": first_name,
            "username": username,
            "last_name": last_name,
            "language_code": language_code,
        }
        body = await self._request("POST", "users", json={k: v for k, v in payload.items() if v is not None})
        user: dict[str, Any] = body["user"]
        return user

    async def send(self, user_id: int, text: str, *, reply_to_message_id: int | None = None) -> int:
        """Queue a text message from the user; returns the ``seq`` before it (for :meth:`collect`)."""
        payload: dict[str, Any] = {"user_id": user_id, "text": text}
        if reply_to_message_id is not None:
            payload["reply_to_message_id"] = reply_to_message_id
        body = await self._request("POST", "send_text", json=payload)
        self.last_sent = body["message"]
        return int(body["seq"])

    async def edit(self, user_id: int, message_id: int, text: str) -> int:
        """The user edits their own text message (``edited_message`` update); returns seq before."""
        body = await self._request("POST", "edit", json={"user_id": user_id, "message_id": message_id, "text": text})
        self.last_sent = body["message"]
        return int(body["seq"])

    async def _press(self, user_id: int, message_id: int, data: str | None, force: bool) -> tuple[str, int]:
        payload: dict[str, Any] = {"user_id": user_id, "message_id": message_id, "force": force}
        if data is not None:
            payload["data"] = data
        body = await self._request("POST", "press", json=payload)
        return str(body["callback_query_id"]), int(body["seq"])

    async def press(self, user_id: int, message_id: int, data: str | None, *, force: bool = False) -> str:
        """Press an inline button (must be on the message's current keyboard unless ``force``).

        Returns the callback query id.
        """
        query_id, _ = await self._press(user_id, message_id, data, force)
        return query_id

    async def _upload(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        filename: str,
        mime_type: str | None,
        caption: str | None,
    ) -> int:
        form = aiohttp.FormData()
        form.add_field("user_id", str(user_id))
        form.add_field("kind", kind)
        form.add_field("filename", filename)
        if mime_type:
            form.add_field("mime_type", mime_type)
        if caption is not None:
            form.add_field("caption", caption)
        form.add_field("file", data, filename=filename, content_type=mime_type or "application/octet-stream")
        body = await self._request("POST", "upload", data=form)
        self.last_sent = body["message"]
        return int(body["seq"])

    async def upload_photo(
        self,
        user_id: int,
        data: bytes,
        filename: str = "photo.jpg",
        *,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> int:
        """The user sends a photo (must be a decodable image); returns seq before."""
        return await self._upload(user_id, "photo", data, filename, mime_type, caption)

    async def upload_document(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> int:
        """The user sends a file as a document; returns seq before."""
        return await self._upload(user_id, "document", data, filename, mime_type, caption)

    # ------------------------------------------------------------------ what else clients send
    async def send_other(self, user_id: int, kind: str, *, chat_id: int | None = None, **fields: Any) -> int:
        """A message of ``kind`` — ``sticker``, ``voice``, ``video_note``, ``video``, ``audio``,
        ``animation``, ``location``, ``venue``, ``contact`` (``phone_number``, ``first_name``,
        ``contact_user_id``), ``poll`` (``question``, ``options``), ``dice`` (``emoji``),
        ``forward`` (``text``, ``from``: a text forwarded from somebody else) or ``text`` — from the
        user, in their private chat or in the group ``chat_id``; returns the seq before it."""
        payload: dict[str, Any] = {"user_id": user_id, "kind": kind, **fields}
        if chat_id is not None:
            payload["chat_id"] = chat_id
        body = await self._request("POST", "send_other", json=payload)
        self.last_sent = body["message"]
        return int(body["seq"])

    async def send_contact(
        self, user_id: int, phone_number: str, first_name: str = "联系人", *, contact_user_id: int | None = None
    ) -> int:
        """The user shares a contact card (their own or somebody else's); returns seq before."""
        fields: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            fields["contact_user_id"] = contact_user_id
        return await self.send_other(user_id, "contact", **fields)

    async def forward_text(self, user_id: int, text: str, from_name: str = "他人") -> int:
        """The user forwards somebody else's text message to the bot; returns seq before."""
        fields: dict[str, Any] = {"text": text, "from": from_name}
        return await self.send_other(user_id, "forward", **fields)

    async def send_album(self, user_id: int, photos: list[bytes], *, media_group_id: str | None = None) -> int:
        """Several photos sent at once (2–10): one message each with a shared
        ``media_group_id``, as Telegram delivers an album; returns seq before."""
        form = aiohttp.FormData()
        form.add_field("user_id", str(user_id))
        if media_group_id is not None:
            form.add_field("media_group_id", media_group_id)
        for i, data in enumerate(photos):
            form.add_field(f"file{i}", data, filename=f"photo{i}.jpg", content_type="image/jpeg")
        body = await self._request("POST", "album", data=form)
        self.last_sent = body["messages"][-1]
        return int(body["seq"])

    async def group(self, chat_id: int, user_id: int, *, kind: str = "supergroup", title: str = "工作群") -> int:
        """The user brings the bot into the group (``kind`` group, supergroup or channel) with the
        negative id ``chat_id``; in a group the bot is told by a service message. Returns seq
        before; the bot's messages there are read with ``user_id=chat_id``."""
        body = await self._request(
            "POST", "group", json={"chat_id": chat_id, "user_id": user_id, "type": kind, "title": title}
        )
        return int(body["seq"])

    async def send_in_group(self, chat_id: int, user_id: int, text: str) -> int:
        """The user writes ``text`` in the group ``chat_id`` (in a channel: the channel posts it)."""
        return await self.send_other(user_id, "text", chat_id=chat_id, text=text)

    # ------------------------------------------------------------------ observation
    async def messages(self, user_id: int, after: int = 0, *, include_user: bool = False) -> list[BotEvent]:
        """Current state of the bot's messages in the chat (message_id > ``after``), oldest first.

        Each item has kind ``message``, the current text/buttons, ``edit_count`` and ``deleted``.
        """
        body = await self._request(
            "GET",
            "messages",
            params={"user_id": user_id, "after": after, "include_user": "true" if include_user else None},
        )
        return [BotEvent.from_json({**m, "kind": "message", "seq": 0}) for m in body["messages"]]

    async def callback_answers(self, user_id: int) -> list[dict[str, Any]]:
        body = await self._request("GET", "messages", params={"user_id": user_id, "after": 1 << 62})
        answers: list[dict[str, Any]] = body["callback_answers"]
        return answers

    async def reply_keyboard(self, user_id: int) -> dict[str, Any] | None:
        """The reply keyboard currently shown to the user (None if removed/never sent)."""
        body = await self._request("GET", "messages", params={"user_id": user_id, "after": 1 << 62})
        keyboard: dict[str, Any] | None = body["reply_keyboard"]
        return keyboard

    async def wait(self, user_id: int | None, after_seq: int, timeout: float = 10.0) -> list[BotEvent]:
        """Long-poll: bot events in the chat (all chats if ``user_id`` is None) with seq > after_seq."""
        body = await self._request(
            "GET", "wait", params={"user_id": user_id, "after_seq": after_seq, "timeout": timeout}
        )
        return [BotEvent.from_json(e) for e in body["events"]]

    async def collect(
        self,
        user_id: int | None,
        after_seq: int,
        *,
        timeout: float = 10.0,
        quiet: float | None = None,
        min_events: int = 1,
    ) -> list[BotEvent]:
        """Wait for at least ``min_events`` events, then until ``quiet`` seconds pass without more.

        Returns what arrived (possibly fewer than ``min_events`` when ``timeout`` expires).
        """
        quiet = self.quiet if quiet is None else quiet
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        events: list[BotEvent] = []
        last = after_seq
        while len(events) < min_events:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return events
            new = await self.wait(user_id, last, remaining)
            if new:
                events.extend(new)
                last = new[-1].seq
        while loop.time() < deadline:
            new = await self.wait(user_id, last, quiet)
            if not new:
                break
            events.extend(new)
            last = new[-1].seq
        return events

    async def expect_silence(self, user_id: int | None, after_seq: int, period: float = 0.3) -> None:
        """Assert the bot does nothing in the chat for ``period`` seconds after ``after_seq``."""
        events = await self.wait(user_id, after_seq, period)
        if events:
            raise AssertionError(f"expected no bot activity, got {events}")

    async def seq(self) -> int:
        body = await self._request("GET", "state")
        return int(body["seq"])

    # ------------------------------------------------------------------ send and wait
    async def _reply(self, user_id: int, seq: int, timeout: float, what: str) -> list[BotEvent]:
        events = await self.collect(user_id, seq, timeout=timeout)
        if not events:
            raise NoReply(f"bot did nothing in chat {user_id} within {timeout}s after {what}")
        return events

    async def ask(self, user_id: int, text: str, timeout: float = 10.0) -> list[BotEvent]:
        """Send ``text`` and return the bot's reply events (raises :class:`NoReply` if none)."""
        seq = await self.send(user_id, text)
        return await self._reply(user_id, seq, timeout, f"text {text!r}")

    async def tap(self, user_id: int, message_id: int, data: str, timeout: float = 10.0) -> list[BotEvent]:
        """Press a button and return the bot's reaction (callback answer, edits, messages)."""
        _, seq = await self._press(user_id, message_id, data, False)
        return await self._reply(user_id, seq, timeout, f"pressing {data!r} on message {message_id}")

    async def ask_photo(
        self,
        user_id: int,
        data: bytes,
        filename: str = "photo.jpg",
        *,
        caption: str | None = None,
        timeout: float = 10.0,
    ) -> list[BotEvent]:
        seq = await self.upload_photo(user_id, data, filename, caption=caption)
        return await self._reply(user_id, seq, timeout, f"photo {filename!r}")

    async def ask_document(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        timeout: float = 10.0,
    ) -> list[BotEvent]:
        seq = await self.upload_document(user_id, data, filename, mime_type=mime_type, caption=caption)
        return await self._reply(user_id, seq, timeout, f"document {filename!r}")

    async def last_keyboard_message(self, user_id: int) -> BotEvent | None:
        """The newest live bot message in the chat that carries an inline keyboard."""
        for msg in reversed(await self.messages(user_id)):
            if msg.buttons and not msg.deleted:
                return msg
        return None

    async def last_keyboard(self, user_id: int) -> Buttons:
        """Buttons ``[(text, callback_data), ...]`` per row of the newest inline keyboard."""
        msg = await self.last_keyboard_message(user_id)
        return msg.buttons if msg is not None else []

    async def press_text(self, user_id: int, text: str, timeout: float = 10.0) -> list[BotEvent]:
        """Tap the button whose label equals (or uniquely contains) ``text`` on the newest keyboard."""
        msg = await self.last_keyboard_message(user_id)
        if msg is None or msg.message_id is None:
            raise LookupError(f"no inline keyboard in chat {user_id}")
        label, data = msg.find_button(text)
        if data is None:
            raise LookupError(f"button {label!r} has no callback_data (URL/web app button?)")
        return await self.tap(user_id, msg.message_id, data, timeout)

    # ------------------------------------------------------------------ server control
    async def state(self) -> dict[str, Any]:
        """Bot identity, webhook, commands per scope/language, menu buttons, counters, seq."""
        return await self._request("GET", "state")

    async def fail(
        self,
        method: str,
        count: int = 1,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail (429 flood-wait by default)."""
        payload: dict[str, Any] = {"method": method, "count": count, "error_code": error_code}
        if description is not None:
            payload["description"] = description
        if retry_after is not None:
            payload["retry_after"] = retry_after
        await self._request("POST", "fail", json=payload)

    async def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to them get 403."""
        await self._request("POST", "block", json={"user_id": user_id, "blocked": blocked})

    async def configure(self, *, username: str | None = None, first_name: str | None = None) -> dict[str, Any]:
        payload = {k: v for k, v in {"username": username, "first_name": first_name}.items() if v is not None}
        body = await self._request("POST", "configure", json=payload)
        bot: dict[str, Any] = body["bot"]
        return bot

    async def reset(self) -> None:
        """Forget this bot's chats, updates, commands and failures (users and files stay)."""
        await self._request("POST", "reset", json={})

    # ------------------------------------------------------------------ transport faults
    async def flood_wait(self, method: str, retry_after: int, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` get 429 Too Many Requests with ``retry_after``."""
        await self.fail(method, count, error_code=429, retry_after=retry_after)

    async def server_error(self, method: str, count: int = 1, *, error_code: int = 500) -> None:
        """The next ``count`` calls of ``method`` get a 5xx (500 Internal Server Error by default)."""
        await self.fail(method, count, error_code=error_code)

    async def drop_connection(self, method: str, count: int = 1, *, performed: bool = False) -> None:
        """The next ``count`` calls of ``method`` lose their connection with no reply: before the
        server performs them, or after (``performed``: done, but the reply never arrives)."""
        payload = {"method": method, "count": count, "when": "after" if performed else "before"}
        await self._request("POST", "drop", json=payload)

    async def redeliver(self, update_id: int | None = None) -> int:
        """The bot gets a recent update (``update_id``, or the latest) once more, as when its
        poll's confirmation was lost; returns the ``seq`` before it (for :meth:`collect`)."""
        body = await self._request("POST", "redeliver", json={} if update_id is None else {"update_id": update_id})
        return int(body["seq"])
