"""``nominee-bot sandbox``: the whole product on one machine, without Telegram and without a token.

One process, one event loop: the local Bot API server (tgserver), the bot polling it, and the web
chat (webchat/) on the same port. The database is SQLite in the sandbox's own data directory
(``<NOMINEE_DATA_DIR>/sandbox`` by default, never the bot's real one), with the built-in campaigns
and demo people who joined through ordinary invitations (``/start <code>``, as a clerk would).

The built-in entry deadlines are past. The definitions are not changed: the sandbox's clock is
moved to a day on which entry is open (as ``NOMINEE_TODAY`` does), and the page's banner says so
and names the real dates. The Zhangjiakou notice publishes no allocation table; the sandbox loads
a copy of the built-in definition with two demo units, and the banner says that too.

``sandbox.json`` in the data directory marks it as the sandbox's and keeps what a restart needs
(the bot's invented token, the day, the people); a restart keeps the database (nominees, drafts,
memberships). The server keeps chats in memory, so the chat history starts empty after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import secrets
import shutil
import signal
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.settings import Settings
from sandbox import webchat
from tgserver import ServerState, make_app
from tgserver.bots import BotState

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from core.campaign import Campaign

log = logging.getLogger(__name__)

MARKER = "sandbox.json"
BOT_ID = 7_000_000_001
BOT_USERNAME = "nominee_sandbox_bot"
BOT_NAME = "评选填报助手（沙盒）"
ZHENGZHOU = "zhengzhou-2024"
ZHANGJIAKOU = "zhangjiakou-2024"
ZHANGJIAKOU_UNIT = "桥东区总工会"
# The notice's 附件1 is not published: a demo allocation whose sums are the city totals.
ZHANGJIAKOU_DEMO_UNITS = f"""
# ---- added by the sandbox: a demo allocation (the notice's 附件1 is not published)
[[units]]
name = "{ZHANGJIAKOU_UNIT}"
quotas.model = 3
quotas.worker = 2
quotas.collective = 2

[[units]]
name = "张家口市其他推荐单位"
quotas.model = 107
quotas.worker = 38
quotas.collective = 98
"""
OPEN_DAYS_BEFORE = 7  # the sandbox's day: a week before the first entry deadline


@dataclass(frozen=True, slots=True)
class Person:
    """A demo person: a Telegram user of the local server and a member of a campaign (joined with
    an invitation), or — ``joined`` False — holding an unused invitation ``code`` to show joining."""

    id: int
    name: str
    title: str
    role: str  # "clerk" | "office"
    campaign: str
    unit: str | None
    phone: str
    joined: bool = True
    code: str | None = None


PEOPLE = (
    Person(7001, "王静", "金水区 · 填报人", "clerk", ZHENGZHOU, "金水区", "13803710001"),
    Person(7002, "李娜", "航空港经济综合试验区 · 填报人", "clerk", ZHENGZHOU, "航空港经济综合试验区", "13803710002"),
    Person(7003, "赵强", f"张家口 {ZHANGJIAKOU_UNIT} · 填报人", "clerk", ZHANGJIAKOU, ZHANGJIAKOU_UNIT, "13903130003"),
    Person(7004, "陈主任", "郑州市总工会 · 评选办公室", "office", ZHENGZHOU, None, "13803710004"),
    Person(7005, "刘洋", "金水区 · 新填报人（持邀请码）", "clerk", ZHENGZHOU, "金水区", "13803710005", joined=False),
)


class SandboxError(Exception):
    """A refusal of the sandbox command: one line, Chinese first with the English in brackets."""


def zhangjiakou_demo_text() -> str:
    from core.loader import builtin_text

    return builtin_text(ZHANGJIAKOU) + ZHANGJIAKOU_DEMO_UNITS


def demo_campaigns() -> list[Campaign]:
    from core.loader import load_builtin, parse

    return [load_builtin(ZHENGZHOU), parse(zhangjiakou_demo_text(), "zhangjiakou-2024 (sandbox)")]


def open_day(campaigns: list[Campaign]) -> date:
    """The sandbox's "today": a week before the earliest entry deadline, so entry is open."""
    from core.deadlines import entry_deadline

    deadlines = [d for c in campaigns if (d := entry_deadline(c)) is not None]
    return min(day for _stage, day in deadlines) - timedelta(days=OPEN_DAYS_BEFORE)


def banner(campaigns: list[Campaign], today: date, real_today: date) -> list[str]:
    """The page's banner: the moved day and the real dates, Chinese then English."""
    from core.deadlines import entry_deadline

    dates = []
    for campaign in campaigns:
        closing = entry_deadline(campaign)
        if closing is not None:
            stage = next(s for s in campaign.stages if s.key == closing[0])
            dates.append(f"{campaign.name}：{stage.name}截止 {closing[1].isoformat()}")
    return [
        f"演示沙盒：系统日期按 {today.isoformat()} 计算（实际为 {real_today.isoformat()}），以便填报处于开放期；"
        "评选定义中的日期未改动。",
        "真实日期 real dates — " + "；".join(dates) + "。",
        f"张家口通知未公布名额分配表（附件1），“{ZHANGJIAKOU_UNIT}”等单位的名额为演示数据 (demo allocation)。",
        f"Sandbox: today is taken as {today.isoformat()} so that entry is open; nothing is sent to Telegram.",
    ]


class Sandbox:
    """The running sandbox: the server state, the bot's polling task, the demo data on disk."""

    def __init__(self, data_dir: Path, *, host: str, port: int, allow_remote: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        self.host = host
        self.port = port
        self.allow_remote = allow_remote
        self.state = ServerState(bot_username=BOT_USERNAME, bot_first_name=BOT_NAME)
        self.ready = False
        self.status = "正在启动… Starting…"
        self.marker: dict[str, Any] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._bot_task: asyncio.Task[None] | None = None
        self._dp: Dispatcher | None = None
        self._lock = asyncio.Lock()

    # ---------------------------------------------------------------- the page's view
    def info(self) -> dict[str, Any]:
        if not self.ready:
            return {"ready": False, "status": self.status}
        people = [
            {k: v for k, v in asdict(Person(**p)).items() if k != "joined"} | {"language": "zh"}
            for p in self.marker["people"]
        ]
        return {
            "ready": True,
            "token": self.marker["token"],
            "bot": {"first_name": BOT_NAME, "username": BOT_USERNAME},
            "today": self.marker["today"],
            "banner": self.marker["banner"],
            "people": people,
        }

    async def reset(self) -> dict[str, Any]:
        async with self._lock:
            self.ready = False
            self.status = "正在重置… Resetting…"
            await self._stop_bot()
            self._delete_demo()
            self.state.reset_bot(self.marker["token"])
            self.marker = {}
            await self._prepare()
        return self.info()

    # ---------------------------------------------------------------- start and stop
    async def serve(self) -> str:
        """Starts the web server (page, Bot API, sandbox side); returns its address."""
        app = make_app(self.state, index_page=False)
        webchat.add_routes(app, self)
        allowed: set[str] = set()  # filled in below, once the port is known
        if self.host in LOOPBACK:
            app.middlewares.append(webchat.only_hosts(allowed))
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise SandboxError(
                f"无法在 {self.host}:{self.port} 上监听 (cannot listen on {self.host}:{self.port}: {exc.strerror}); "
                "请用 --port 换一个端口 (choose another --port)"
            ) from None
        self._runner = runner
        port = runner.addresses[0][1]
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        self.url = f"http://{shown}:{port}"
        allowed.update(f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]"))
        return self.url

    async def start(self) -> None:
        """The demo data (made on the first start), then the bot."""
        # Importing aiogram, SQLAlchemy and the handlers takes seconds: in a thread, so that the
        # page (already served) keeps answering meanwhile.
        await asyncio.to_thread(_import_the_bot)
        async with self._lock:
            await self._prepare()

    async def close(self) -> None:
        await self._stop_bot()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---------------------------------------------------------------- the demo data
    def _settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            database_url="",  # SQLite in the sandbox's directory, whatever NOMINEE_DATABASE_URL says
            redis_url=None,
            bot_token=self.marker["token"],
            api_server=self.api_url,
            today=date.fromisoformat(self.marker["today"]),
            throttle_rate=0,
        )

    @property
    def api_url(self) -> str:
        port = self._runner.addresses[0][1] if self._runner else self.port
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def _delete_demo(self) -> None:
        for name in ("nominee.db", "nominee.db-wal", "nominee.db-shm", MARKER):
            (self.data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / "files", ignore_errors=True)

    async def _prepare(self) -> None:
        marker_path = self.data_dir / MARKER
        # Without its database (deleted by hand) the marker's people are members of nothing.
        fresh = not marker_path.exists() or not (self.data_dir / "nominee.db").exists()
        if fresh:
            self._delete_demo()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            campaigns = await asyncio.to_thread(demo_campaigns)
            today = open_day(campaigns)
            from core.clock import default_zone

            self.marker = {
                "token": f"{BOT_ID}:sandbox-{secrets.token_urlsafe(18)}",
                "today": today.isoformat(),
                "banner": banner(campaigns, today, datetime.now(default_zone()).date()),
                "people": [],
                "complete": False,
            }
        else:
            self.marker = json.loads(marker_path.read_text(encoding="utf-8"))
        if not self.marker.get("complete"):
            # An interrupted first start: begin again rather than guess what was done.
            self._delete_demo()
            self.marker["people"] = []
        self.status = "正在准备数据库… Preparing the database…"
        settings = self._settings()
        from storage.db import make_engine, upgrade

        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        bot = self.state.bot(self.marker["token"])
        people = [Person(**p) for p in self.marker["people"]] or list(PEOPLE)
        for person in people:
            self.state.ensure_user(person.id, first_name=person.name, language_code="zh")
            bot.open_chat(self.state.users[person.id])
        if not self.marker["people"]:
            people = await self._load_demo(settings)
        self.status = "正在启动机器人… Starting the bot…"
        await self._start_bot(settings)
        if not self.marker.get("complete"):
            await self._join(bot, people)
            self.marker["people"] = [asdict(p) for p in people]
            self.marker["complete"] = True
            marker_path.write_text(json.dumps(self.marker, ensure_ascii=False, indent=1), encoding="utf-8")
        self.ready = True

    async def _load_demo(self, settings: Settings) -> list[Person]:
        """The campaigns loaded and an invitation made for every person."""
        from app import campaigns, joining
        from bot.runner import open_ports
        from core.loader import parse
        from core.records import Role

        people = []
        async with open_ports(settings) as (ports, _db):
            await campaigns.ensure_builtin(ports, ZHENGZHOU)
            text = zhangjiakou_demo_text()
            report = await campaigns.load(ports, parse(text, "zhangjiakou-2024 (sandbox)"), text=text)
            assert report.ok, report.lines()
            for person in PEOPLE:
                role: Role = "office" if person.role == "office" else "clerk"
                code = await joining.create_invite(ports, person.campaign, person.unit, role, 365)
                people.append(Person(**(asdict(person) | {"code": code})))
        return people

    async def _join(self, bot: BotState, people: list[Person]) -> None:
        """Each person who is to be a member sends ``/start <code>``, as from the office's link."""
        for person in people:
            if not person.joined or person.code is None:
                continue
            seq = self.state.seq
            bot.user_message(person.id, text=f"/start {person.code}")
            if not await bot.wait_events(person.id, seq, 30.0):
                raise SandboxError(f"机器人未响应 (the bot did not answer {person.name}'s /start)")
        # A joined person's code is used up: the page shows a code only to who still needs one.
        people[:] = [p if not p.joined else Person(**(asdict(p) | {"code": None})) for p in people]

    # ---------------------------------------------------------------- the bot
    async def _start_bot(self, settings: Settings) -> None:
        started = asyncio.get_running_loop().create_future()
        self._bot_task = asyncio.create_task(self._poll(settings, started))
        await asyncio.wait({started, self._bot_task}, return_when=asyncio.FIRST_COMPLETED)
        if self._bot_task.done():
            self._bot_task.result()  # raises what stopped it
            raise SandboxError("机器人意外停止 (the bot stopped)")

    async def _poll(self, settings: Settings, started: asyncio.Future[None]) -> None:
        from bot.app import make_bot, make_dispatcher, run_polling
        from bot.runner import open_ports, reminders
        from storage.fsm import make_fsm_storage

        assert settings.bot_token is not None
        async with open_ports(settings) as (ports, db):
            fsm = make_fsm_storage(None, db)
            bot = make_bot(settings.bot_token.get_secret_value(), settings.api_server)
            dp = make_dispatcher(ports, storage=fsm, throttle=(0, 1.0))
            self._dp = dp
            dp.startup.register(lambda: started.set_result(None) if not started.done() else None)
            try:
                async with reminders(settings, ports, bot, dp):  # a moved date is announced; reminders come
                    await run_polling(bot, dp, handle_signals=False, close_bot_session=False)
            finally:
                self._dp = None
                await bot.session.close()
                await fsm.close()

    async def _stop_bot(self) -> None:
        task, self._bot_task = self._bot_task, None
        if task is None:
            return
        if self._dp is not None:
            with contextlib.suppress(RuntimeError):  # not polling yet
                await self._dp.stop_polling()
        try:
            await asyncio.wait_for(asyncio.shield(task), 10)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        except Exception:
            log.exception("the sandbox's bot stopped with an error")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _import_the_bot() -> None:
    for module in ("bot.app", "bot.runner", "storage.db", "storage.fsm", "app.campaigns", "app.joining"):
        importlib.import_module(module)


def default_dir(settings: Settings) -> Path:
    return settings.data_dir / "sandbox"


def check_dir(data_dir: Path) -> None:
    """Refuses a directory holding a database the sandbox did not make (the bot's real one)."""
    if (data_dir / "nominee.db").exists() and not (data_dir / MARKER).exists():
        raise SandboxError(
            f"{data_dir} 中已有不是沙盒创建的数据库，沙盒不会改动它；请用 --data-dir 指定另一个目录 "
            f"({data_dir} holds a database the sandbox did not create; choose another --data-dir)"
        )


async def main(data_dir: Path, *, host: str, port: int, reset: bool, allow_remote: bool) -> int:
    """Runs the sandbox until SIGINT/SIGTERM. Prints the address as soon as the page answers."""
    check_dir(data_dir)
    sandbox = Sandbox(data_dir, host=host, port=port, allow_remote=allow_remote)
    if reset:
        sandbox._delete_demo()
    url = await sandbox.serve()
    where = "只在本机可访问 (this machine only)" if host in LOOPBACK else "⚠ 网络上的其他计算机也能访问"
    print(f"沙盒已启动 sandbox running: {url}/  — 请在浏览器中打开 (open it in a browser)", flush=True)
    print(f"监听 listening on {host}:{url.rsplit(':', 1)[1]} · {where} · 数据 data: {sandbox.data_dir}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    starting = asyncio.create_task(sandbox.start())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()
            print("沙盒已就绪 sandbox ready (Ctrl+C 停止 to stop)", flush=True)
            await stop.wait()
        else:
            starting.cancel()
    finally:
        stopping.cancel()
        await sandbox.close()
    print("沙盒已停止 sandbox stopped", file=sys.stderr)
    return 0


__all__ = ["PEOPLE", "Person", "Sandbox", "SandboxError", "banner", "check_dir", "default_dir", "main", "open_day"]
