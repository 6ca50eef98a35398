"""One bot's whole state (:class:`BotState`): the Bot API side plus what the sandbox does to it.

The sandbox side is the bot's users, played by the tests: a user writes, edits a message or
presses a button, each becoming an update in the bot's queue; and the summary that
``GET /_sandbox/{token}/state`` reports.
"""

from __future__ import annotations

import time
import zlib

from .bot_side import BotSide
from .chats import CallbackQuery, Chat, Message
from .files import StoredFile
from .formatting import command_entities
from .markup import inline_data, inline_has_data
from .wire import JSON, bad_request


class BotState(BotSide):
    """Everything one bot token sees (:class:`BotSide`), plus its users' actions and summary for the sandbox."""

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
        chat_id: int | None = None,
        extra: JSON | None = None,
    ) -> Message:
        if chat_id is None or chat_id == user_id:
            chat = self.user_chat(user_id)
        else:
            found = self.chats.get(chat_id)
            if found is None or found.group_id is None:
                raise bad_request(f"there is no group {chat_id}; create it first")
            chat = found
        chat.blocked = False
        sender = (
            chat.user if chat.group_id is None else self.server.users.get(user_id) or self.server.ensure_user(user_id)
        )
        reply_to = chat.get_message(reply_to_message_id) if reply_to_message_id else None
        msg = Message(
            message_id=chat.new_message_id(),
            chat=chat,
            sender=sender,
            date=int(time.time()),
            outgoing=False,
            text=text,
            raw_text=text if text is not None else caption,
            entities=command_entities(text) if text else None,
            caption=caption or None,
            file=file,
            reply_to=reply_to,
            extra=extra or None,
        )
        if not msg.entities:
            msg.entities = None
        chat.messages[msg.message_id] = msg
        self.push_update("channel_post" if chat.kind == "channel" else "message", msg.to_dict())
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
            message = {"chat": chat.chat_dict(), "message_id": message_id, "date": 0}
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

    # ------------------------------------------------------------- what else clients send (groups, kinds)
    def group_chat(self, chat_id: int, kind: str, title: str, user_id: int) -> Chat:
        """The group, supergroup or channel ``chat_id`` (negative), which the user ``user_id``
        brings the bot into: created once; in a group Telegram then says so in a service
        message (``new_chat_members``: the bot), which the bot receives."""
        if chat_id >= 0 or kind not in ("group", "supergroup", "channel"):
            raise bad_request("a group's chat_id is negative and its type group, supergroup or channel")
        chat = self.chats.get(chat_id)
        if chat is not None:
            return chat
        user = self.server.users.get(user_id) or self.server.ensure_user(user_id)
        chat = self.chats[chat_id] = Chat(user, kind=kind, group_id=chat_id, title=title)
        if kind != "channel":
            self.user_message(user_id, chat_id=chat_id, extra={"new_chat_members": [self.user.to_dict()]})
        return chat

    def user_content(
        self,
        user_id: int,
        extra: JSON,
        *,
        chat_id: int | None = None,
        text: str | None = None,
        file: StoredFile | None = None,
    ) -> Message:
        """A message of ``user_id`` with the Telegram fields ``extra`` (a sticker, a contact, a
        forward's origin, an album's ``media_group_id`` …), in their private chat or in the group
        ``chat_id`` (in a channel: a post of the channel)."""
        return self.user_message(user_id, text=text, file=file, chat_id=chat_id, extra=extra)

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
                    "drop": f.drop,
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
