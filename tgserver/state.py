"""The root of the server's in-memory world (:class:`ServerState`).

Everything lives in plain Python objects owned by one event loop: the bots by token (each a
:class:`~tgserver.bots.BotState` with its chats, update queue and event log), the users, the
stored files, and the global, strictly increasing event ``seq`` that the sandbox side long-polls on.
"""

from __future__ import annotations

import zlib

from .bots import BotState
from .chats import User
from .files import StoredFile, new_file
from .wire import ApiError, bad_request

DEFAULT_BOT_USERNAME = "nominee_test_bot"
DEFAULT_BOT_FIRST_NAME = "Nominee Test Bot"


def _token_bot_id(token: str) -> int:
    head = token.split(":", 1)[0]
    if head.isdigit() and int(head) > 0:
        return int(head)
    return zlib.crc32(head.encode()) % 9_000_000_000 + 1_000_000_000


class ServerState:
    """Root of the in-memory world: bots by token, users, files, the global event seq."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        webhook_timeout: float = 60.0,
        webhook_retry: tuple[float, float] = (1.0, 60.0),
    ) -> None:
        """``webhook_timeout``: seconds a webhook delivery may take; ``webhook_retry``: the first
        and the longest pause before a failed delivery is retried (tgserver.webhook)."""
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_first, self.webhook_retry_max = webhook_retry
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
            if bot.delivery is not None:
                bot.delivery.cancel()

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
        stored = new_file(self._file_counter, data, kind, file_name=file_name, mime_type=mime_type)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def existing_file(self, file_id: str, kind: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request("type of file mismatch")
        return stored
