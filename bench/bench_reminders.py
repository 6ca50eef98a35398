"""How long one reminder round to N clerks takes, sent through the local Bot API server.

    python bench/bench_reminders.py [--clerks 1000] [--per-unit 5] [--rate 29.5]

The campaign is generated: N / per-unit units (奖章 6 places, 4 reserved), each with ``per-unit``
clerks written straight into an SQLite file (invitations are not what is measured), and one
office member. The local Bot API server (``python -m tgserver``) runs in a process of its own
with a private chat for every clerk. The clock is set to the 7-day reminder's moment, and one
scheduler tick (bot.scheduler.Scheduler.tick) is timed: the pending clerks read with what each
unit lacks, the claims in batches of 30, every message rendered in its reader's language and sent
through aiogram with the production session hooks (Retry, the Pacer), the outcomes recorded, the
office's summary. The floor is the messages ÷ 30 a second (5,001 messages: 166.7 s); the pace
itself allows 30 in any 1.02 s (29.4 a second: 170.1 s).
The default round is 1,000 clerks (about 35 s); ``--clerks 5000`` is the full one.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import campaigns, reminders  # noqa: E402
from bot.app import LOCALES  # noqa: E402
from bot.middlewares import make_i18n  # noqa: E402
from bot.scheduler import Rounds, Scheduler  # noqa: E402
from bot.session import Pacer, make_bot  # noqa: E402
from core.loader import parse  # noqa: E402
from storage import open_ports  # noqa: E402
from storage.db import Database, make_engine, upgrade  # noqa: E402
from storage.models import UserRow  # noqa: E402

TOKEN = "777000:BENCH-reminders"
D7 = datetime(2024, 3, 13, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, seven days before the 20th


def campaign_text(units: int) -> str:
    body = "\n".join(
        f'[[units]]\nname = "单位{i:04d}"\nquotas.medal = {{ cap = 6, industrial = 4 }}\n' for i in range(units)
    )
    return f"""
id = "bench"
name = "提醒基准测试"
office = "测试办公室"

[[stages]]
key = "initial"
name = "报送初审材料"
deadline = 2024-03-20

[fields.name]
label = "姓名"
type = "person_name"

[[awards]]
key = "medal"
name = "奖章"
kind = "individual"
total = {6 * units}
categories = ["产业工人", "科教"]
fields = ["name"]

[awards.reserved.industrial]
name = "产业工人"
where = {{ category = ["产业工人"] }}

{body}
"""


# The server's sandbox side over plain HTTP (the bot's code never imports tgserver; nor does this).


async def make_chats(url: str, ids: list[int]) -> None:
    async with aiohttp.ClientSession() as http:

        async def one(tg: int) -> None:
            async with http.post(f"{url}/_sandbox/{TOKEN}/users", json={"id": tg, "first_name": f"u{tg}"}) as resp:
                assert resp.status == 200, await resp.text()

        for start in range(0, len(ids), 50):
            await asyncio.gather(*(one(i) for i in ids[start : start + 50]))


async def count_messages(url: str, ids: list[int]) -> int:
    async with aiohttp.ClientSession() as http:

        async def one(tg: int) -> int:
            async with http.get(f"{url}/_sandbox/{TOKEN}/messages", params={"user_id": str(tg)}) as resp:
                return len((await resp.json(content_type=None))["messages"])

        total = 0
        for start in range(0, len(ids), 50):
            total += sum(await asyncio.gather(*(one(i) for i in ids[start : start + 50])))
        return total


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clerks", type=int, default=1000)
    parser.add_argument("--per-unit", type=int, default=5)
    parser.add_argument("--rate", type=int, default=30, help="messages in any 1.02 s (bot.session.Pacer)")
    args = parser.parse_args()
    units = max(1, args.clerks // args.per_unit)
    clerks = units * args.per_unit

    server = subprocess.Popen(
        [sys.executable, "-m", "tgserver", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
            await upgrade(engine)
            db = Database(engine)
            now = D7
            ports = open_ports(db, Path(tmp) / "files", lambda: now, cache_drafts=False)
            text = campaign_text(units)
            assert (await campaigns.load(ports, parse(text), text=text)).ok
            ids = [100_000 + i for i in range(clerks)]
            rows = [
                {"tg_id": tg, "role": "clerk", "campaign_id": "bench"}
                | {"unit": f"单位{(tg - 100_000) // args.per_unit:04d}"}
                | {"language": "en" if tg % 10 == 0 else "zh", "created_at": now, "updated_at": now}
                for tg in ids
            ]
            rows.append(
                {"tg_id": 99_999, "role": "office", "campaign_id": "bench", "unit": None, "language": "zh"}
                | {"created_at": now, "updated_at": now}
            )
            async with engine.begin() as conn:
                await conn.execute(insert(UserRow), rows)
            await make_chats(url, [*ids, 99_999])

            bot = make_bot(TOKEN, url)
            try:
                rounds = Rounds(ports, bot, make_i18n(str(LOCALES)), Pacer(args.rate))
                started = time.perf_counter()
                await Scheduler(ports, rounds).tick()
                took = time.perf_counter() - started
            finally:
                await bot.session.close()
            sent = await count_messages(url, ids)
            done = await reminders.deliveries(ports, "bench", "initial", "2024-03-20/d7")
            await db.dispose()
    finally:
        server.terminate()
        server.wait()

    messages = clerks + 1  # and the office's summary
    floor = messages / 30
    print("clerks  units  delivered  recorded  pace/1.02s  floor s  took s  over floor")
    print(
        f"{clerks:>6} {units:>6} {sent:>10} {sum(d.outcome == 'sent' for d in done):>9}"
        f" {args.rate:>11} {floor:>8.1f} {took:>7.1f} {100 * (took / floor - 1):>10.1f} %"
    )


if __name__ == "__main__":
    asyncio.run(main())
