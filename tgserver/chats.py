"""The people and conversations: users (bots too), chats (private ones, and the groups,
supergroups and channels a user brings the bot into), their messages, callback queries.

Telegram objects are produced as plain ``dict`` values ready for ``json.dumps``; a user's and a
message's Telegram representation is cached until it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .files import StoredFile
from .wire import JSON


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
    extra: JSON | None = None  # further Telegram fields as sent: sticker, contact, location, forward_origin, …
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
        d: JSON = {"message_id": self.message_id}
        if self.chat.kind == "channel":  # a channel's posts are signed by the channel, not a user
            d["sender_chat"] = self.chat.chat_dict()
        else:
            d["from"] = self.sender.to_dict()
        d["chat"] = self.chat.chat_dict()
        d["date"] = self.date
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
        if self.extra:
            d.update(self.extra)
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
    """A chat of one bot: a private chat with one user (chat id == user id), or — ``kind``
    ``group``, ``supergroup`` or ``channel`` — a chat of many, with its own (negative) id and a
    title, where ``user`` is who brought the bot in."""

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
    kind: str = "private"
    group_id: int | None = None
    title: str | None = None

    @property
    def id(self) -> int:
        return self.group_id if self.group_id is not None else self.user.id

    def chat_dict(self) -> JSON:
        """Telegram ``Chat`` object."""
        if self.group_id is None:
            return self.user.chat_dict()
        return {"id": self.group_id, "type": self.kind, "title": self.title or ""}

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
