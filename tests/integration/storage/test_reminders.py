"""Reminder rounds end to end on SQLite and PostgreSQL, sent through the local Bot API server
(tgserver) by a real aiogram Bot with the production session hooks, under a controlled clock:
the right units get the right reminder at the right local time with the right content; a unit
that finishes in between gets none; two schedulers sharing the database, or a crash between claim
and send, never send one twice; 429s are waited out, 403s reported; the pace stays within
Telegram's limits."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from app import campaigns, joining, submission
from app.ports import Ports
from bot.app import LOCALES
from bot.middlewares import make_i18n
from bot.scheduler import Rounds, Scheduler
from bot.session import Pacer, make_bot
from core.records import UserInfo
from core.refusals import given_up, places_digest
from storage import open_ports
from storage.db import Database, make_engine
from tgserver import SandboxClient, ServerState, serve

from .conftest import Clock

TOKEN = "424242:REMINDERS-test"
ZZ = "zhengzhou-2024"
JINSHUI, CHALCO, AIRPORT = "金水区", "长铝公司", "航空港经济综合试验区"
D7 = datetime(2024, 3, 13, 1, 0, tzinfo=UTC)  # 09:00 on 13 March in Zhengzhou: 7 days before the 20th
D3 = datetime(2024, 3, 17, 1, 0, tzinfo=UTC)


@dataclass
class Attempts(BaseRequestMiddleware):
    """Innermost: when each sendMessage try left for the server, per chat (what the pace governs)."""

    seen: list[tuple[float, int]] = field(default_factory=list)

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage):
            self.seen.append((time.monotonic(), int(method.chat_id)))
        return await make_request(bot, method)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, SandboxClient]]:
    runner, url = await serve("127.0.0.1", 0, ServerState())
    async with SandboxClient(url, TOKEN) as sandbox:
        try:
            yield url, sandbox
        finally:
            await runner.cleanup()


@pytest.fixture
async def bot(server: tuple[str, SandboxClient]) -> AsyncIterator[Bot]:
    b = make_bot(TOKEN, server[0])
    try:
        yield b
    finally:
        await b.session.close()


def rounds_for(ports: Ports, bot: Bot, rate: int = 1000) -> Rounds:
    return Rounds(ports, bot, make_i18n(str(LOCALES)), Pacer(rate, per_chat=1000.0))


async def join(ports: Ports, sandbox: SandboxClient, unit: str | None, tg_id: int, language: str = "zh") -> UserInfo:
    code = await joining.create_invite(ports, ZZ, unit, "clerk" if unit else "office")
    await sandbox.user(tg_id, f"u{tg_id}")
    return await joining.join(ports, code, tg_id, language)


async def texts(sandbox: SandboxClient, tg_id: int) -> list[str]:
    return [m.text or "" for m in await sandbox.messages(tg_id)]


async def test_the_right_units_get_the_right_reminders_at_nine_and_a_finished_unit_none(
    ports: Ports, clock: Clock, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    _url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    await join(ports, sandbox, None, 500)
    await join(ports, sandbox, JINSHUI, 501)
    await join(ports, sandbox, JINSHUI, 502, "en")
    chalco = await join(ports, sandbox, CHALCO, 503)
    scheduler = Scheduler(ports, rounds_for(ports, bot))

    clock.now = D7.replace(hour=0, minute=59)  # 08:59
    await scheduler.tick()
    assert await texts(sandbox, 501) == []

    clock.now = D7
    await scheduler.tick()
    [zh] = await texts(sandbox, 501)
    assert "提醒：报送初审材料截止时间为2024-03-20（剩余 7 天）" in zh
    assert "金水区尚需完成以下事项：" in zh and "郑州市五一劳动奖章：尚有 6 个名额未填报" in zh
    assert "其中一线科教：尚缺 2 名" in zh and "推荐名单尚未提交" in zh
    [en] = await texts(sandbox, 502)
    assert "Reminder: Initial-review material due by 2024-03-20" in en and "7 days left" in en
    [button] = next(iter(await sandbox.messages(501))).button_texts
    assert button == "继续填报"
    assert len(await texts(sandbox, 503)) == 1
    [summary] = await texts(sandbox, 500)
    assert "已提醒 2 个单位的 3 名填报人" in summary

    # the same minute again, and the next: nothing new
    await scheduler.tick()
    clock.now = D7.replace(minute=1)
    await scheduler.tick()
    assert [len(await texts(sandbox, t)) for t in (500, 501, 502, 503)] == [1, 1, 1, 1]

    # Chalco submits before the 3-day reminder: it gets none; Jinshui does
    gaps = await submission.submit(ports, chalco)
    assert await submission.submit(ports, chalco, places_digest(given_up(gaps))) == []
    clock.now = D3
    await scheduler.tick()
    assert [len(await texts(sandbox, t)) for t in (500, 501, 502, 503)] == [2, 2, 2, 1]
    assert "剩余 3 天" in (await texts(sandbox, 501))[-1]
    assert "已提醒 1 个单位的 2 名填报人" in (await texts(sandbox, 500))[-1]


async def second_ports(db_url: str, tmp_path: Path, clock: Clock) -> tuple[Ports, Database]:
    db = Database(make_engine(db_url, pool_size=5, max_overflow=5))
    return open_ports(db, tmp_path / "files2", clock, cache_drafts=False), db


async def test_two_schedulers_sharing_the_database_send_each_reminder_once(
    ports: Ports, clock: Clock, db_url: str, tmp_path: Path, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    _url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    clerks = [await join(ports, sandbox, unit, 600 + i) for i, unit in enumerate([JINSHUI, AIRPORT, CHALCO] * 20)]
    await join(ports, sandbox, None, 599)
    other, other_db = await second_ports(db_url, tmp_path, clock)
    try:
        one = Scheduler(ports, rounds_for(ports, bot))
        two = Scheduler(other, rounds_for(other, bot))
        clock.now = D7
        await asyncio.gather(one.tick(), two.tick(), one.tick(), two.tick())
        counts = [len(await texts(sandbox, c.tg_id)) for c in clerks]
        assert counts == [1] * len(clerks)
        assert len(await texts(sandbox, 599)) == 1  # one summary, whichever scheduler sent it
    finally:
        await other_db.dispose()


class Crashing(Rounds):
    """Dies (the task is cancelled, as by a kill) after claiming, before sending."""

    async def send(self, outgoing: Sequence[tuple[int, str, Any]]) -> dict[int, str]:
        raise asyncio.CancelledError


async def test_a_crash_between_claim_and_send_never_sends_twice_and_is_reported(
    ports: Ports, clock: Clock, db_url: str, tmp_path: Path, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    _url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    clerks = [await join(ports, sandbox, JINSHUI, 700 + i) for i in range(70)]  # three batches
    await join(ports, sandbox, None, 699)
    clock.now = D7
    crashing = Scheduler(ports, Crashing(ports, bot, make_i18n(str(LOCALES)), Pacer(1000, per_chat=1000.0)))
    with pytest.raises(asyncio.CancelledError):
        await crashing.tick()
    # the bot comes back (a new process: new ports) within the same minute, and a minute later
    other, other_db = await second_ports(db_url, tmp_path, clock)
    try:
        restarted = Scheduler(other, rounds_for(other, bot))
        await restarted.tick()
        clock.now = D7.replace(minute=1)
        await restarted.tick()
    finally:
        await other_db.dispose()
    counts = [len(await texts(sandbox, c.tg_id)) for c in clerks]
    # the first two batches were claimed (the second while the first was being sent), never sent:
    # not sent again
    assert counts == [0] * 60 + [1] * 10
    [summary] = await texts(sandbox, 699)
    assert "已提醒 1 个单位的 10 名填报人" in summary
    assert "以下人员未能确认送达（发送时机器人中断，不再重发）" in summary and "id 700" in summary


async def test_a_broadcast_through_flood_waits_and_blocked_clerks_keeps_the_pace(
    ports: Ports, clock: Clock, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    _url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    units = [JINSHUI, AIRPORT, CHALCO, "郑东新区", "中原区"]
    clerks = [await join(ports, sandbox, units[i % 5], 800 + i) for i in range(45)]
    await join(ports, sandbox, None, 799)
    blocked = {805, 817, 833}
    for tg in blocked:
        await sandbox.block(tg)
    attempts = Attempts()
    bot.session.middleware(attempts)  # innermost: every try that reaches the server
    await sandbox.flood_wait("sendMessage", retry_after=1, count=3)
    clock.now = D7
    started = time.monotonic()
    await Scheduler(ports, Rounds(ports, bot, make_i18n(str(LOCALES)))).tick()  # the production pace
    took = time.monotonic() - started

    for c in clerks:
        assert len(await texts(sandbox, c.tg_id)) == (0 if c.tg_id in blocked else 1), c.tg_id
    [summary] = await texts(sandbox, 799)
    assert "已提醒 5 个单位的 42 名填报人" in summary
    assert "以下人员无法送达（已屏蔽本机器人）" in summary
    assert all(f"id {tg}" in summary for tg in blocked)

    moments = sorted(t for t, _chat in attempts.seen)
    assert len(moments) == 45 + 1 + 3  # every clerk and the office, and the three tries refused with 429
    assert max(sum(1 for u in moments if t <= u < t + 1.0) for t in moments) <= 30
    per_chat: dict[int, list[float]] = {}
    for t, chat in attempts.seen:
        per_chat.setdefault(chat, []).append(t)
    assert all(b - a >= 0.99 for ts in per_chat.values() for a, b in itertools.pairwise(ts))
    assert took >= 1.0  # paced: 49 tries need more than one window (and the server answers in milliseconds)


async def test_every_clerk_is_told_once_of_a_date_the_office_sets(
    ports: Ports, clock: Clock, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    from datetime import date
    from datetime import time as clock_time

    from app import reminders

    _url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    office = await join(ports, sandbox, None, 900)
    await join(ports, sandbox, JINSHUI, 901)
    chalco = await join(ports, sandbox, CHALCO, 902, "en")
    gaps = await submission.submit(ports, chalco)  # a unit that is done is told of dates all the same
    assert await submission.submit(ports, chalco, places_digest(given_up(gaps))) == []
    clock.now = datetime(2024, 3, 14, 2, 0, tzinfo=UTC)  # 10:00, between the 7- and 3-day reminders
    scheduler = Scheduler(ports, rounds_for(ports, bot))
    await scheduler.tick()  # the 7-day reminder, caught up
    before = {t: len(await texts(sandbox, t)) for t in (901, 902)}

    await reminders.set_date(ports, office, ZZ, "second_review", date(2024, 5, 20), clock_time(17, 0))
    await scheduler.tick()
    await scheduler.tick()
    zh = (await texts(sandbox, 901))[-1]
    assert "时间通知：报送复审材料截止时间为2024-05-20 17:00" in zh
    assert "Date notice: Second-review material due by 2024-05-20 17:00" in (await texts(sandbox, 902))[-1]
    assert {t: len(await texts(sandbox, t)) for t in (901, 902)} == {t: n + 1 for t, n in before.items()}


KILLED_WORKER = """
import asyncio, os, signal, sys, tempfile
from datetime import UTC, datetime
from pathlib import Path
from bot.app import LOCALES
from bot.middlewares import make_i18n
from bot.scheduler import Rounds, Scheduler
from bot.session import Pacer, make_bot
from storage import open_ports
from storage.db import Database, make_engine

class Killed(Rounds):
    calls = 0

    async def send(self, outgoing):
        Killed.calls += 1
        if Killed.calls == 2:  # the second batch is claimed, the first is being sent: SIGKILL
            os.kill(os.getpid(), signal.SIGKILL)
        return await super().send(outgoing)

async def main(url, api):
    db = Database(make_engine(url, pool_size=3))
    now = datetime(2024, 3, 13, 1, 0, tzinfo=UTC)
    ports = open_ports(db, Path(tempfile.gettempdir()) / "nominee-kill-files", lambda: now, cache_drafts=False)
    bot = make_bot("424242:REMINDERS-test", api)
    await Scheduler(ports, Killed(ports, bot, make_i18n(str(LOCALES)), Pacer(1000, per_chat=1000.0))).tick()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_a_process_killed_between_claim_and_send_never_sends_twice(
    ports: Ports, clock: Clock, db_url: str, tmp_path: Path, server: tuple[str, SandboxClient], bot: Bot
) -> None:
    import os
    import signal
    import sys

    from app import reminders

    url, sandbox = server
    await campaigns.ensure_builtin(ports, ZZ)
    clerks = [await join(ports, sandbox, JINSHUI, 1000 + i) for i in range(70)]  # three batches
    root = Path(__file__).resolve().parents[3]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", KILLED_WORKER, db_url, url, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    assert await asyncio.wait_for(proc.wait(), 60) == -signal.SIGKILL
    claims = await reminders.deliveries(ports, ZZ, "initial", "2024-03-20/d7")
    unconfirmed = {d.tg_id for d in claims if d.outcome is None}
    # the second batch was claimed and never sent; the first one's outcomes may or may not have
    # been recorded before the kill
    assert len(unconfirmed) in (30, 60)

    clock.now = D7
    await Scheduler(ports, rounds_for(ports, bot)).tick()  # the bot comes back
    counts = {c.tg_id: len(await texts(sandbox, c.tg_id)) for c in clerks}
    assert set(counts.values()) <= {0, 1}  # nobody twice
    assert {tg for tg, n in counts.items() if n == 0} <= unconfirmed  # only a claimed one can be missing
    assert all(counts[tg] == 1 for tg in counts if tg not in unconfirmed)
