"""Chat throughput and reply latency: a bare aiogram echo bot vs. clerks entering nominees.

    python bench/bench_chat.py [--seconds 10] [--users 1,10,50] [--rounds 3] [--fill 10000]

One run starts the local Bot API server (``python -m tgserver``) and the bots below, then
measures ``--rounds`` rounds (default 3): for each N the echo rows and the clerk row one after
the other, so that rows compared are measured close together on a machine whose speed drifts
(it does, here, by a third within minutes); the table gives each row's median and every round.

(a) ``bench/echo_bot.py`` — N users each send a text and wait for the echo, again and again; once
    with make_bot's session (as ``nominee-bot run`` has it) and once with aiogram's stock session;
(b) the real ``nominee-bot run`` (a separate process, embedded SQLite in a temporary data
    directory, NOMINEE_THROTTLE_RATE=0) — N clerks each join with an invitation code and enter
    complete nominees through the chat: /new, the award's button, the category's button, every
    question answered by button or by text as the form asks, the photo uploaded, then
    “确认保存” on the summary card. Every user waits for the bot's reaction before the next step.

Each row runs for ``--seconds``; users stop after the step in flight (an unfinished nominee stays a
draft). In these rows nobody pauses, so N users keep the bot saturated and latency is queueing: N
divided by the rate (Little's law), for the echo bot as well. updates/s counts the users' messages,
button presses and uploads over the row's wall time; latency is from sending to the first thing the
bot does in that chat (a message, an edit or a button answer); "p99 done" is until the whole
reaction (for a button: its answer and the edit).

Then the paced row: the last N (50) clerks typing at once, each pausing 0.25-0.75 s between the
bot's reply and their next action (far quicker than a person): the latency a clerk sees while
the others type. Then the same clerks' conversation (no pauses) goes on until the campaign holds
``--fill`` saved nominees (100 units × 100 places; every place ends up taken), all through the
chat, and the bot's resident memory (VmRSS from /proc/PID/status) is read when idle after start-up
and after the fill. The children (server, bots) are stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.idcard import make_id_number  # noqa: E402

ECHO_TOKEN = "7150101:bench-echo-bot"
STOCK_ECHO_TOKEN = "7150103:bench-echo-bot-stock-session"
CLERK_TOKEN = "7150102:bench-nominee-bot"
TODAY = date(2024, 3, 15)
CAMPAIGN = "bench-2024"
AWARD = "medal"
AWARD_NAME = "基准测试奖章"
UNITS, PLACES = 100, 100
THINK = 0.5  # seconds: the mean pause of a clerk in the paced row (uniform 0.25-0.75 s)
STEP = re.compile(r"第 (\d+)/(\d+) 步 · ([^\n]+)")
APOLOGY = ("系统出现异常", "请求未能完成（", "该项填写内容不符合要求（")

CATEGORIES = ["一线产业工人", "一线科教人员", "农民工", "企业负责人", "其他职工"]
DEEDS = (
    "该同志扎根生产一线二十年，带领班组攻克关键工艺难题十余项，累计为企业节约成本三百余万元，"
    "先后培养技术骨干三十余名，所在班组连续五年保持安全生产零事故，多次在全市职工技能竞赛中获奖，"
    "在疫情防控和重点项目建设中冲锋在前，受到职工群众的广泛好评。"
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def campaign_toml(units: int | None = None, places: int | None = None) -> str:
    """``units`` (UNITS, 100) units × ``places`` (PLACES, 100) places of one award (half reserved for
    一线产业工人), a city-wide pool for 企业负责人 (a quarter of all places), and the questions of a
    medal: text, ID number, buttons, yes/no, phone, deeds, photo."""
    count = UNITS if units is None else units
    per_unit = PLACES if places is None else places
    unit_rows = "\n".join(
        f'[[units]]\nname = "基准单位{i:03d}"\nquotas.{AWARD} = {{ cap = {per_unit}, industrial = {per_unit // 2} }}\n'
        for i in range(count)
    )
    return f"""
id = "{CAMPAIGN}"
name = "基准测试评选"
name_en = "Benchmark campaign"
office = "基准测试办公室"
timezone = "Asia/Shanghai"

[[awards]]
key = "{AWARD}"
name = "{AWARD_NAME}"
name_en = "Benchmark medal"
kind = "individual"
total = {count * per_unit}
categories = {CATEGORIES!r}
fields = ["name", "id_number", "ethnicity", "political", "employer", "union_ok", "phone", "deeds", "photo"]

[awards.reserved.industrial]
name = "一线产业工人"
where = {{ category = ["一线产业工人"] }}

[[pools]]
key = "enterprise_head"
name = "企业负责人"
award = "{AWARD}"
cap = {count * per_unit // 4}
where = {{ category = ["企业负责人"] }}

[fields.name]
label = "姓名"
type = "person_name"

[fields.id_number]
label = "身份证号码"
type = "id_number"

[fields.ethnicity]
label = "民族"
type = "choice"
common = 4
choices = ["汉族", "回族", "满族", "蒙古族", "壮族", "维吾尔族", "藏族", "苗族"]

[fields.political]
label = "政治面貌"
type = "choice"
choices = ["中共党员", "共青团员", "无党派人士", "群众"]

[fields.employer]
label = "工作单位及职务"
type = "text"
min_length = 4
max_length = 100

[fields.union_ok]
label = "所在单位是否已组建工会"
type = "yesno"

[fields.phone]
label = "联系电话"
type = "phone"

[fields.deeds]
label = "简要事迹"
type = "longtext"
min_length = 100
max_length = 2200

[fields.photo]
label = "照片"
type = "photo"
max_width = 850
max_height = 1276

{unit_rows}"""


def photo_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 420), "darkred").save(buf, format="JPEG")
    return buf.getvalue()


PHOTO = photo_bytes()


def category_for(k: int) -> str:
    """The category of a unit's k-th nominee: every other one 一线产业工人 (the 50 reserved places),
    every fourth 企业负责人 (the pool: 25 per unit), the rest rotating — the list stays completable."""
    if k % 2 == 0:
        return CATEGORIES[0]
    if k % 4 == 3:
        return CATEGORIES[3]
    return (CATEGORIES[1], CATEGORIES[2], CATEGORIES[4])[(k // 4) % 3]


def answer_for(label: str, n: int) -> tuple[str, Any]:
    """How a clerk answers the question labelled ``label`` for the n-th nominee of the run:
    ("text", str) typed, ("tap", label) a button, ("photo", bytes) an upload."""
    match label:
        case "姓名":
            g = len(GIVEN)
            return "text", SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 20) % g] + GIVEN[(n // (20 * g)) % g]
        case "身份证号码":
            born = date(1975, 1, 1) + timedelta(days=n // 1000)
            return "text", make_id_number("410105", born, (n // 2) % 500, female=n % 2 == 0)
        case "民族":
            return "tap", "汉族"
        case "政治面貌":
            return "tap", ("中共党员", "群众")[n % 2]
        case "工作单位及职务":
            return "text", "郑州某电子科技有限公司 装配车间班长"
        case "所在单位是否已组建工会":
            return "tap", "是"
        case "联系电话":
            return "text", f"138037{n % 100000:05d}"
        case "简要事迹":
            return "text", DEEDS
        case "照片":
            return "photo", PHOTO
    raise LookupError(f"no answer for the question {label!r}")


# ------------------------------------------------------------------------------ processes


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one by default)."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Children:
    """Child processes, stopped (SIGTERM, then SIGKILL) in reverse order of starting."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(self, name: str, *args: str, env: dict[str, str], stdout: Any = None) -> asyncio.subprocess.Process:
        log = (self.workdir / f"{name}.log").open("ab")
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout if stdout is not None else log,
            stderr=log,
        )
        self.procs.append(proc)
        return proc

    async def stop(self, proc: asyncio.subprocess.Process, grace: float = 10.0) -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    async def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            await self.stop(proc)

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


async def run_cli(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    if proc.returncode != 0:
        raise RuntimeError(f"nominee-bot {' '.join(args)} failed ({proc.returncode}):\n{err.decode()}")
    return out.decode()


# ------------------------------------------------------------------------------ the sandbox side


class BenchError(RuntimeError):
    pass


class NoReaction(BenchError):
    """The bot did not react to a user's action in time."""


class Sandbox:
    """The users' side of the local Bot API server for one bot. One long poll receives the bot's
    events of every chat and hands them to the chat's inbox (far cheaper, for the server, than a
    long poll per user)."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session = session
        self.prefix = f"{url}/_sandbox/{token}/"
        self.inboxes: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self._pump: asyncio.Task[None] | None = None

    async def call(self, method: str, action: str, **kwargs: Any) -> dict[str, Any]:
        async with self.session.request(method, self.prefix + action, **kwargs) as resp:
            body: dict[str, Any] = await resp.json(content_type=None)
        if not body.get("ok"):
            raise BenchError(f"sandbox {action}: {body.get('description', body)}")
        return body

    async def state(self) -> dict[str, Any]:
        return await self.call("GET", "state")

    def inbox(self, chat_id: int) -> asyncio.Queue[dict[str, Any]]:
        queue = self.inboxes.get(chat_id)
        if queue is None:
            queue = self.inboxes[chat_id] = asyncio.Queue()
        return queue

    async def start(self) -> None:
        seq = int((await self.state())["seq"])
        self._pump = asyncio.create_task(self._run(seq))

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pump
            self._pump = None

    async def _run(self, seq: int) -> None:
        while True:
            body = await self.call("GET", "wait", params={"after_seq": str(seq), "timeout": "20"})
            now = time.perf_counter()
            for event in body["events"]:
                event["_at"] = now
                self.inbox(event["chat_id"]).put_nowait(event)
                seq = max(seq, event["seq"])

    async def wait_polling(self, before: int, proc: asyncio.subprocess.Process, timeout: float = 60.0) -> None:
        """Until the bot has called getUpdates after ``before``: it is up and listening."""
        deadline = time.monotonic() + timeout
        while (await self.state())["counts"]["get_updates_calls"] <= before:
            if proc.returncode is not None:
                raise BenchError(f"the bot exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise BenchError("the bot did not start polling")
            await asyncio.sleep(0.05)


@dataclass
class Stats:
    updates: int = 0
    first: list[float] = field(default_factory=list)  # to the bot's first event
    done: list[float] = field(default_factory=list)  # to the end of the bot's reaction
    saved: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)


class User:
    """One person in one private chat: does something, then waits for the bot's reaction."""

    def __init__(self, sandbox: Sandbox, user_id: int, stats: Stats, think: random.Random | None = None) -> None:
        self.sb = sandbox
        self.id = user_id
        self.stats = stats
        self.think = think  # None: the next action at once; else a pause of about THINK seconds first
        self.inbox = sandbox.inbox(user_id)
        self.text = ""  # of the bot's last message or edit
        self.keyboard: tuple[int, list[tuple[str, str]]] | None = None  # newest inline keyboard
        self.patience = 30.0  # seconds to wait for the bot's reaction before giving up (BenchError)
        self.sent_at = 0.0  # time.monotonic() when the last action was sent

    async def _act(self, kind: str, send: Callable[[], Awaitable[int]], press: bool) -> list[dict[str, Any]]:
        if self.think is not None:  # reading the reply and typing the next answer
            await asyncio.sleep(self.think.uniform(0.5 * THINK, 1.5 * THINK))
        started = time.perf_counter()
        self.sent_at = time.monotonic()
        seq = await send()
        events: list[dict[str, Any]] = []
        answered = shown = alert = False
        while not (alert or (shown and (answered or not press))):
            try:
                event = await asyncio.wait_for(self.inbox.get(), self.patience)
            except TimeoutError:
                raise NoReaction(
                    f"chat {self.id}: no reaction to {kind} within {self.patience:.0f} s; last text: {self.text}"
                ) from None
            if event["seq"] <= seq:
                continue  # a late part of an earlier reaction
            events.append(event)
            if event["kind"] == "callback_answer":
                answered = True
                alert = bool(event.get("show_alert"))
            elif event["kind"] in ("message", "edit"):
                shown = True
                self.text = event.get("text") or ""
                rows = (event.get("reply_markup") or {}).get("inline_keyboard")
                if rows:
                    buttons = [(b.get("text", ""), b.get("callback_data") or "") for row in rows for b in row]
                    self.keyboard = (event["message_id"], buttons)
        end = time.perf_counter()
        self.stats.updates += 1
        self.stats.first.append(events[0]["_at"] - started)
        self.stats.done.append(end - started)
        self.stats.by_kind.setdefault(kind, []).append(end - started)
        for event in events:
            text = event.get("text") or ""
            if alert or any(bad in text for bad in APOLOGY):
                raise BenchError(f"chat {self.id}: after {kind} the bot said {text!r}")
        return events

    async def say(self, text: str, kind: str = "text") -> None:
        async def send() -> int:
            body = await self.sb.call("POST", "send_text", json={"user_id": self.id, "text": text})
            return int(body["seq"])

        await self._act(kind, send, press=False)

    async def tap(self, label: str, kind: str = "tap") -> None:
        if self.keyboard is None:
            raise BenchError(f"chat {self.id}: no keyboard to tap {label!r}; last text: {self.text}")
        message_id, buttons = self.keyboard
        found = [data for text, data in buttons if label in text]
        if not found:
            raise BenchError(f"chat {self.id}: no button {label!r} in {[t for t, _ in buttons]}; text: {self.text}")

        async def send() -> int:
            payload = {"user_id": self.id, "message_id": message_id, "data": found[0]}
            body = await self.sb.call("POST", "press", json=payload)
            return int(body["seq"])

        await self._act(kind, send, press=True)

    async def upload(self, data: bytes, kind: str = "photo") -> None:
        async def send() -> int:
            form = aiohttp.FormData()
            form.add_field("user_id", str(self.id))
            form.add_field("kind", "photo")
            form.add_field("file", data, filename="photo.jpg", content_type="image/jpeg")
            body = await self.sb.call("POST", "upload", data=form)
            return int(body["seq"])

        await self._act(kind, send, press=False)


# ------------------------------------------------------------------------------ workloads


async def echo_user(sb: Sandbox, user_id: int, stats: Stats, stop: float) -> None:
    user = User(sb, user_id, stats)
    n = 0
    while time.perf_counter() < stop:
        n += 1
        text = f"echo {user_id} #{n}"
        await user.say(text)
        if user.text != text:
            raise BenchError(f"echo: sent {text!r}, got {user.text!r}")


class Units:
    """The campaign's units handed to clerks one at a time, with the places still to fill: a unit
    is worked by one clerk at a time, so no two clerks race for a unit's last place."""

    def __init__(self, saved: dict[str, int], target: int) -> None:
        self.left = {f"基准单位{i:03d}": PLACES - saved.get(f"基准单位{i:03d}", 0) for i in range(UNITS)}
        self.busy: set[str] = set()
        self.to_save = target - sum(saved.values())

    def take(self) -> str | None:
        for name, left in self.left.items():
            if left > 0 and name not in self.busy:
                self.busy.add(name)
                return name
        return None

    def give_back(self, name: str) -> None:
        self.busy.discard(name)


class Office:
    """Invitation codes, made in-process on the bot's SQLite file (as `nominee-bot invite create`)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.ports: Any = None
        self.db: Any = None
        self.ready: dict[str, list[str]] = {}

    async def open(self) -> None:
        from storage import open_ports
        from storage.db import Database, make_engine

        shift = TODAY - datetime.now(ZoneInfo("Asia/Shanghai")).date()
        self.db = Database(make_engine(f"sqlite+aiosqlite:///{self.db_path}"))
        clock = lambda: datetime.now(UTC) + shift  # noqa: E731
        self.ports = open_ports(self.db, self.db_path.parent / "files", clock, cache_drafts=False)

    async def _create(self, unit: str) -> str:
        from app.joining import create_invite

        code: str = await create_invite(self.ports, CAMPAIGN, unit, "clerk", 14)
        return code

    async def invite(self, unit: str) -> str:
        """A code made earlier by :meth:`prepare` (the office's writes stay out of the measured
        rows), or a new one."""
        ready = self.ready.get(unit)
        if ready:
            return ready.pop()
        return await self._create(unit)

    async def prepare(self, per_unit: int) -> None:
        for i in range(UNITS):
            unit = f"基准单位{i:03d}"
            codes = self.ready.setdefault(unit, [])
            while len(codes) < per_unit:
                codes.append(await self._create(unit))

    async def close(self) -> None:
        if self.db is not None:
            await self.db.dispose()

    def saved_per_unit(self) -> dict[str, int]:
        with contextlib.closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as conn:
            rows = conn.execute(
                "SELECT unit, count(*) FROM nominees WHERE campaign_id = ? AND status = 'saved' GROUP BY unit",
                (CAMPAIGN,),
            ).fetchall()
        return {unit: count for unit, count in rows}


class Clerks:
    """Clerks entering nominees until a deadline (or until ``units`` has nothing left to fill). A
    clerk works one unit; when a row ends, clerks whose unit still has places wait for the next
    row (and continue an unfinished nominee where they stopped, like a person coming back)."""

    def __init__(self, sb: Sandbox, office: Office, units: Units) -> None:
        self.sb = sb
        self.office = office
        self.units = units
        self.next_user = 200_000
        self.next_person = 0
        self.think: random.Random | None = None  # pauses between actions (the paced row)
        self.idle: list[tuple[User, str]] = []  # joined clerks between rows, with their unit

    def _next(self) -> tuple[User | None, str] | None:
        """A waiting clerk whose unit still has places, else a unit for a new clerk."""
        while self.idle:
            user, unit = self.idle.pop()
            if self.units.left.get(unit, 0) > 0 and unit not in self.units.busy:
                self.units.busy.add(unit)
                return user, unit
        free = self.units.take()
        return None if free is None else (None, free)

    async def _join(self, unit: str, stats: Stats) -> User:
        self.next_user += 1
        user = User(self.sb, self.next_user, stats, self.think)
        await user.say(f"/start {await self.office.invite(unit)}", "join")
        if "欢迎使用" not in user.text:
            raise BenchError(f"join refused: {user.text}")
        return user

    async def join_ahead(self, n: int) -> None:
        """Clerks joined before a row starts (not measured), so that the row is only typing."""
        taken: list[str] = []  # held until all have joined, so that each clerk gets a unit of their own
        try:
            while len(self.idle) < n:
                unit = self.units.take()
                if unit is None:
                    return
                taken.append(unit)
                self.idle.append((await self._join(unit, Stats()), unit))
        finally:
            for unit in taken:
                self.units.give_back(unit)

    async def clerk(self, stats: Stats, stop: float) -> None:
        while time.perf_counter() < stop and self.units.to_save > 0:
            found = self._next()
            if found is None:
                return
            user, unit = found
            try:
                if user is None:
                    user = await self._join(unit, stats)
                user.stats, user.think = stats, self.think
                await self._work_unit(user, unit, stats, stop)
            finally:
                self.units.give_back(unit)
                if user is not None and self.units.left.get(unit, 0) > 0:
                    self.idle.append((user, unit))

    async def _work_unit(self, user: User, unit: str, stats: Stats, stop: float) -> None:
        """Nominees for ``unit`` until it is full or time is up."""
        units = self.units
        while units.left[unit] > 0 and units.to_save > 0 and time.perf_counter() < stop:
            k = PLACES - units.left[unit]  # the unit's k-th nominee; its place is reserved here
            units.left[unit] -= 1
            units.to_save -= 1
            self.next_person += 1
            if await self._nominate(user, category_for(k), self.next_person, stop):
                stats.saved += 1
            else:
                units.left[unit] += 1
                units.to_save += 1

    async def _nominate(self, user: User, category: str, n: int, stop: float) -> bool:
        return await nominate(user, category, n, stop)


async def nominate(user: User, category: str, n: int, stop: float, *, confirm: bool = True) -> bool:
    """One complete nominee, doing what the bot's last message asks; False when time ran out
    on the way (the draft stays, and /new offers to continue it next time). Without ``confirm``
    it stops at the summary card, its “确认保存” button on screen."""
    await user.say("/new", "new")
    while time.perf_counter() < stop:
        buttons = [t for t, _ in user.keyboard[1]] if user.keyboard is not None else []
        if any("确认保存" in t for t in buttons):
            if not confirm:
                return True
            await user.tap("确认保存", "confirm")
            if "已保存" not in user.text:
                raise BenchError(f"not saved: {user.text}")
            return True
        if "未完成的草稿" in user.text and "继续填写" in buttons:
            await user.tap("继续填写", "resume")
            continue
        match = STEP.search(user.text)
        if match is None:
            if any(AWARD_NAME in t for t in buttons):
                await user.tap(AWARD_NAME, "award")
                continue
            raise BenchError(f"chat {user.id}: expected a question, got {user.text!r}")
        label = match.group(3).strip()
        if label == "人员类别":
            await user.tap(category, "category")
            continue
        how, value = answer_for(label, n)
        if how == "text":
            await user.say(value, "text")
        elif how == "tap":
            await user.tap(value, "button")
        else:
            await user.upload(value, "photo")
    return False


RowMaker = Callable[[int], Awaitable["Row"]]


@dataclass
class Row:
    workload: str
    users: int
    stats: Stats
    seconds: float

    @property
    def rate(self) -> float:
        return self.stats.updates / self.seconds

    def pct(self, values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0] * 1000
        return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1] * 1000


async def measure(
    workload: str,
    users: int,
    run: Callable[[Stats, float], Awaitable[None]],
    seconds: float,
    pids: dict[str, int | None],
) -> Row:
    stats = Stats()
    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(*(run(stats, stop) for _ in range(users)))
    row = Row(workload, users, stats, time.perf_counter() - started)
    used = ", ".join(
        f"{name} {(cpu_seconds(pid) - cpu[name]) / max(stats.updates, 1) * 1000:.2f}" for name, pid in pids.items()
    )
    print(
        f"  {workload} N={users}: {stats.updates} updates in {row.seconds:.1f} s = {row.rate:.0f}/s, "
        f"p50 {row.pct(stats.first, 0.5):.1f} ms, p99 {row.pct(stats.first, 0.99):.1f} ms"
        + ("" if workload.startswith("echo") else f", {stats.saved} nominees saved")
        + f"; CPU ms per update: {used}",
        file=sys.stderr,
        flush=True,
    )
    if len(stats.by_kind) > 1:
        kinds = sorted(stats.by_kind.items(), key=lambda kv: -statistics.median(kv[1]))
        median = ", ".join(f"{k} {statistics.median(v) * 1000:.1f}/{row.pct(v, 0.99):.0f} ({len(v)})" for k, v in kinds)
        print(f"    ms to the whole reaction by step, median/p99 (count): {median}", file=sys.stderr, flush=True)
    return row


def table(rows: list[Row], rss: list[tuple[str, int]]) -> str:
    """One line per workload and N: updates/s is the median of its rounds (all of them in
    brackets), latencies over every round's requests together."""
    groups: dict[tuple[str, int], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.workload, r.users), []).append(r)
    lines = [
        f"{'workload':<22}{'N':>4}{'updates/s':>11}{'  (rounds)':<22}{'p50 ms':>8}{'p99 ms':>8}{'p99 done':>10}"
        f"{'saved':>7}",
    ]
    median: dict[tuple[str, int], float] = {}
    for (workload, users), group in groups.items():
        merged = Stats(
            updates=sum(r.stats.updates for r in group),
            first=[v for r in group for v in r.stats.first],
            done=[v for r in group for v in r.stats.done],
            saved=sum(r.stats.saved for r in group),
        )
        one = Row(workload, users, merged, sum(r.seconds for r in group))
        rates = [r.rate for r in group]
        median[workload, users] = statistics.median(rates)
        spread = "  (" + " ".join(f"{x:.0f}" for x in rates) + ")" if len(rates) > 1 else ""
        saved = "" if workload.startswith("echo") else str(merged.saved)
        lines.append(
            f"{workload:<22}{users:>4}{median[workload, users]:>11.0f}{spread:<22}"
            f"{one.pct(merged.first, 0.5):>8.1f}{one.pct(merged.first, 0.99):>8.1f}{one.pct(merged.done, 0.99):>10.1f}"
            f"{saved:>7}"
        )
    for name in ("echo", "echo, stock session"):
        ratios = []
        for (workload, users), rate in median.items():
            echo = median.get((name, users))
            if workload == "clerk" and echo:
                per_round = [
                    c.rate / e.rate for c, e in zip(groups["clerk", users], groups[name, users], strict=False) if e.rate
                ]
                rounds = " (" + " ".join(f"{x:.2f}" for x in per_round) + ")" if len(per_round) > 1 else ""
                ratios.append(f"N={users}: {rate / echo:.2f}{rounds}")
        if ratios:
            lines.append(f"clerk / {name}, median updates/s (each round): " + ", ".join(ratios))
    for what, kib in rss:
        lines.append(f"nominee-bot RSS {what}: {kib / 1024:.1f} MiB")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the run


@dataclass
class Run:
    args: argparse.Namespace
    tmp: Path
    children: Children
    session: aiohttp.ClientSession
    env: dict[str, str]
    url: str = ""
    pids: dict[str, int | None] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    rss: list[tuple[str, int]] = field(default_factory=list)
    office: Office | None = None
    sandboxes: list[Sandbox] = field(default_factory=list)
    bot: asyncio.subprocess.Process | None = None
    clerk_sandbox: Sandbox | None = None

    @property
    def counts(self) -> list[int]:
        return [int(n) for n in self.args.users.split(",")]

    async def start_server(self) -> None:
        server = await self.children.start(
            "apiserver",
            sys.executable,
            "-m",
            "tgserver",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
        )
        assert server.stdout is not None
        self.url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        if not self.url.startswith("http"):
            raise BenchError(f"the API server did not start:\n{self.children.log_tail('apiserver')}")
        self.pids = {"server": server.pid, "bench": None}
        print(f"API server {self.url}; work directory {self.tmp}", file=sys.stderr)

    async def start_echo(self, *, stock: bool = False) -> RowMaker:
        """(a) the bare echo bot, started and polling: with make_bot's session, or (``stock``)
        aiogram's own. Returns what measures one of its rows."""
        token = STOCK_ECHO_TOKEN if stock else ECHO_TOKEN
        sb = Sandbox(self.session, self.url, token)
        self.sandboxes.append(sb)
        before = (await sb.state())["counts"]["get_updates_calls"]
        env = self.env | {"NOMINEE_BOT_TOKEN": token, "NOMINEE_API_SERVER": self.url}
        args = [str(ROOT / "bench" / "echo_bot.py")] + (["--stock-session"] if stock else [])
        name = "echo-stock" if stock else "echo"
        echo = await self.children.start(name, sys.executable, *args, env=env)
        await sb.wait_polling(before, echo)
        await sb.start()
        ids = iter(range(1, 10**6))

        async def one_echo(stats: Stats, stop: float) -> None:
            await echo_user(sb, next(ids), stats, stop)

        label = "echo, stock session" if stock else "echo"

        async def row(n: int) -> Row:
            return await measure(label, n, one_echo, self.args.seconds, self.pids | {"bot": echo.pid})

        return row

    async def start_clerks(self) -> tuple[RowMaker, Clerks, dict[str, int | None]]:
        """(b) nominee-bot run on embedded SQLite, started and polling, its campaign loaded."""
        data = self.tmp / "data"
        env = self.env | {
            "NOMINEE_BOT_TOKEN": CLERK_TOKEN,
            "NOMINEE_API_SERVER": self.url,
            "NOMINEE_DATA_DIR": str(data),
            "NOMINEE_TODAY": TODAY.isoformat(),
            "NOMINEE_THROTTLE_RATE": "0",
            "NOMINEE_BOT_USERNAME": "bench_bot",
        }
        definition = self.tmp / "bench-campaign.toml"
        definition.write_text(campaign_toml(), encoding="utf-8")
        await run_cli(env, "db", "upgrade")
        await run_cli(env, "campaign", "load", str(definition))
        self.office = office = Office(data / "nominee.db")
        await office.open()

        sb = self.clerk_sandbox = Sandbox(self.session, self.url, CLERK_TOKEN)
        self.sandboxes.append(sb)
        before = (await sb.state())["counts"]["get_updates_calls"]
        self.bot = bot = await self.children.start("nominee-bot", sys.executable, "-m", "bot.cli", "run", env=env)
        pids = self.pids | {"bot": bot.pid}
        await sb.wait_polling(before, bot)
        print(f"nominee-bot pid {bot.pid}", file=sys.stderr, flush=True)
        await asyncio.sleep(2.0)  # idle: start-up done, long polling
        self.rss.append(("idle after start-up", rss_kib(bot.pid)))
        await sb.start()
        clerks = Clerks(sb, office, Units({}, UNITS * PLACES))

        async def row(n: int) -> Row:
            await office.prepare(3)
            return await measure("clerk", n, clerks.clerk, self.args.seconds, pids)

        return row, clerks, pids

    async def rounds(self) -> None:
        """Every workload started first (an idle bot only long-polls), then ``--rounds`` rounds:
        for each N the echo row(s) and the clerk row one after the other — on a shared machine
        whose speed drifts, the rows compared are measured minutes apart at most."""
        makers: list[RowMaker] = []
        clerks: Clerks | None = None
        pids: dict[str, int | None] = {}
        if self.args.only != "echo":
            clerk_row, clerks, pids = await self.start_clerks()
        if self.args.only not in ("clerk", "paced"):
            makers.append(await self.start_echo())
            if self.args.stock_echo:
                makers.append(await self.start_echo(stock=True))
        if self.args.only != "echo":
            makers.append(clerk_row)
        for i in range(self.args.rounds if self.args.only != "paced" else 0):
            print(f"round {i + 1}/{self.args.rounds}", file=sys.stderr, flush=True)
            for n in self.counts:
                for make in makers:
                    self.rows.append(await make(n))
        if clerks is not None:
            await self.paced_and_fill(clerks, pids)

    async def paced_and_fill(self, clerks: Clerks, pids: dict[str, int | None]) -> None:
        office, bot, sb = self.office, self.bot, self.clerk_sandbox
        assert office is not None and bot is not None and sb is not None
        if self.args.paced:
            await office.prepare(3)
            await clerks.join_ahead(self.counts[-1])
            clerks.think = random.Random(2024)
            label = f"clerk, {THINK:g} s pauses"
            self.rows.append(await measure(label, self.counts[-1], clerks.clerk, max(self.args.seconds, 20.0), pids))
            clerks.think = None

        if self.args.fill:
            saved = office.saved_per_unit()
            clerks.units = Units(saved, self.args.fill)
            await office.prepare(3)
            print(f"  filling: {sum(saved.values())} saved, {clerks.units.to_save} to go", file=sys.stderr, flush=True)
            self.rows.append(await measure("clerk (fill)", self.counts[-1], clerks.clerk, 24 * 3600.0, pids))
            total = sum(office.saved_per_unit().values())
            if total < self.args.fill:
                raise BenchError(f"{total} nominees saved, expected {self.args.fill}")
            await asyncio.sleep(2.0)
            self.rss.append((f"idle after {total:,} saved nominees", rss_kib(bot.pid)))
        await sb.stop()
        await self.children.stop(bot)
        if bot.returncode != 0:
            raise BenchError(f"nominee-bot exited with {bot.returncode}:\n{self.children.log_tail('nominee-bot')}")
        log = (self.tmp / "nominee-bot.log").read_text(errors="replace").splitlines()
        errors = [line for line in log if " ERROR " in line or "Traceback" in line]
        if errors:
            raise BenchError("errors in the bot's log:\n" + "\n".join(errors[:10]))


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="nominee-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None))
    run = Run(args, tmp, Children(tmp), session, env)
    try:
        await run.start_server()
        await run.rounds()
    except BaseException:
        for name in ("nominee-bot", "echo", "echo-stock", "apiserver"):
            tail = run.children.log_tail(name, 15)
            if tail:
                print(f"--- {name} log (last lines) ---\n{tail}", file=sys.stderr)
        raise
    finally:
        for sb in run.sandboxes:
            await sb.stop()
        if run.office is not None:
            await run.office.close()
        await session.close()
        await run.children.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(table(run.rows, run.rss))
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="run time of each row (default 10)")
    parser.add_argument("--users", default="1,10,50", help="concurrent users per row (default 1,10,50)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of echo and clerk rows, interleaved (default 3; the median counts)",
    )
    parser.add_argument(
        "--fill", type=int, default=UNITS * PLACES, help="saved nominees to reach through the chat (0: skip)"
    )
    parser.add_argument(
        "--only", choices=["echo", "clerk", "paced"], help="run one workload only (paced: only the paced clerks' row)"
    )
    parser.add_argument(
        "--no-stock-echo",
        dest="stock_echo",
        action="store_false",
        help="skip the echo bot with aiogram's stock session (the reference the issue quotes, ~1,000/s)",
    )
    parser.add_argument(
        "--no-paced", dest="paced", action="store_false", help=f"skip the row of clerks pausing ~{THINK:g} s per step"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
