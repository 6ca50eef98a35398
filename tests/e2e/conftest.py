"""End-to-end harness: the real ``nominee-bot run`` as a separate process, talking over HTTP to
the local Bot API server (``python -m tgserver``, also a separate process); the tests play
clerks through the server's sandbox side.

One stack (API server + bot + a fresh SQLite database) per test module; every story uses its own
Telegram user ids. Set-up the office would do on the command line (schema, campaigns, invitation
codes) is done in-process through the use cases of ``app/`` on the same database file where the
command itself is not what a test is about.

Waiting is always on something the server reports (a bot event, a getUpdates call), never a
fixed sleep. When a test fails, the tail of the bot's log is attached to the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from app import campaigns, joining, nominees, queries
from app.ports import Ports
from core.errors import InvalidAnswer
from core.idcard import parse_id_number
from core.loader import builtin_text
from core.records import UserInfo
from storage import open_ports
from storage.db import Database, make_engine, upgrade
from tests.nominees import PDF, Skip, Tap, given, labour_model, medal, stored, zhangjiakou_units
from tgserver.client import BotEvent, NoReply, SandboxClient

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7150042:e2e-nominee-bot-token"
TODAY = date(2024, 3, 15)  # both built-in campaigns are open on this day
ZHENGZHOU = "zhengzhou-2024"
ZHANGJIAKOU = "zhangjiakou-2024"
HANGKONGGANG = "航空港经济综合试验区"

# Replies that must never reach a clerk: the global error handler's apology, and the fallbacks
# for refusal or error codes the texts do not know (a clerk cannot act on "(nominee.locked)").
APOLOGY = ("系统出现异常", "something went wrong")
FALLBACKS = ("请求未能完成（", "该项填写内容不符合要求（", "could not be completed (", "cannot be accepted (")

QUIET = 0.02  # after the bot's reply: how long nothing more must come (a second message would)
STEP = re.compile(r"第 (\d+)/(\d+) 步")
ID_LIKE = re.compile(r"(?<![0-9])[0-9０-９]{17}[0-9０-９XxＸｘ](?![0-9])")


def real_id_numbers(text: str) -> list[str]:
    """The 18-character runs in ``text`` that are valid ID numbers (check digit, date, region)."""
    found = []
    for match in ID_LIKE.finditer(text):
        try:
            parse_id_number(match.group(), TODAY)
        except InvalidAnswer:
            continue
        found.append(match.group())
    return found


# The summary card before saving: the one message that shows a whole ID number.
SUMMARY_HEADINGS = ("请核对填报信息", "Please check the answers")


def masked(text: str) -> str:
    """``text`` with every ID-shaped run cut to its first four characters (for failure messages)."""
    return ID_LIKE.sub(lambda m: m.group()[:4] + "…", text)


def zhangjiakou_with_units() -> str:
    return builtin_text(ZHANGJIAKOU) + zhangjiakou_units()


# ------------------------------------------------------------------------------ test data
# The nominees are tests.nominees' answers, keyed by field; the clerk gives them keyed by step.


def by_step(answers: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    """``answers`` (keyed by field) as the clerk gives them (``tests.nominees.given``), keyed by
    step, then ``overrides``."""
    return given(answers) | overrides


def medal_answers(name: str, number: str, category: str = "一线产业工人", **overrides: Any) -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖章 nominee, keyed by step."""
    return by_step(medal(name, number, category), **overrides)


def model_answers(name: str, number: str, category: str = "一线工人", **overrides: Any) -> dict[str, Any]:
    """A complete Zhangjiakou 劳动模范 nominee, keyed by step."""
    return by_step(labour_model(name, number, category), **overrides)


def store_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as the clerk gives them (or keyed by field) in the stored form, for nominees saved
    in-process."""
    plain = {k: v.label if isinstance(v, Tap) else None if isinstance(v, Skip) else v for k, v in answers.items()}
    return stored(plain)


# ------------------------------------------------------------------------------ processes


def _clock() -> datetime:
    """The bot's clock with NOMINEE_TODAY: real time moved to the pinned day (bot.runner.make_clock)."""
    shift = TODAY - datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return datetime.now(UTC) + shift


async def _stop(proc: asyncio.subprocess.Process | None, *, kill: bool = False, grace: float = 8.0) -> None:
    if proc is None or proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if kill:
            proc.send_signal(signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


class BotStack:
    """The local Bot API server and the bot, as two processes, on one fresh data directory."""

    def __init__(self, workdir: Path, name: str) -> None:
        self.workdir = workdir
        self.name = name
        self.data_dir = workdir / "data"
        self.bot_log = workdir / "bot.log"
        self.server_log = workdir / "apiserver.log"
        self.url = ""
        self.server: asyncio.subprocess.Process | None = None
        self.bot: asyncio.subprocess.Process | None = None
        self.bot_starts = 0
        self.sandbox: SandboxClient | None = None
        self.database: Database | None = None
        self._ports: Ports | None = None
        self.ids: set[str] = set()  # every ID number typed to the bot (for the log and message scans)
        self.errors_expected = False  # a test that breaks the server on purpose sets it: errors get logged
        self.reminders = "off"  # NOMINEE_REMINDERS of the next start
        self._drain: asyncio.Task[bytes] | None = None

    # -------------------------------------------------------------- environment

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
        path = env.get("PYTHONPATH")
        env.update(
            PYTHONPATH=str(ROOT) + (os.pathsep + path if path else ""),
            PYTHONUNBUFFERED="1",
            NOMINEE_BOT_TOKEN=TOKEN,
            NOMINEE_API_SERVER=self.url,
            NOMINEE_DATA_DIR=str(self.data_dir),
            NOMINEE_TODAY=TODAY.isoformat(),
            NOMINEE_THROTTLE_RATE="0",  # the tests type faster than any clerk
            # real time on a pinned day: a reminder would arrive mid-story at whatever minute the
            # test runs; test_reminders.py turns it on with a stage dated for the test
            NOMINEE_REMINDERS=self.reminders,
        )
        return env

    @property
    def sb(self) -> SandboxClient:
        assert self.sandbox is not None, "the stack is not started"
        return self.sandbox

    @property
    def ports(self) -> Ports:
        """The use cases' ports on the bot's database file (the office's in-process side)."""
        assert self._ports is not None, "the stack is not started"
        return self._ports

    # -------------------------------------------------------------- life cycle

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.server_log.open("ab") as log:  # the child keeps its own descriptor
            self.server = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tgserver",
                "--host",
                "127.0.0.1",
                "--port",
                "0",  # the server binds a free port and prints its URL first
                "--token",
                TOKEN,
                cwd=self.workdir,
                env=self.env,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        assert self.server.stdout is not None
        # Meanwhile: the schema and the campaigns, as `nominee-bot db upgrade` / `campaign load` would.
        url = f"sqlite+aiosqlite:///{self.data_dir / 'nominee.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        self.database = Database(engine)
        self._ports = open_ports(self.database, self.data_dir / "files", _clock, cache_drafts=False)
        await campaigns.ensure_builtin(self.ports, ZHENGZHOU)
        line = await asyncio.wait_for(self.server.stdout.readline(), 30)
        if not line.startswith(b"http"):
            raise RuntimeError(f"the API server did not start: {line!r}\n{self.server_log.read_text()}")
        self.url = line.decode().strip()
        self._drain = asyncio.create_task(self.server.stdout.read())
        self.sandbox = SandboxClient(self.url, TOKEN, quiet=QUIET)
        await self.start_bot()

    async def start_bot(self) -> None:
        before = (await self.sb.state())["counts"]["get_updates_calls"]
        with self.bot_log.open("ab") as log:
            log.write(f"----- bot start {self.bot_starts + 1} -----\n".encode())
            log.flush()
            self.bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",  # = the nominee-bot run console script
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self.bot_starts += 1
        await self.wait_ready(before)

    async def wait_ready(self, before: int, timeout: float = 60.0) -> None:
        """Until the bot long-polls the server: it has registered its commands and listens."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            assert self.bot is not None
            if self.bot.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.bot.returncode}:\n{self.log_tail()}")
            if (await self.sb.state())["counts"]["get_updates_calls"] > before:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"the bot did not start polling within {timeout}s:\n{self.log_tail()}")
            await asyncio.sleep(0.05)  # polling the server's counter, not waiting for time to pass

    async def stop_bot(self, *, kill: bool = False) -> int | None:
        await _stop(self.bot, kill=kill)
        return self.bot.returncode if self.bot is not None else None

    async def restart_bot(self, *, kill: bool = True) -> None:
        """SIGKILL (a crash) or SIGTERM the bot, then start it again and wait until it polls."""
        await self.stop_bot(kill=kill)
        await self.start_bot()

    async def close(self) -> None:
        await asyncio.gather(self.stop_bot(), _stop(self.server))
        if self.sandbox is not None:
            await self.sandbox.close()
        if self._drain is not None:
            with contextlib.suppress(Exception):
                await self._drain
        if self.database is not None:
            await self.database.dispose()

    # -------------------------------------------------------------- the office's side

    async def cli(self, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
        """``nominee-bot ARGS`` as the office runs it (a separate process on the same database)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            cwd=self.workdir,
            env=self.env | dict(env or {}),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    async def invite(self, unit: str, campaign: str = ZHENGZHOU, *, days: int = 14) -> str:
        """A single-use clerk's invitation code (``nominee-bot invite create``, in-process)."""
        return await joining.create_invite(self.ports, campaign, unit, "clerk", days)

    async def clerk(self, user_id: int, unit: str | None = None, campaign: str = ZHENGZHOU) -> Clerk:
        """A user with an open chat; joined to ``unit`` when given."""
        clerk = Clerk(self, user_id)
        await clerk.open()
        if unit is not None:
            await clerk.join(await self.invite(unit, campaign))
            clerk.expect("欢迎使用")
        return clerk

    async def member(self, user_id: int, unit: str, campaign: str = ZHENGZHOU) -> UserInfo:
        """A clerk joined in-process (never chats): saves the other nominees of a unit."""
        return await joining.join(self.ports, await self.invite(unit, campaign), user_id, "zh")

    async def clerk_info(self, user_id: int) -> UserInfo:
        found = await queries.context(self.ports, user_id)
        assert found is not None
        return found[0]

    async def save_in_process(self, user_id: int, award: str, answers: Mapping[str, Any]) -> int:
        """A nominee saved through the service directly (the fill of other units and lists)."""
        outcome = await nominees.save(self.ports, await self.clerk_info(user_id), award, store_answers(answers))
        assert outcome.ok and outcome.nominee is not None, outcome.refusals
        return outcome.nominee.id

    # -------------------------------------------------------------- logs

    def log_text(self) -> str:
        return self.bot_log.read_text(errors="replace") if self.bot_log.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def id_number_leaks(self) -> list[str]:
        """Where an ID number appears in the bot's log or in anything the bot sent (every message,
        every edit, every button and button answer the server recorded, but the summary card
        before saving): one the tests typed, or any other valid-looking one. Empty when none does."""
        leaks: list[str] = []
        log = self.log_text()
        leaks += [f"the bot logged an ID number ({number[:4]}…)" for number in sorted(self.ids) if number in log]
        if real_id_numbers(log):
            leaks.append("a valid ID number in the bot's log")
        for event in await self.sb.wait(None, 0, 0.0):
            text = " ".join([event.text or "", event.raw_text or "", *event.button_texts])
            if any(heading in text for heading in SUMMARY_HEADINGS):
                continue  # the summary before saving shows the whole number, once, to be proof-read
            if any(number in text for number in self.ids):
                leaks.append(f"chat {event.chat_id}: a full ID number in a bot message: {masked(text)[:200]}")
            elif real_id_numbers(text):
                leaks.append(f"chat {event.chat_id}: an ID number in a bot message: {masked(text)[:200]}")
        return leaks

    def logged_errors(self) -> list[str]:
        """The bot's log lines with an error or a traceback (every garbage input should have been
        answered by the handlers), masked."""
        lines = [line for line in self.log_text().splitlines() if " ERROR " in line or "Traceback" in line]
        return [masked(line) for line in lines]

    async def check_after_the_stories(self) -> None:
        """What the module's stories, whichever of them ran and in whatever order, must leave
        behind: no ID number in the bot's log or in any reply, and no error in the log unless a
        test broke the server on purpose. Fails with every problem found."""
        problems = await self.id_number_leaks()
        if not self.errors_expected:
            errors = self.logged_errors()
            if errors:
                problems.append("errors in the bot's log:\n" + "\n".join(errors[:20]))
        if problems:
            pytest.fail(
                f"after the stories of {self.name}, checked when its stack stopped:\n" + "\n".join(problems[:20]),
                pytrace=False,
            )


_STACKS: list[BotStack] = []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[BotStack]:
    st = BotStack(tmp_path_factory.mktemp("e2e"), request.module.__name__.rsplit(".", 1)[-1])
    st.reminders = getattr(request.module, "REMINDERS", "off")  # a module that tells the scheduler's story turns it on
    _STACKS.append(st)
    try:
        await st.start()
        yield st
        # Here, not in a last test of the module: any single test or order is checked as well.
        await st.check_after_the_stories()
    finally:
        _STACKS.remove(st)
        await st.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed:
        for st in _STACKS:
            report.sections.append((f"nominee-bot log ({st.name}, last lines)", st.log_tail()))


# ------------------------------------------------------------------------------ the clerk


def _plain(events: Sequence[BotEvent]) -> list[str]:
    return [e.text or "" for e in events if e.kind in ("message", "edit", "callback_answer") and e.text]


class Clerk:
    """One Telegram user talking to the bot, with story-like steps. Every step waits for the bot's
    reaction (at least one message or edit, or an alert on a button press) and checks that it is
    never an apology for an internal error."""

    def __init__(self, stack: BotStack, user_id: int, name: str = "填报人") -> None:
        self.stack = stack
        self.sb = stack.sb
        self.user_id = user_id
        self.name = name
        self.last: list[BotEvent] = []
        self.screen: BotEvent | None = None
        self.apology_expected = False  # a test that breaks the server on purpose sets it

    # -------------------------------------------------------------- talking

    async def open(self) -> None:
        await self.sb.user(self.user_id, self.name, username=f"clerk{self.user_id}", language_code="zh-hans")

    async def _collect(self, seq: int, what: str, *, press: bool, timeout: float = 20.0) -> list[BotEvent]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        events: list[BotEvent] = []
        last = seq

        def done() -> bool:
            shown = any(e.kind in ("message", "edit") for e in events)
            if not press:
                return shown
            answers = [e for e in events if e.kind == "callback_answer"]
            # every handler answers the button (a spinner otherwise); most also show something
            return any(a.show_alert for a in answers) or (shown and bool(answers))

        while not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            new = await self.sb.wait(self.user_id, last, remaining)
            if new:
                events.extend(new)
                last = new[-1].seq
        if not events:
            raise NoReply(f"the bot did not react to {what} within {timeout}s (chat {self.user_id})")
        while True:  # whatever else belongs to the same reaction
            new = await self.sb.wait(self.user_id, last, self.sb.quiet)
            if not new:
                break
            events.extend(new)
            last = new[-1].seq
        for text in _plain(events):
            for bad in FALLBACKS if self.apology_expected else APOLOGY + FALLBACKS:
                assert bad not in text, f"after {what} the clerk was told: {text!r}"
        self.last = events
        shown = [e for e in events if e.kind in ("message", "edit")]
        if shown:
            self.screen = shown[-1]
        return events

    async def say(self, text: str) -> list[BotEvent]:
        self.stack.ids.update(m.group() for m in ID_LIKE.finditer(text))
        seq = await self.sb.send(self.user_id, text)
        return await self._collect(seq, f"text {text[:40]!r}", press=False)

    async def join(self, code: str) -> list[BotEvent]:
        return await self.say(f"/start {code}")

    async def answer(self, text: str) -> list[BotEvent]:
        return await self.say(text)

    async def start_nominee(self, award_label: str) -> list[BotEvent]:
        """/new, then the award's button."""
        await self.say("/new")
        return await self.tap(award_label)

    async def message(self, message_id: int) -> BotEvent:
        """A bot message of this chat as it is now (after any edits)."""
        found = [m for m in await self.sb.messages(self.user_id, message_id - 1) if m.message_id == message_id]
        assert found, f"no bot message {message_id} in chat {self.user_id}"
        return found[0]

    async def keyboard_message(self) -> BotEvent:
        message = await self.sb.last_keyboard_message(self.user_id)
        assert message is not None and message.message_id is not None, f"no keyboard in chat; last: {self.text}"
        return message

    async def tap(self, label: str, message: BotEvent | None = None) -> list[BotEvent]:
        """The button whose label is (or uniquely contains) ``label``, on the newest keyboard."""
        message = message or await self.keyboard_message()
        assert message.message_id is not None
        text, data = message.find_button(label)
        assert data is not None
        return await self.press(message.message_id, data, what=f"button {text!r}")

    async def press(self, message_id: int, data: str, *, force: bool = False, what: str = "") -> list[BotEvent]:
        _query, seq = await self.sb._press(self.user_id, message_id, data, force)
        return await self._collect(seq, what or f"callback {data!r}", press=True)

    async def send_photo(self, data: bytes, filename: str = "photo.jpg") -> list[BotEvent]:
        seq = await self.sb.upload_photo(self.user_id, data, filename)
        return await self._collect(seq, f"photo {filename}", press=False)

    async def send_file(self, data: bytes, filename: str, mime_type: str) -> list[BotEvent]:
        seq = await self.sb.upload_document(self.user_id, data, filename, mime_type=mime_type)
        return await self._collect(seq, f"file {filename}", press=False)

    async def send_pdf(self) -> list[BotEvent]:
        return await self.send_file(PDF, "推荐材料.pdf", "application/pdf")

    # -------------------------------------------------------------- what the clerk sees

    @property
    def text(self) -> str:
        """Everything the bot said in its last reaction (messages, edits, button answers)."""
        return "\n".join(_plain(self.last))

    @property
    def alert(self) -> str:
        return "\n".join(e.text or "" for e in self.last if e.kind == "callback_answer")

    def expect(self, *fragments: str) -> str:
        text = self.text
        for fragment in fragments:
            assert fragment in text, f"expected {fragment!r} in the bot's reply:\n{text}"
        return text

    @property
    def shown(self) -> BotEvent:
        """The last message or edit of the last reaction (the question or card now on screen);
        after a reaction that was only a button alert, the one before."""
        shown = [e for e in self.last if e.kind in ("message", "edit")]
        if shown:
            return shown[-1]
        assert self.screen is not None, f"no message in the last reaction: {self.last}"
        return self.screen

    async def look(self) -> BotEvent:
        """The clerk looks at the chat again: the newest message with buttons is what is shown."""
        message = await self.keyboard_message()
        self.last = [message]
        self.screen = message
        return message

    @property
    def buttons(self) -> list[str]:
        return self.shown.button_texts

    @property
    def progress(self) -> tuple[int, int]:
        """``第 i/n 步`` of the question on screen."""
        found = STEP.search(self.shown.text or "")
        assert found, f"no step counter in:\n{self.shown.text}"
        return int(found.group(1)), int(found.group(2))

    @property
    def step_key(self) -> str | None:
        """The form step on screen, read from its 取消 button (``nv:<step>:cancel``)."""
        for _label, data in (b for row in self.shown.buttons for b in row):
            if data and data.startswith("nv:") and data.endswith(":cancel"):
                return data[3:].rsplit(":", 1)[0]
        return None

    @property
    def on_summary(self) -> bool:
        return "请核对填报信息" in (self.shown.text or "")

    # -------------------------------------------------------------- filling a form

    async def give(self, value: Any) -> list[BotEvent]:
        """Answers the question on screen with ``value`` (a Tap, SKIP, photo bytes or text)."""
        if isinstance(value, Skip):
            return await self.tap("跳过")
        if isinstance(value, bytes):
            return await self.send_photo(value)
        if isinstance(value, Tap):
            return await self.tap(value.label)
        if value in self.buttons:
            return await self.tap(value)
        return await self.answer(value)

    async def fill(self, answers: Mapping[str, Any], *, until: str | None = None) -> None:
        """Answers question after question from ``answers`` (keyed by step) until the summary card
        (or until the step ``until`` is on screen). Every answer must move the form on."""
        for _ in range(60):
            if self.on_summary:
                return
            key = self.step_key
            assert key is not None, f"no question on screen:\n{self.shown.text}"
            if key == until:
                return
            assert key in answers, f"no answer for step {key!r}:\n{self.shown.text}"
            await self.give(answers[key])
            assert self.on_summary or self.step_key != key, f"the answer to {key!r} was not accepted:\n{self.text}"
        raise AssertionError("the form did not end")
