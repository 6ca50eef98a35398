"""A Bot API session that records what the bot does, in the pattern of aiogram's own
``tests/mocked_bot.py``: a ``BaseSession`` whose ``make_request`` keeps every method object and
answers it as Telegram would, without a network.

It also plays the part of Telegram's side of each private chat, so that what a test reads is
what a clerk would see: the bot's messages as they are now (after edits), their buttons, the
answers to button presses. Where Telegram refuses a request, so does this session, with
Telegram's wording through aiogram's own error mapping (``check_response``): HTML it cannot
parse, an empty or over-long text, callback data over 64 bytes, an edit that changes nothing or
of a message that does not exist, a button press answered twice. A test may also make the next
calls of a method fail (:meth:`RecordingSession.fail_next`: an error, a flood wait; or
:meth:`RecordingSession.drop_next`: the connection drops, before or after Telegram performed it).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict, deque
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import BotCommandScopeChat, BufferedInputFile, InlineKeyboardMarkup

BOT_ID = 7150042
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "评选填报", "username": "nominee_bot"}
MAX_TEXT = 4096  # characters of a message's text after its HTML is parsed
MAX_CAPTION = 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_RESPONSE_MODELS: dict[Any, Any] = {}  # result type → aiogram's Response model for it, kept alive
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# ------------------------------------------------------------------------------ Telegram's HTML

_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "tg-spoiler", "blockquote"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ParseError(ValueError):
    """Telegram's "can't parse entities"."""


def render_html(source: str) -> str:
    """The text a clerk reads for ``source`` sent with ``parse_mode=HTML``: tags removed, the
    four named entities and numeric ones decoded. Raises :class:`ParseError` where Telegram
    refuses the message: a tag it does not support, a ``<`` that starts no tag, an end tag that
    closes nothing or the wrong tag, a tag left open (Bot API "Formatting options")."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        j = min((k for k in (source.find("<", i), source.find("&", i)) if k >= 0), default=len(source))
        out.append(source[i:j])
        if j == len(source):
            break
        if source[j] == "&":
            entity = _ENTITY.match(source, j)
            if entity is None:  # Telegram keeps a bare ampersand as it is
                out.append("&")
                i = j + 1
                continue
            name = entity.group(1)
            out.append(_NAMED.get(name) or chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:])))
            i = entity.end()
            continue
        tag = _TAG.match(source, j)
        if tag is None or tag.group(2).lower() not in (_TAGS | {"span", "tg-emoji"}):
            raise ParseError(f"can't parse entities: Unsupported start tag at byte offset {len(source[:j].encode())}")
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name == "span" and not closing and "tg-spoiler" not in tag.group(3):
            raise ParseError('can\'t parse entities: Unsupported start tag "span"')
        if closing:
            if not stack or stack[-1] != name:
                raise ParseError(f'can\'t parse entities: Unmatched end tag "{name}"')
            stack.pop()
        else:
            stack.append(name)
        i = tag.end()
    if stack:
        raise ParseError(f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


# ------------------------------------------------------------------------------ what the chat shows


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass
class Shown:
    """A bot message in a chat, as the chat shows it now (after any edits)."""

    chat_id: int
    message_id: int
    date: int
    text: str  # as the clerk reads it: the HTML rendered
    html: str  # as the bot sent it
    keyboard: Keyboard
    edits: int = 0

    @property
    def buttons(self) -> list[str]:
        return [b.text for row in self.keyboard for b in row]

    def button(self, label: str) -> Button:
        """The button labelled ``label``, or else the one button whose label contains it."""
        exact = [b for row in self.keyboard for b in row if b.text == label]
        found = exact or [b for row in self.keyboard for b in row if label in b.text]
        assert len(found) == 1, f"{len(found)} buttons match {label!r} on:\n{self.text}\nbuttons: {self.buttons}"
        return found[0]

    def as_update_part(self) -> dict[str, Any]:
        """This message as Telegram puts it inside a callback query."""
        part: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": "private"},
            "from": BOT_USER,
            "text": self.text,
        }
        if self.keyboard:
            part["reply_markup"] = {
                "inline_keyboard": [[{"text": b.text, "callback_data": b.data} for b in row] for row in self.keyboard]
            }
        return part


@dataclass(frozen=True)
class Said:
    """One thing the bot did in a chat: a new message, an edit of one, or an answer to a press
    (``alert``: shown as a dialog rather than a passing notice)."""

    kind: Literal["message", "edit", "answer"]
    chat_id: int
    text: str
    keyboard: Keyboard = ()
    message_id: int | None = None
    alert: bool = False
    photo: bytes | None = None  # a photo's bytes as the bot uploaded them (sendPhoto)

    @property
    def buttons(self) -> list[str]:
        return [b.text for row in self.keyboard for b in row]


@dataclass(frozen=True)
class Failure:
    """How one call will fail: Telegram's error (``status``, ``description``, a flood wait's
    ``retry_after``), or a connection that drops (``dropped``; after Telegram did the call when
    ``performed``)."""

    status: int
    description: str
    retry_after: int | None = None
    dropped: bool = False
    performed: bool = False


@dataclass
class Upload:
    """A file a user sent: what ``getFile`` and the download return for its file_id."""

    file_id: str
    unique_id: str
    path: str
    data: bytes


class RecordingSession(BaseSession):
    """Records every request (``requests``) and what each chat shows (``said``, :meth:`shown`);
    the command menus (``commands``: language → command → description)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.said: list[Said] = []
        self.commands: dict[str, dict[str, str]] = {}  # the command menu per language ("" for all others)
        self.chat_commands: dict[int, dict[str, dict[str, str]]] = defaultdict(dict)  # a chat's own menus
        self._chats: dict[int, dict[int, Shown]] = defaultdict(dict)  # chat → message id → message
        self._ids = itertools.count(1)  # message ids, increasing, shared by the users' and the bot's messages
        self._queries: dict[str, tuple[int, bool]] = {}  # query id → (chat, answered)
        self._uploads: dict[str, Upload] = {}
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.now: Callable[[], int] = lambda: 0  # the date of the bot's messages (set by the harness to its clock)

    # -------------------------------------------------------------- what tests arrange

    def new_message_id(self) -> int:
        return next(self._ids)

    def open_query(self, query_id: str, chat_id: int) -> None:
        """A button press about to be delivered: it may be answered once."""
        self._queries[query_id] = (chat_id, False)

    def upload(self, data: bytes, suffix: str) -> Upload:
        n = len(self._uploads) + 1
        upload = Upload(f"file-{n:04d}", f"u{n:04d}", f"documents/file_{n}.{suffix}", data)
        self._uploads[upload.file_id] = upload
        return upload

    def fail_next(
        self,
        method: type[TelegramMethod[Any]],
        description: str,
        status: int = 400,
        *,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail as Telegram would fail them (e.g.
        ``EditMessageText``, ``"Bad Request: message can't be edited"`` → TelegramBadRequest;
        ``status=429, retry_after=2`` → a flood wait; ``status=500`` → TelegramServerError)."""
        for _ in range(times):
            self._failures[method.__api_method__].append(Failure(status, description, retry_after))

    def drop_next(self, method: type[TelegramMethod[Any]], *, times: int = 1, performed: bool = False) -> None:
        """The connection of the next ``times`` calls of ``method`` drops before the reply comes
        (aiogram's TelegramNetworkError); with ``performed`` Telegram did the call all the same."""
        for _ in range(times):
            self._failures[method.__api_method__].append(
                Failure(0, "ServerDisconnectedError", dropped=True, performed=performed)
            )

    def shown(self, chat_id: int) -> list[Shown]:
        """The bot's messages in a chat as they are now, oldest first."""
        return sorted(self._chats[chat_id].values(), key=lambda m: m.message_id)

    # -------------------------------------------------------------- BaseSession

    async def close(self) -> None:
        pass

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        upload = next((u for u in self._uploads.values() if url.endswith("/" + u.path)), None)
        assert upload is not None, f"the bot downloaded a file no user sent: {url}"
        for start in range(0, len(upload.data), chunk_size):
            yield upload.data[start : start + chunk_size]

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        failures = self._failures.get(method.__api_method__)
        failure = failures.popleft() if failures else None
        if failure is not None and not failure.performed:
            if failure.dropped:
                raise TelegramNetworkError(method=method, message=failure.description)
            return self._reply(
                bot,
                method,
                None,
                status=failure.status,
                description=failure.description,
                retry_after=failure.retry_after,
            )
        try:
            result = self._handle(bot, method)
        except _Refused as refused:
            return self._reply(bot, method, None, status=400, description=refused.description)
        if failure is not None:  # performed, but the reply is lost with the connection
            raise TelegramNetworkError(method=method, message=failure.description)
        return self._reply(bot, method, result)

    def _reply(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        result: Any,
        *,
        status: int = 200,
        description: str = "",
        retry_after: int | None = None,
    ) -> TelegramType:
        """The result validated as aiogram validates Telegram's reply (bound to ``bot``), or the
        error raised as aiogram raises it."""
        # aiogram validates every reply with Response[T]; pydantic keeps such a model only while
        # something refers to it, and building it again costs milliseconds: this module keeps them
        returning = method.__returning__
        if returning not in _RESPONSE_MODELS:
            _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[valid-type]
        body: dict[str, Any] = {"ok": True, "result": result} if status == 200 else {"ok": False, "error_code": status}
        if description:
            body["description"] = description
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        response = self.check_response(bot, method, status, json.dumps(body, ensure_ascii=False))
        return response.result  # type: ignore[return-value]

    # -------------------------------------------------------------- Telegram's side

    def _handle(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        match method:
            case SendMessage():
                text = self._text(bot, method.text, method.parse_mode, MAX_TEXT)
                return self._send(int(method.chat_id), method.text, text, method.reply_markup)
            case SendPhoto() | SendDocument():
                caption = self._text(bot, method.caption or "", method.parse_mode, MAX_CAPTION, empty=True)
                picture = method.photo if isinstance(method, SendPhoto) else None
                photo = picture.data if isinstance(picture, BufferedInputFile) else None
                return self._send(int(method.chat_id), method.caption or "", caption, method.reply_markup, photo)
            case EditMessageText():
                text = self._text(bot, method.text or "", method.parse_mode, MAX_TEXT)
                return self._edit(method.chat_id, method.message_id, method.text, text, method.reply_markup)
            case EditMessageReplyMarkup():
                return self._edit(method.chat_id, method.message_id, None, None, method.reply_markup)
            case AnswerCallbackQuery():
                chat_id, answered = self._queries.get(method.callback_query_id, (0, True))
                if answered:
                    raise _Refused(QUERY_TOO_OLD)
                self._queries[method.callback_query_id] = (chat_id, True)
                self.said.append(Said("answer", chat_id, method.text or "", alert=bool(method.show_alert)))
                return True
            case DeleteMessage():
                if self._chats[int(method.chat_id)].pop(method.message_id, None) is None:
                    raise _Refused("Bad Request: message to delete not found")
                return True
            case SetMyCommands():
                language = method.language_code or ""
                menu = {c.command: c.description for c in method.commands}
                scope = method.scope
                if isinstance(scope, BotCommandScopeChat):
                    self.chat_commands[int(scope.chat_id)][language] = menu
                else:
                    self.commands[language] = menu
                return True
            case DeleteWebhook():
                return True
            case GetMe():
                return BOT_USER | {"can_join_groups": False, "supports_inline_queries": False}
            case GetFile():
                upload = self._uploads.get(method.file_id)
                if upload is None:
                    raise _Refused("Bad Request: invalid file_id")
                return {
                    "file_id": upload.file_id,
                    "file_unique_id": upload.unique_id,
                    "file_size": len(upload.data),
                    "file_path": upload.path,
                }
        raise AssertionError(f"the recording session does not answer {method.__api_method__} yet")

    @staticmethod
    def _text(bot: Bot, source: str, parse_mode: Any, limit: int, *, empty: bool = False) -> str:
        mode = bot.default[parse_mode.name] if isinstance(parse_mode, Default) else parse_mode
        try:
            text = render_html(source) if mode == "HTML" else source
        except ParseError as err:
            raise _Refused(f"Bad Request: {err}") from None
        text = text.strip()
        if not text and not empty:
            raise _Refused("Bad Request: message text is empty")
        if len(text) > limit:
            raise _Refused("Bad Request: message " + ("is too long" if limit == MAX_TEXT else "caption is too long"))
        return text

    @staticmethod
    def _keyboard(markup: Any) -> Keyboard:
        if markup is None or isinstance(markup, Default):
            return ()
        assert isinstance(markup, InlineKeyboardMarkup), f"the bot sent a {type(markup).__name__}"
        rows = []
        for row in markup.inline_keyboard:
            for b in row:
                if not b.text:
                    raise _Refused("Bad Request: text buttons are unallowed in the inline keyboard")
                if b.callback_data is not None and not 1 <= len(b.callback_data.encode()) <= 64:
                    raise _Refused("Bad Request: BUTTON_DATA_INVALID")
            rows.append(tuple(Button(b.text, b.callback_data) for b in row))
        return tuple(rows)

    def _send(self, chat_id: int, html: str, text: str, markup: Any, photo: bytes | None = None) -> dict[str, Any]:
        keyboard = self._keyboard(markup)
        shown = Shown(chat_id, self.new_message_id(), self.now(), text, html, keyboard)
        self._chats[chat_id][shown.message_id] = shown
        self.said.append(Said("message", chat_id, text, keyboard, shown.message_id, photo=photo))
        return self._message(shown)

    def _edit(self, chat_id: Any, message_id: int | None, html: str | None, text: str | None, markup: Any) -> Any:
        shown = self._chats[int(chat_id)].get(message_id or 0) if chat_id is not None else None
        if shown is None:
            raise _Refused("Bad Request: message to edit not found")
        keyboard = self._keyboard(markup)
        if (text is None or text == shown.text) and keyboard == shown.keyboard:
            raise _Refused(NOT_MODIFIED)
        if html is not None and text is not None:
            shown.html, shown.text = html, text
        shown.keyboard = keyboard  # an edit without a keyboard removes the keyboard
        shown.edits += 1
        self.said.append(Said("edit", shown.chat_id, shown.text, keyboard, shown.message_id))
        return self._message(shown) | {"edit_date": self.now()}

    @staticmethod
    def _message(shown: Shown) -> dict[str, Any]:
        return shown.as_update_part()


class _Refused(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def said_in(said: Sequence[Said], chat_id: int) -> list[Said]:
    return [s for s in said if s.chat_id == chat_id]


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())
