"""Scale-out, end to end on this machine: nginx (the Debian package, deploy/nginx-nominee-bot.conf)
in front of 3 ``nominee-bot webhook`` processes on the real PostgreSQL and Redis; the local Bot
API server delivers every update to nginx as Telegram would (secret header, retries).

50 clerks of 20 units complete a nominee each, all at once, while one process is killed with
SIGKILL and started again; a delivery copied to two processes at once is handled once; a request
without the right secret is refused and changes nothing. (tests/e2e/scaleout.py builds the stack.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import text

from app import joining, queries
from bench.bench_chat import AWARD, CAMPAIGN, BenchError, Sandbox, Stats, User, answer_for, campaign_toml, nominate
from tests.e2e.scaleout import LEASE, SECRET, ScaleStack, free_port, services_missing

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNITS = [f"基准单位{i:03d}" for i in range(20)]
PLACES = 4  # per unit: 2 reserved for 一线产业工人; the city-wide 企业负责人 pool has 20 (a quarter)
CLERKS = 50
FIRST_CLERK = 300_001
# The k-th clerk of a unit: 一线产业工人, 企业负责人, 一线产业工人 — 20 nominees fill the pool exactly.
CATEGORIES = ("一线产业工人", "企业负责人", "一线产业工人")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ScaleStack]:
    missing = await services_missing()
    if missing:
        pytest.skip(f"scale-out end-to-end test skipped: {missing}")
    st = ScaleStack(tmp_path_factory.mktemp("scale"), 3)
    try:
        try:
            await st.start(campaign_toml(len(UNITS), PLACES))
        except Exception as exc:
            raise AssertionError(f"the stack did not start: {exc}\n{st.logs()}") from exc
        yield st
    finally:
        await st.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(stack: ScaleStack) -> AsyncIterator[Sandbox]:
    assert stack.session is not None
    sb = Sandbox(stack.session, stack.api_url, stack.token)
    await sb.start()
    yield sb
    await sb.stop()


async def saved_by_clerk(stack: ScaleStack) -> dict[int, list[dict[str, Any]]]:
    async with stack.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT created_by, unit, answers FROM nominees WHERE campaign_id = :c AND status = 'saved'"),
            {"c": CAMPAIGN},
        )
        found: dict[int, list[dict[str, Any]]] = {}
        for created_by, unit, answers in rows:
            found.setdefault(int(created_by), []).append({"unit": unit, **answers})
        return found


async def scalar(stack: ScaleStack, sql: str, **params: Any) -> Any:
    async with stack.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def leaders(stack: ScaleStack) -> float:
    """How many running processes say they lead the reminders (their /metrics)."""
    total = 0.0
    for i, proc in enumerate(stack.procs):
        if proc is not None and proc.returncode is None:
            total += (await stack.metrics(i)).get('nominee_leader{job="reminders"}', 0.0)
    return total


async def test_fifty_clerks_complete_their_nominees_while_a_process_is_killed(
    stack: ScaleStack, sandbox: Sandbox
) -> None:
    codes = [await joining.create_invite(stack.office, CAMPAIGN, UNITS[j % 20], "clerk", 14) for j in range(CLERKS)]
    stats = Stats()
    far = time.perf_counter() + 110

    killed_at: list[float] = []
    unanswered: list[tuple[int, float, str]] = []  # (clerk, when sent, what)

    async def clerk(j: int) -> None:
        user = User(sandbox, FIRST_CLERK + j, stats)
        user.patience = 25.0  # > the lease and the retries after it: a reply later than this is lost
        joined = False
        for _attempt in range(3):
            try:
                if not joined:
                    await user.say(f"/start {codes[j]}", "join")
                    assert "欢迎使用" in user.text, user.text
                    joined = True
                assert await nominate(user, CATEGORIES[j // 20], FIRST_CLERK + j, far)
                return
            except BenchError as exc:
                # No reply, or a reply to a step handled twice: like a person, /new again (it offers
                # to continue the draft). Allowed only for what the killed process was handling.
                unanswered.append((j, user.sent_at, str(exc)))
                joined = True
        raise AssertionError(f"clerk {j} could not finish: {unanswered}")

    async def crash() -> None:
        while stats.updates < 200:  # about a third of the way (14 steps a clerk)
            if time.perf_counter() > far:
                raise AssertionError(f"the clerks made {stats.updates} steps only")
            await asyncio.sleep(0.02)
        killed_at.append(time.monotonic())
        await stack.kill(1)  # SIGKILL: the updates it was handling are retried elsewhere
        await asyncio.sleep(1.0)
        await stack.start_process(1)

    started = time.monotonic()
    results = await asyncio.gather(*(clerk(j) for j in range(CLERKS)), crash(), return_exceptions=True)
    problems = [f"clerk {j}: {r!r}" for j, r in enumerate(results) if isinstance(r, BaseException)]
    if problems:
        info = await stack.api("getWebhookInfo")
        chats = [FIRST_CLERK + j for j, r in enumerate(results[:CLERKS]) if isinstance(r, BaseException)]
        seen = {c: (await sandbox_messages(stack, c))[-3:] for c in chats[:3]}
        pytest.fail("\n".join(problems[:10]) + f"\nwebhook: {info}\nlast messages: {seen}\n" + stack.logs())
    assert stack.starts[1] == 2, "process 1 was killed and started again"
    # Every action got its reply, but those the killed process was in the middle of: Telegram's
    # retry reached another process, whose handler found that step half done or done (README).
    # A retried update is handled once its lease runs out: its late reply may also disturb the
    # clerk's next step until then.
    for j, sent, what in unanswered:
        assert sent <= killed_at[0] + LEASE + 3, f"clerk {j}: an action long after the crash went wrong: {what}"
    assert len(unanswered) <= 10, unanswered

    # Every clerk's nominee saved exactly once, with what that clerk typed, in the clerk's unit.
    saved = await saved_by_clerk(stack)
    for j in range(CLERKS):
        mine = saved.get(FIRST_CLERK + j, [])
        assert len(mine) == 1, f"clerk {j} has {len(mine)} saved nominees"
        assert mine[0]["unit"] == UNITS[j % 20]
        assert mine[0]["name"] == answer_for("姓名", FIRST_CLERK + j)[1]
        assert mine[0]["id_number"] == answer_for("身份证号码", FIRST_CLERK + j)[1]
    assert await scalar(stack, "SELECT count(*) FROM drafts") == 0, "a draft was left unsaved"
    # No quota or pool exceeded, and the counters agree with what is saved.
    async with stack.engine.connect() as conn:
        quotas = (
            await conn.execute(text("SELECT unit, cap, used FROM unit_quotas WHERE award = :a"), {"a": AWARD})
        ).all()
        pools = (await conn.execute(text("SELECT key, cap, used FROM limit_counters"))).all()
    per_unit = {u: sum(1 for n in saved.values() for x in n if x["unit"] == u) for u in UNITS}
    for unit, cap, used in quotas:
        assert used == per_unit.get(unit, 0) <= cap == PLACES, (unit, cap, used)
    heads = sum(1 for n in saved.values() for x in n if x.get("category") == "企业负责人")
    assert pools, "the pool's counter exists"
    for _key, cap, used in pools:
        assert used <= cap
    assert heads == 20
    # Exactly one process leads the reminders, the restarted one included (it may take a retry).
    for _ in range(60):
        if await leaders(stack) == 1:
            break
        await asyncio.sleep(0.1)
    assert await leaders(stack) == 1
    handled = [(await stack.metrics(i)).get('nominee_updates_total{type="message"}', 0.0) for i in range(3)]
    # (process 1's counters start again at its restart)
    assert handled[0] > 0 and handled[2] > 0, f"nginx balances over the processes: {handled}"
    print(
        f"\n50 clerks: {stats.updates} updates in {time.monotonic() - started:.1f} s through nginx; "
        f"actions in flight at the crash left without a reply: {len(unanswered)}"
    )


class Tap:
    """Stands between the Bot API server and nginx: passes each delivery on, except while
    ``fanout`` is set — then the same delivery goes to processes 0 and 1 at once, and after both
    answered once more through nginx (a Telegram retry that lands anywhere)."""

    def __init__(self, stack: ScaleStack) -> None:
        self.stack = stack
        self.fanout = False
        self.statuses: list[int] = []
        self.fanned = asyncio.Event()  # set when the copies have all been answered
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return f"http://127.0.0.1:{self.port}/webhook"

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """The answer's status; 0 when the connection failed."""
        assert self.stack.session is not None
        try:
            async with self.stack.session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                return resp.status
        except aiohttp.ClientError:
            return 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", SECRET_HEADER.lower())}
        if not self.fanout:
            return web.Response(status=await self.post(self.stack.webhook_url, body, headers))
        self.fanout = False
        first = await asyncio.gather(*(self.post(self.stack.process_url(i), body, headers) for i in (0, 1)))
        again = await self.post(self.stack.webhook_url, body, headers)
        self.statuses = [*first, again]
        self.fanned.set()
        return web.Response(status=200 if 200 in self.statuses else 503)

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def duplicates(stack: ScaleStack) -> float:
    total = 0.0
    for i in range(stack.count):
        total += (await stack.metrics(i)).get("nominee_updates_duplicate_total", 0.0)
    return total


async def test_a_delivery_copied_to_two_processes_saves_the_nominee_once(stack: ScaleStack, sandbox: Sandbox) -> None:
    tap = Tap(stack)
    url = await tap.start()
    try:
        await stack.api("setWebhook", url=url, secret_token=SECRET)
        clerk_id = FIRST_CLERK + 100
        code = await joining.create_invite(stack.office, CAMPAIGN, UNITS[19], "clerk", 14)
        user = User(sandbox, clerk_id, Stats())
        await user.say(f"/start {code}", "join")
        assert await nominate(user, "一线产业工人", clerk_id, time.perf_counter() + 60, confirm=False)
        before = await duplicates(stack)
        tap.fanout = True
        await user.tap("确认保存", "confirm")
        assert "已保存" in user.text
        await asyncio.wait_for(tap.fanned.wait(), 30)
        # One copy handled it; the other was refused while it ran (503: retry later) or found it done.
        assert sorted(tap.statuses[:2]) in ([200, 200], [200, 503]), tap.statuses
        assert tap.statuses[2] == 200  # the late copy: already handled
        await asyncio.sleep(0.3)  # anything a second handling would have sent has arrived by now
        saved_told = [m for m in await sandbox_messages(stack, clerk_id) if "已保存" in m]
        assert len(saved_told) == 1, saved_told
        assert len((await saved_by_clerk(stack)).get(clerk_id, [])) == 1
        assert await duplicates(stack) - before == 2
    finally:
        await stack.api("setWebhook", url=stack.webhook_url, secret_token=SECRET)
        await tap.close()


async def sandbox_messages(stack: ScaleStack, user_id: int) -> list[str]:
    """The texts of every bot message in the chat, each as last edited."""
    assert stack.session is not None
    url = f"{stack.api_url}/_sandbox/{stack.token}/messages"
    async with stack.session.get(url, params={"user_id": str(user_id), "after": "0"}) as resp:
        body = await resp.json()
    return [m.get("text") or "" for m in body["messages"]]


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
async def test_a_request_without_the_right_secret_is_refused_and_changes_nothing(
    stack: ScaleStack, sandbox: Sandbox, secret: str | None
) -> None:
    assert stack.session is not None
    user_id = FIRST_CLERK + 200 + (secret is None)
    await sandbox.call("POST", "users", json={"user_id": user_id, "first_name": "冒充者", "language_code": "zh-hans"})
    code = await joining.create_invite(stack.office, CAMPAIGN, UNITS[0], "clerk", 14)
    start = f"/start {code}"
    update = {
        "update_id": 900_000_000 + user_id,
        "message": {
            "message_id": 1,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "冒充者"},
            "from": {"id": user_id, "is_bot": False, "first_name": "冒充者", "language_code": "zh-hans"},
            "text": start,
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {} if secret is None else {SECRET_HEADER: secret}
    for url in [stack.webhook_url, *(stack.process_url(i) for i in range(stack.count))]:
        async with stack.session.post(url, json=update, headers=headers) as resp:
            assert resp.status == 401, (url, resp.status, await resp.text())
    await asyncio.sleep(0.3)
    assert await queries.member(stack.office, user_id) is None, "the request joined someone"
    assert await sandbox_messages(stack, user_id) == [], "the bot answered a refused request"
    # The code is still unused: the real clerk can join with it.
    user = User(sandbox, user_id, Stats())
    await user.say(start, "join")
    assert "欢迎使用" in user.text


async def test_health_readiness_and_a_graceful_stop(stack: ScaleStack) -> None:
    assert stack.session is not None
    for path in ("/healthz", "/readyz"):
        async with stack.session.get(stack.process_url(2, path)) as resp:
            assert resp.status == 200, (path, await resp.text())
    async with stack.session.get(stack.process_url(2, "/readyz")) as resp:
        assert await resp.json() == {"ready": True, "database": "ok", "redis": "ok"}
    assert await stack.terminate(2, 30) == 0, stack.log_tail(2)
    assert "stopped in" in stack.log_tail(2)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with stack.session.get(stack.process_url(2, "/healthz")):
            pass
    await stack.start_process(2)
