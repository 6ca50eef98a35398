"""In-memory model of the local Bot API server.

Everything lives in plain Python objects owned by one event loop: users, per-bot
private chats with their messages, the per-bot update queue, stored files,
callback queries and a log of every bot action ("events") with a global,
strictly increasing ``seq`` that the sandbox side long-polls on.

Telegram objects are produced as plain ``dict`` values ready for ``json.dumps``;
a message's Telegram representation is cached until the message changes.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import re
import secrets
import time
import zlib
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
DEFAULT_BOT_USERNAME = "nominee_test_bot"
DEFAULT_BOT_FIRST_NAME = "Nominee Test Bot"

UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram delivers when allowed_updates is empty / never specified.
DEFAULT_UPDATE_TYPES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error response (``ok: false``)."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_dict(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML


_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_START_RE = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_:-][a-zA-Z0-9_:.-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
)
_END_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTR_RE = re.compile(r"([a-zA-Z_:-][a-zA-Z0-9_:.-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_TAG_GUESS_RE = re.compile(r"</?([^\s>]*)")
_SPECIAL_RE = re.compile(r"[<&]")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
}


def _unescape(value: str) -> str:
    if "&" not in value:
        return value
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)) or m.group(0), value)


def _decode_entity(name: str) -> str | None:
    if name[0] == "#":
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return None
    return _NAMED_ENTITIES.get(name)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text plus entities (UTF-16 offsets).

    Raises :class:`ApiError` with Telegram's "can't parse entities" wording on
    unsupported tags, unmatched end tags and unclosed tags.
    """
    if "<" not in source and "&" not in source:
        return source, []
    out: list[str] = []
    pos = 0  # UTF-16 offset in the plain text
    i = 0
    n = len(source)
    stack: list[tuple[str, int, JSON | None]] = []
    entities: list[JSON] = []
    while True:
        m = _SPECIAL_RE.search(source, i)
        j = m.start() if m else n
        if j > i:
            chunk = source[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
        if m is None:
            break
        if source[j] == "&":
            em = _ENTITY_RE.match(source, j)
            decoded = _decode_entity(em.group(1)) if em else None
            if em is not None and decoded is not None:
                out.append(decoded)
                pos += utf16_len(decoded)
                i = em.end()
            else:
                out.append("&")
                pos += 1
                i = j + 1
            continue
        if source.startswith("</", j):
            end = _END_RE.match(source, j)
            if end is None:
                guess = _TAG_GUESS_RE.match(source, j)
                name = guess.group(1) if guess else ""
                raise bad_request(
                    f'can\'t parse entities: Unsupported end tag "{name}" at byte offset {_byte_offset(source, j)}'
                )
            name = end.group(1).lower()
            if not stack:
                raise bad_request(
                    f'can\'t parse entities: Unexpected end tag "{name}" at byte offset {_byte_offset(source, j)}'
                )
            tag, start, open_entity = stack.pop()
            if tag != name:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {_byte_offset(source, j)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            if open_entity is not None and pos > start:
                open_entity["offset"] = start
                open_entity["length"] = pos - start
                entities.append(open_entity)
            i = end.end()
            continue
        start_m = _START_RE.match(source, j)
        if start_m is None:
            guess = _TAG_GUESS_RE.match(source, j)
            name = guess.group(1) if guess else ""
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {_byte_offset(source, j)}'
            )
        name = start_m.group(1).lower()
        attrs = {
            a.group(1).lower(): _unescape(a.group(2) or a.group(3) or a.group(4) or "")
            for a in _ATTR_RE.finditer(start_m.group(2))
        }
        entity: JSON | None
        if name in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[name]}
            if name == "code" and stack and stack[-1][0] == "pre":
                language = attrs.get("class", "")
                parent = stack[-1][2]
                if language.startswith("language-") and parent is not None:
                    parent["language"] = language[len("language-") :]
                entity = None
        elif name == "a":
            href = attrs.get("href")
            if href and href.startswith("tg://user?id="):
                entity = {
                    "type": "text_mention",
                    "user": {"id": int(href[13:] or 0), "is_bot": False, "first_name": ""},
                }
            else:
                entity = {"type": "text_link", "url": href} if href else None
        elif name == "span" and attrs.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif name == "blockquote":
            entity = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
        elif name == "tg-emoji" and "emoji-id" in attrs:
            entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        else:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {_byte_offset(source, j)}'
            )
        stack.append((name, pos, entity))
        i = start_m.end()
    if stack:
        raise bad_request(f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if len(stripped) == len(text):
        return text, entities
    if not entities:
        return stripped, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - shift, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(
    text: str, parse_mode: str | None, entities: list[JSON] | None, *, caption: bool = False
) -> tuple[str, list[JSON]]:
    """Resolve ``text`` + ``parse_mode``/``entities`` into plain text and entities; enforce limits."""
    if entities is not None:
        plain, ents = text, entities
    elif parse_mode and parse_mode.lower() == "html":
        plain, ents = parse_html(text)
    else:
        plain, ents = text, []
    plain, ents = strip_text(plain, ents)
    if caption:
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
    return plain, ents


def command_entities(text: str) -> list[JSON]:
    """Entities a Telegram client attaches to a user's text (bot commands at offset 0)."""
    if not text.startswith("/") or len(text) < 2:
        return []
    end = len(text)
    for k, ch in enumerate(text):
        if ch.isspace():
            end = k
            break
    if end < 2:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}]


# --------------------------------------------------------------------------- keyboards


def validate_reply_markup(markup: Any) -> JSON | None:
    """Validate a reply_markup object; return it (or ``None``). Raises 400 on bad input."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise bad_request('can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array')
        for row in rows:
            if not isinstance(row, list):
                raise bad_request(
                    'can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array of Arrays'
                )
            for button in row:
                _validate_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('can\'t parse keyboard markup: field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [a for a in _INLINE_ACTIONS if a in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://"))):
        raise bad_request("BUTTON_URL_INVALID")


def inline_has_data(markup: JSON | None, data: str | None) -> bool:
    if not markup or "inline_keyboard" not in markup:
        return False
    return any(
        isinstance(button, dict) and "callback_data" in button and button["callback_data"] == data
        for row in markup["inline_keyboard"]
        for button in row
    )


def inline_data(markup: JSON | None) -> list[str]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        f"{button.get('text')}={button['callback_data']}"
        for row in markup["inline_keyboard"]
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]


# --------------------------------------------------------------------------- model


@dataclass(slots=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    _dict: JSON | None = field(default=None, repr=False)
    _chat: JSON | None = field(default=None, repr=False)

    def to_dict(self) -> JSON:
        if self._dict is None:
            d: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
            if self.last_name:
                d["last_name"] = self.last_name
            if self.username:
                d["username"] = self.username
            if self.language_code:
                d["language_code"] = self.language_code
            self._dict = d
        return self._dict

    def chat_dict(self) -> JSON:
        if self._chat is None:
            d: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
            if self.last_name:
                d["last_name"] = self.last_name
            if self.username:
                d["username"] = self.username
            self._chat = d
        return self._chat

    def update(self, **fields: Any) -> None:
        for key, value in fields.items():
            if value is not None:
                setattr(self, key, value)
        self._dict = None
        self._chat = None


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)

    def photo_sizes(self) -> list[JSON]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width or 0,
                "height": self.height or 0,
                "file_size": self.file_size,
            }
        ]

    def document_dict(self) -> JSON:
        d: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            d["file_name"] = self.file_name
        if self.mime_type:
            d["mime_type"] = self.mime_type
        d["file_size"] = self.file_size
        return d

    def file_dict(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def info(self) -> JSON:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "file_path": self.file_path,
        }


@dataclass(slots=True)
class Message:
    message_id: int
    chat: Chat
    sender: User
    date: int
    outgoing: bool  # sent by the bot
    text: str | None = None
    raw_text: str | None = None  # text/caption exactly as sent (e.g. HTML source)
    parse_mode: str | None = None
    entities: list[JSON] | None = None
    caption: str | None = None
    caption_entities: list[JSON] | None = None
    file: StoredFile | None = None
    reply_markup: JSON | None = None  # as given: inline, reply keyboard, remove, force_reply
    reply_to: Message | None = None
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False
    _snapshot: JSON | None = field(default=None, repr=False)

    @property
    def inline_markup(self) -> JSON | None:
        markup = self.reply_markup
        if markup is not None and "inline_keyboard" in markup:
            return markup
        return None

    def changed(self) -> None:
        self._snapshot = None

    def to_dict(self) -> JSON:
        """Telegram ``Message`` object (cached until :meth:`changed`)."""
        if self._snapshot is None:
            self._snapshot = self._build(with_reply=True)
        return self._snapshot

    def _build(self, *, with_reply: bool) -> JSON:
        d: JSON = {
            "message_id": self.message_id,
            "from": self.sender.to_dict(),
            "chat": self.chat.user.chat_dict(),
            "date": self.date,
        }
        if self.edit_date is not None:
            d["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            d["reply_to_message"] = self.reply_to._build(with_reply=False)
        if self.text is not None:
            d["text"] = self.text
            if self.entities:
                d["entities"] = self.entities
        if self.file is not None:
            if self.file.kind == "photo":
                d["photo"] = self.file.photo_sizes()
            else:
                d["document"] = self.file.document_dict()
        if self.caption:
            d["caption"] = self.caption
            if self.caption_entities:
                d["caption_entities"] = self.caption_entities
        inline = self.inline_markup
        if inline is not None and inline["inline_keyboard"]:
            d["reply_markup"] = inline
        return d

    def view(self) -> JSON:
        """Sandbox representation: current content plus bookkeeping."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "outgoing": self.outgoing,
            "text": self.text if self.text is not None else self.caption,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "file": self.file.info() if self.file is not None else None,
            "edit_count": self.edit_count,
            "deleted": self.deleted,
            "date": self.date,
            "message": self.to_dict(),
        }


@dataclass(slots=True)
class Chat:
    """A private chat between one user and one bot (chat id == user id)."""

    user: User
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    events: list[JSON] = field(default_factory=list)
    event_seqs: list[int] = field(default_factory=list)
    callback_answers: list[JSON] = field(default_factory=list)
    reply_keyboard: JSON | None = None
    menu_button: JSON | None = None
    blocked: bool = False
    last_action: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def get_message(self, message_id: int) -> Message | None:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted:
            return None
        return msg


@dataclass(slots=True)
class CallbackQuery:
    id: str
    chat: Chat
    message_id: int
    data: str | None
    answered: bool = False
    answer: JSON | None = None


@dataclass(slots=True)
class Failure:
    count: int
    error_code: int
    description: str
    retry_after: int | None

    def error(self) -> ApiError:
        params = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return ApiError(self.error_code, self.description, params)


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


class BotState:
    """Everything one bot token sees: identity, chats, updates, commands, injected failures."""

    def __init__(self, server: ServerState, token: str, user: User) -> None:
        self.server = server
        self.token = token
        self.user = user
        self.next_update_id = 1  # never reset: update ids only grow
        self.poll_generation = 0
        self.get_updates_calls = 0
        self._updates_signal: asyncio.Event | None = None
        self._events_signal: asyncio.Event | None = None
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
        self._next_query = 1

    def reset(self) -> None:
        """Forget chats, updates, commands, failures and events; pending long polls keep waiting."""
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
            event, self._updates_signal = self._updates_signal, None
            _signal(event)
        return update_id

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

    # ------------------------------------------------------------- user actions (sandbox)
    def user_chat(self, user_id: int) -> Chat:
        user = self.server.users.get(user_id)
        if user is None:
            user = self.server.ensure_user(user_id)
        return self.open_chat(user)

    def user_message(
        self,
        user_id: int,
        *,
        text: str | None = None,
        file: StoredFile | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        chat = self.user_chat(user_id)
        chat.blocked = False
        reply_to = chat.get_message(reply_to_message_id) if reply_to_message_id else None
        msg = Message(
            message_id=chat.new_message_id(),
            chat=chat,
            sender=chat.user,
            date=int(time.time()),
            outgoing=False,
            text=text,
            raw_text=text if text is not None else caption,
            entities=command_entities(text) if text else None,
            caption=caption or None,
            file=file,
            reply_to=reply_to,
        )
        if not msg.entities:
            msg.entities = None
        chat.messages[msg.message_id] = msg
        self.push_update("message", msg.to_dict())
        return msg

    def user_edit(self, user_id: int, message_id: int, text: str) -> Message:
        chat = self.user_chat(user_id)
        msg = chat.get_message(message_id)
        if msg is None or msg.outgoing or msg.text is None:
            raise bad_request("message to edit not found")
        msg.text = text
        msg.raw_text = text
        msg.entities = command_entities(text) or None
        msg.edit_date = int(time.time())
        msg.edit_count += 1
        msg.changed()
        self.push_update("edited_message", msg.to_dict())
        return msg

    def user_press(self, user_id: int, message_id: int, data: str | None, *, force: bool = False) -> str:
        chat = self.user_chat(user_id)
        msg = chat.get_message(message_id)
        if not force:
            if msg is None:
                raise bad_request(f"message {message_id} not found in chat {chat.id}")
            if not msg.outgoing:
                raise bad_request(f"message {message_id} was not sent by the bot")
            if not inline_has_data(msg.inline_markup, data):
                raise bad_request(
                    f"no button with callback_data {data!r} on message {message_id}; "
                    f"current buttons: {inline_data(msg.inline_markup)}"
                )
        query_id = str((self.user.id % 1_000_000) * 10**12 + self._next_query)
        self._next_query += 1
        self.callback_queries[query_id] = CallbackQuery(query_id, chat, message_id, data)
        if msg is not None:
            message: JSON = msg.to_dict()
        else:  # InaccessibleMessage
            message = {"chat": chat.user.chat_dict(), "message_id": message_id, "date": 0}
        payload: JSON = {
            "id": query_id,
            "from": chat.user.to_dict(),
            "message": message,
            "chat_instance": str(zlib.crc32(f"{self.user.id}:{chat.id}".encode()) * 4099),
        }
        if data is not None:
            payload["data"] = data
        self.push_update("callback_query", payload)
        return query_id

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

    def take_failure(self, method: str) -> ApiError | None:
        failure = self.failures.get(method)
        if failure is None:
            return None
        failure.count -= 1
        if failure.count <= 0:
            del self.failures[method]
        return failure.error()

    # ------------------------------------------------------------- sandbox summary
    def summary(self) -> JSON:
        return {
            "bot": self.me(),
            "webhook": self.webhook,
            "allowed_updates": sorted(self.allowed_updates),
            "commands": [
                {"scope": self.command_scopes.get(key, {}), "language_code": lang, "commands": cmds}
                for (key, lang), cmds in self.commands.items()
            ],
            "menu_buttons": {
                "default": self.default_menu_button,
                **{str(c.id): c.menu_button for c in self.chats.values() if c.menu_button is not None},
            },
            "profile": self.profile,
            "failures": {
                name: {
                    "count": f.count,
                    "error_code": f.error_code,
                    "description": f.description,
                    "retry_after": f.retry_after,
                }
                for name, f in self.failures.items()
            },
            "counts": {
                "chats": len(self.chats),
                "messages": sum(len(c.messages) for c in self.chats.values()),
                "bot_messages": sum(1 for c in self.chats.values() for m in c.messages.values() if m.outgoing),
                "pending_updates": len(self.updates),
                "next_update_id": self.next_update_id,
                "callback_queries": len(self.callback_queries),
                "unanswered_callback_queries": sum(1 for q in self.callback_queries.values() if not q.answered),
                "events": len(self.events),
                "get_updates_calls": self.get_updates_calls,
            },
            "method_calls": self.method_calls,
            "seq": self.server.seq,
        }


def _token_bot_id(token: str) -> int:
    head = token.split(":", 1)[0]
    if head.isdigit() and int(head) > 0:
        return int(head)
    return zlib.crc32(head.encode()) % 9_000_000_000 + 1_000_000_000


def image_info(data: bytes) -> tuple[int, int, str] | None:
    """(width, height, format) read with Pillow (header only), or ``None`` if not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return width, height, (image.format or "").lower()
    except Exception:
        return None


_EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "bmp": "bmp", "tiff": "tif"}


class ServerState:
    """Root of the in-memory world: bots by token, users, files, the global event seq."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, User] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.seq = 0
        self.closing = False
        self._file_counter = 0

    def close(self) -> None:
        """Release every pending long poll (called on server shutdown)."""
        self.closing = True
        for bot in self.bots.values():
            bot.wake_all()

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def bot(self, token: str) -> BotState:
        bot = self.bots.get(token)
        if bot is None:
            if ":" not in token:
                raise ApiError(401, "Unauthorized")
            user = User(
                id=_token_bot_id(token),
                first_name=self.bot_first_name,
                username=self.bot_username,
                is_bot=True,
            )
            bot = self.bots[token] = BotState(self, token, user)
        return bot

    def reset_bot(self, token: str) -> BotState:
        bot = self.bot(token)
        bot.reset()
        return bot

    def ensure_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> User:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(
                id=user_id,
                first_name=first_name or f"User{user_id}",
                username=username,
                last_name=last_name,
                language_code=language_code,
            )
        elif any(v is not None for v in (first_name, username, last_name, language_code)):
            user.update(first_name=first_name, username=username, last_name=last_name, language_code=language_code)
            for bot in self.bots.values():
                chat = bot.chats.get(user_id)
                if chat is not None:
                    for msg in chat.messages.values():
                        msg.changed()
        return user

    def store_file(
        self, data: bytes, kind: str, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store bytes as a photo or document. Photos must be decodable images (400 otherwise)."""
        if not data:
            raise bad_request("file must be non-empty")
        self._file_counter += 1
        n = self._file_counter
        width = height = None
        if kind == "photo":
            info = image_info(data)
            if info is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height, fmt = info
            if width + height > 10000 or width / max(height, 1) > 20 or height / max(width, 1) > 20:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            ext = _EXTENSIONS.get(fmt, "jpg")
            path = f"photos/file_{n}.{ext}"
            file_id = f"AgACAgIAAxkBAAI{n:06d}{secrets.token_urlsafe(18)}"
            mime_type = mime_type or mimetypes.guess_type(path)[0]
        else:
            if file_name and (mime_type is None or mime_type == "application/octet-stream"):
                mime_type = mimetypes.guess_type(file_name)[0] or mime_type
            ext = ""
            if file_name and "." in file_name:
                ext = "." + file_name.rsplit(".", 1)[1][:16]
            path = f"documents/file_{n}{ext}"
            file_id = f"BQACAgIAAxkBAAI{n:06d}{secrets.token_urlsafe(18)}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{n:06d}{secrets.token_hex(3)}",
            kind=kind,
            data=data,
            file_path=path,
            file_name=file_name if kind == "document" else None,
            mime_type=mime_type if kind == "document" else None,
            width=width,
            height=height,
        )
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    def existing_file(self, file_id: str, kind: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request("type of file mismatch")
        return stored
