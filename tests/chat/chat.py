"""Clerks talking to the real Dispatcher in-process.

:class:`Harness` is one running bot: the Dispatcher production builds (through
``tests.chat.world``), a ``Bot`` on the :class:`~tests.chat.session.RecordingSession`, the test's
clock. :class:`Chat` is one Telegram user's private chat with it: every step feeds one update
and returns the :class:`Reaction` — what the bot said in that chat because of it.

Every step also checks that the bot did not apologise for an internal error nor log one, unless
the story says it expects that (:meth:`Chat.expecting_apology`); a failure shows the traceback.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram import Dispatcher

from tests.chat.session import BOT_ID, RecordingSession, Said, Shown, said_in, timestamp
from tests.chat.world import World
from tests.nominees import Skip, Tap

TOKEN = f"{BOT_ID}:chat-tests-token"
APOLOGY = ("系统出现异常", "something went wrong")
SAVED = re.compile(r"(?:已保存：|Saved: )#(\d+)")
STEP = re.compile(r"(?:第 (\d+)/(\d+) 步|Step (\d+)/(\d+)) · ([^\n]+)")


class Clock:
    """The bot's one clock, set by the story: an aware datetime that moves only when told."""

    def __init__(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """``clock.advance(minutes=45)``: time passes for everybody (no sleeping)."""
        self.now += timedelta(**delta)


class ErrorLog(logging.Handler):
    """Error records with a traceback, as the bot logs a failed update."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # the masking filter (bot.logging) turns the traceback into masked text (exc_text)
        if record.exc_info or record.exc_text:
            self.records.append(record)


# ------------------------------------------------------------------------------ a reaction


@dataclass
class Reaction:
    """What the bot did in one chat in answer to one update."""

    said: list[Said] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Every text the clerk was shown: messages, edits, answers to a press."""
        return "\n".join(s.text for s in self.said if s.text)

    @property
    def alert(self) -> str:
        """The dialog a press was answered with ("" when none)."""
        return "\n".join(s.text for s in self.said if s.kind == "answer" and s.alert)

    @property
    def notice(self) -> str:
        """The passing notice a press was answered with ("" when none)."""
        return "\n".join(s.text for s in self.said if s.kind == "answer" and not s.alert)

    @property
    def answered(self) -> bool:
        """A press was answered (the client's spinner stopped)."""
        return any(s.kind == "answer" for s in self.said)

    @property
    def messages(self) -> list[Said]:
        """New messages and edits, in order."""
        return [s for s in self.said if s.kind != "answer"]

    @property
    def new_messages(self) -> list[Said]:
        return [s for s in self.said if s.kind == "message"]

    @property
    def shown(self) -> Said | None:
        """The last message or edit (what is on screen now), None when nothing was shown."""
        return self.messages[-1] if self.messages else None

    @property
    def buttons(self) -> list[str]:
        return self.shown.buttons if self.shown is not None else []

    def expect(self, *fragments: str) -> str:
        text = self.text
        for fragment in fragments:
            assert fragment in text, f"expected {fragment!r} in what the bot said:\n{text or '(nothing)'}"
        return text

    def expect_not(self, *fragments: str) -> None:
        for fragment in fragments:
            assert fragment not in self.text, f"did not expect {fragment!r} in:\n{self.text}"


# ------------------------------------------------------------------------------ the bot


class Harness:
    """One running bot over a :class:`World`, with Telegram's side recorded."""

    def __init__(self, world: World, clock: Clock, errors: ErrorLog) -> None:
        self.world = world
        self.clock = clock
        self.errors = errors
        self.session = RecordingSession()
        self.session.now = lambda: timestamp(clock())
        self.waits: list[float] = []  # the bot's waits before retrying a request (seconds)
        self.bot = world.make_bot(TOKEN, self.session, self._wait)
        self.dp: Dispatcher = world.dispatcher()
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    async def _wait(self, seconds: float) -> None:
        """The bot waits before it retries a request: the time passes, nobody sleeps."""
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)

    async def start(self) -> None:
        """What the bot does with Telegram when it starts, before it polls (its command menus)."""
        await self.world.start_up(self.bot)

    async def restart(self) -> None:
        """The bot process stops and starts again over the same database (Telegram's side, the
        chats, stays). A restart takes a few seconds."""
        self.clock.advance(seconds=10)
        self.dp = await self.world.restart()

    async def feed(self, update: dict[str, Any]) -> None:
        await self.dp.feed_raw_update(self.bot, {"update_id": next(self._update_ids), **update})

    def next_query_id(self) -> str:
        return f"q{next(self._query_ids)}"

    def chat(self, tg_id: int, *, name: str = "填报人", language: str = "zh-hans") -> Chat:
        """A Telegram user with a private chat open (not joined)."""
        return Chat(self, tg_id, name=name, language=language)

    async def clerk(
        self, tg_id: int, unit: str, campaign: str = "zhengzhou-2024", *, language: str = "zh-hans"
    ) -> Chat:
        """A user who joined as a clerk of ``unit`` through an invitation link."""
        chat = self.chat(tg_id, language=language)
        code = await self.world.invite(campaign, unit)
        joined = await chat.command(f"/start {code}")
        assert unit in joined.text, f"{unit}'s clerk did not join:\n{joined.text}"
        return chat


# ------------------------------------------------------------------------------ one user's chat


class Chat:
    """A Telegram user's private chat with the bot. Every step returns what the bot did."""

    def __init__(self, harness: Harness, tg_id: int, *, name: str, language: str) -> None:
        self.harness = harness
        self.session = harness.session
        self.tg_id = tg_id
        self.user = {"id": tg_id, "is_bot": False, "first_name": name, "language_code": language}
        self.last = Reaction()
        self.screen: Said | None = None  # the last message or edit the bot showed here
        self.sent: list[int] = []  # the ids of this user's messages, oldest first
        self._apology_expected = False
        self._last_update: tuple[dict[str, Any], str] | None = None

    # -------------------------------------------------------------- talking

    async def send(self, text: str, *, at: datetime | None = None) -> Reaction:
        """A text message; ``at`` is its date (Telegram dates messages to the second), the
        clock's now by default."""
        message = self._message(at) | {"text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._deliver({"message": message}, f"text {text[:40]!r}")

    async def command(self, text: str) -> Reaction:
        """``/command args`` as typed (or sent by a deep link, for ``/start <code>``)."""
        assert text.startswith("/"), text
        return await self.send(text)

    async def send_photo(self, data: bytes, *, width: int = 900, height: int = 1200) -> Reaction:
        """A picture sent as a photo (Telegram offers sizes; the largest comes last)."""
        upload = self.session.upload(data, "jpg")
        size = {"file_id": upload.file_id, "file_unique_id": upload.unique_id, "file_size": len(data)}
        photo = [size | {"width": width // 4, "height": height // 4}, size | {"width": width, "height": height}]
        return await self._deliver({"message": self._message(None) | {"photo": photo}}, "a photo")

    async def send_document(self, data: bytes, mime: str, filename: str, *, size: int | None = None) -> Reaction:
        """A file; ``size`` is the size Telegram reports (the real one by default)."""
        upload = self.session.upload(data, filename.rsplit(".", 1)[-1])
        document = {
            "file_id": upload.file_id,
            "file_unique_id": upload.unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": len(data) if size is None else size,
        }
        return await self._deliver({"message": self._message(None) | {"document": document}}, f"file {filename}")

    async def tap(self, label: str, *, on: Shown | None = None) -> Reaction:
        """Presses the button whose label is ``label`` (or, failing that, the one button whose
        label contains it) on the newest message with buttons, or on the message ``on``."""
        message = on or self.keyboard_message()
        button = message.button(label)
        assert button.data is not None, f"{button.text!r} is not a callback button"
        return await self.press(message, button.data, what=f"button {button.text!r}")

    async def press(self, message: Shown, data: str, *, what: str = "") -> Reaction:
        """A callback query with ``data`` from ``message``, whatever its buttons carry (an old
        client, a forged press)."""
        query_id = self.harness.next_query_id()
        self.session.open_query(query_id, self.tg_id)
        query = {
            "id": query_id,
            "from": self.user,
            "chat_instance": f"ci{self.tg_id}",
            "message": message.as_update_part(),
            "data": data,
        }
        reaction = await self._deliver({"callback_query": query}, what or f"callback {data!r}")
        # an unanswered press keeps the client's spinner turning until Telegram gives up
        assert reaction.answered, f"the bot never answered the press of {what or data!r}:\n{reaction.text}"
        return reaction

    async def again(self) -> Reaction:
        """Telegram delivers this chat's last update once more (the same message or the same
        press, as after a poll whose confirmation was lost)."""
        assert self._last_update is not None, "nothing was sent in this chat yet"
        update, what = self._last_update
        return await self._deliver(update, f"{what} (again)")

    @contextlib.contextmanager
    def expecting_apology(self) -> Iterator[None]:
        """Within it, the bot may apologise for an internal error (the story breaks something)."""
        self._apology_expected = True
        try:
            yield
        finally:
            self._apology_expected = False

    def _message(self, at: datetime | None) -> dict[str, Any]:
        self.sent.append(self.session.new_message_id())
        return {
            "message_id": self.sent[-1],
            "date": timestamp(at or self.harness.clock()),
            "chat": {"id": self.tg_id, "type": "private", "first_name": self.user["first_name"]},
            "from": self.user,
        }

    async def _deliver(self, update: dict[str, Any], what: str, *, chat_id: int | None = None) -> Reaction:
        """``chat_id``: the chat whose replies are the reaction (this private chat by default)."""
        self._last_update = (update, what)
        said_before, errors_before = len(self.session.said), len(self.harness.errors.records)
        await self.harness.feed(update)
        reaction = Reaction(said_in(self.session.said[said_before:], self.tg_id if chat_id is None else chat_id))
        if not self._apology_expected:
            errors = self.harness.errors.records[errors_before:]
            if errors:
                record = errors[0]
                assert record.exc_info is not None
                trace = "".join(traceback.format_exception(*record.exc_info))
                raise AssertionError(f"after {what} the bot failed:\n{trace}\nand said:\n{reaction.text}")
            for bad in APOLOGY:
                assert bad not in reaction.text, f"after {what} the clerk was told: {reaction.text}"
        self.last = reaction
        if reaction.shown is not None:
            self.screen = reaction.shown
        return reaction

    # -------------------------------------------------------------- what else a phone sends

    async def send_content(self, content: dict[str, Any], what: str, *, at: datetime | None = None) -> Reaction:
        """A message of any other kind: ``content`` is its Bot API fields besides the id, date,
        chat and sender (``{"sticker": {...}}``, ``{"contact": {...}}``, ``{"text": ..,
        "forward_origin": {...}}``, a photo with a ``media_group_id`` …)."""
        return await self._deliver({"message": self._message(at) | content}, what)

    async def edit(self, message_id: int, text: str) -> Reaction:
        """The user edits their message ``message_id`` to ``text`` (an ``edited_message``)."""
        message = self._message(None) | {
            "message_id": message_id,
            "text": text,
            "edit_date": timestamp(self.harness.clock()),
        }
        self.sent.pop()  # no new message: the id taken by _message goes unused
        return await self._deliver({"edited_message": message}, f"edit of {message_id} to {text[:40]!r}")

    async def in_group(self, group: dict[str, Any], content: dict[str, Any], *, kind: str = "message") -> Reaction:
        """A message of this user in ``group`` (a chat of type group or supergroup; ``kind``
        ``edited_message`` for an edit there), or, with ``kind`` ``channel_post``, a post in a
        channel (signed by the channel, not the user). The reaction is what the bot said there."""
        message = self._message(None) | content | {"chat": group}
        if kind.endswith("channel_post"):
            del message["from"]
            message["sender_chat"] = group
        return await self._deliver({kind: message}, f"{kind} in {group['type']} {group['id']}", chat_id=group["id"])

    # -------------------------------------------------------------- what the clerk sees

    @property
    def text(self) -> str:
        return self.last.text

    @property
    def alert(self) -> str:
        return self.last.alert

    def expect(self, *fragments: str) -> str:
        return self.last.expect(*fragments)

    def expect_not(self, *fragments: str) -> None:
        self.last.expect_not(*fragments)

    @property
    def shown(self) -> Said:
        """What is on screen: the last message or edit (of the last reaction, or before it)."""
        assert self.screen is not None, "the bot has shown nothing in this chat"
        return self.screen

    @property
    def buttons(self) -> list[str]:
        return self.shown.buttons

    def messages(self) -> list[Shown]:
        """The bot's messages in this chat as they are now, oldest first."""
        return self.session.shown(self.tg_id)

    def keyboard_message(self) -> Shown:
        """The newest message with buttons (the one a clerk would tap)."""
        with_buttons = [m for m in self.messages() if m.keyboard]
        assert with_buttons, f"no message with buttons in chat {self.tg_id}; last: {self.text}"
        return with_buttons[-1]

    @property
    def step(self) -> tuple[int, int, str] | None:
        """The question on screen: (i, n, its label) of "第 i/n 步 · label", or None."""
        found = STEP.search(self.shown.text)
        if found is None:
            return None
        i, n = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
        return int(i), int(n), found.group(5).strip()

    @property
    def progress(self) -> tuple[int, int]:
        step = self.step
        assert step is not None, f"no question on screen:\n{self.shown.text}"
        return step[0], step[1]

    @property
    def question(self) -> str | None:
        """The label of the question on screen (None on a summary card or a plain message)."""
        step = self.step
        return step[2] if step else None

    @property
    def on_summary(self) -> bool:
        return any(mark in self.shown.text for mark in ("请核对填报信息", "Please check the answers"))

    # -------------------------------------------------------------- filling a form

    async def give(self, value: Any) -> Reaction:
        """Answers the question on screen: :class:`Tap`, :data:`SKIP`, photo bytes, or text
        (tapped when a button carries exactly that text, typed otherwise)."""
        if isinstance(value, Skip):
            return await self.tap(SKIP_LABEL)
        if isinstance(value, bytes):
            return await self.send_photo(value)
        if isinstance(value, Tap):
            return await self.tap(value.label)
        if value in self.buttons:
            return await self.tap(value)
        return await self.send(str(value))

    async def nominate(self, award: str, answers: Mapping[str, Any]) -> int:
        """/new, the award's button, every answer, confirm: the number of the saved nominee."""
        await self.command("/new")
        await self.tap(award)
        await self.fill(answers)
        saved = await self.tap("✔ 确认保存")
        found = SAVED.search(saved.text)
        assert found, f"not saved:\n{saved.text}"
        return int(found.group(1))

    async def fill(self, answers: Mapping[str, Any], *, until: str | None = None) -> None:
        """Answers question after question from ``answers`` (keyed by the question's label as
        shown, or the beginning of it) until the summary card, or until the question whose label
        begins with ``until`` is on screen. Every answer must move the form on."""
        for _ in range(80):
            if self.on_summary:
                assert until is None, f"reached the summary before {until!r}"
                return
            label = self.question
            assert label is not None, f"no question on screen:\n{self.shown.text}"
            if until is not None and label.startswith(until):
                return
            key = answer_key(answers, label)
            assert key is not None, f"no answer for {label!r}:\n{self.shown.text}"
            before = self.progress
            await self.give(answers[key])
            moved = self.on_summary or self.step is None or self.progress != before
            assert moved, f"the answer to {label!r} was not taken:\n{self.text}"
        raise AssertionError("the form did not end")


def answer_key(answers: Mapping[str, Any], label: str) -> str | None:
    """The key of ``answers`` for the question ``label``: the label itself, or the longest key
    the label begins with."""
    if label in answers:
        return label
    keys = [k for k in answers if label.startswith(k)]
    return max(keys, key=len) if keys else None


SKIP_LABEL = "跳过"
