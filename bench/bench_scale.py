"""Scale-out: the same clerk workload on three deployments, in one run.

    python bench/bench_scale.py [--seconds 15] [--clerks 50]

(1) 1 ``nominee-bot webhook`` process behind nginx, PostgreSQL + Redis;
(2) 3 such processes behind nginx (deploy/nginx-nominee-bot.conf), PostgreSQL + Redis;
(3) the embedded default: ``nominee-bot run`` (long polling) on SQLite, no Redis.

The local Bot API server delivers the updates (to nginx by webhook in (1) and (2), by getUpdates
in (3)). ``--clerks`` clerks of 20 units (each joined before the row starts) enter complete
nominees through the chat, as bench/bench_chat.py's clerks do — /new, the award, the category,
every question, the photo, “确认保存” — each waiting for the bot's reaction before the next step,
with no pause, for ``--seconds``. updates/s counts the clerks' actions over the row's time; the
latencies run from sending an action to the end of the bot's reaction (p50, p99).

Needs nginx (the Debian package), PostgreSQL and Redis (tests/e2e/scaleout.py says which are
missing). The machine's cores are shared by every process here (nginx, the API server, the bots,
PostgreSQL, Redis, this script): read the ratio with ``os.cpu_count()``, printed with the table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_chat import CAMPAIGN, BenchError, Sandbox, Stats, User, campaign_toml, category_for, nominate  # noqa: E402
from tests.e2e.scaleout import TODAY, ScaleStack, services_missing  # noqa: E402

UNITS = 20
PLACES = 400  # per unit: room for every nominee a row can enter


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1] * 1000


async def workload(
    sb: Sandbox, invite: Callable[[str], Awaitable[str]], clerks: int, seconds: float
) -> tuple[Stats, float]:
    """``clerks`` clerks join (not measured), then enter nominees for ``seconds``."""
    users: list[tuple[User, str]] = []
    base = 500_000 + int(time.time()) % 100_000 * 10
    for j in range(clerks):
        unit = f"基准单位{j % UNITS:03d}"
        user = User(sb, base + j, Stats())
        user.patience = 60.0
        await user.say(f"/start {await invite(unit)}", "join")
        if "欢迎使用" not in user.text:
            raise RuntimeError(f"join refused: {user.text}")
        users.append((user, unit))
    stats = Stats()
    counters: dict[str, int] = {}
    started = time.perf_counter()
    stop = started + seconds

    async def clerk(j: int, user: User, unit: str) -> None:
        user.stats = stats
        n = 0
        while time.perf_counter() < stop:
            k = counters[unit] = counters.get(unit, 0) + 1
            n += 1
            # n picks the nominee's answers (name, a valid ID number): unique, and small enough
            if await nominate(user, category_for(k - 1), j * 1000 + n, stop):
                stats.saved += 1

    await asyncio.gather(*(clerk(j, u, unit) for j, (u, unit) in enumerate(users)))
    return stats, time.perf_counter() - started


async def webhook_row(workdir: Path, processes: int, args: argparse.Namespace) -> tuple[Stats, float]:
    stack = ScaleStack(workdir, processes)
    try:
        await stack.start(campaign_toml(UNITS, PLACES))
        assert stack.session is not None
        sb = Sandbox(stack.session, stack.api_url, stack.token)
        await sb.start()
        from app.joining import create_invite

        async def invite(unit: str) -> str:
            code: str = await create_invite(stack.office, CAMPAIGN, unit, "clerk", 14)
            return code

        try:
            return await workload(sb, invite, args.clerks, args.seconds)
        finally:
            await sb.stop()
    finally:
        await stack.close()


async def sqlite_row(workdir: Path, args: argparse.Namespace) -> tuple[Stats, float]:
    """The embedded default: ``nominee-bot run`` on SQLite, polling the API server."""
    from app.joining import create_invite
    from storage import open_ports
    from storage.db import Database, make_engine

    workdir.mkdir(parents=True, exist_ok=True)
    token = "7150301:bench-scale-sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", NOMINEE_BOT_TOKEN=token,
               NOMINEE_DATA_DIR=str(workdir / "data"), NOMINEE_TODAY=TODAY.isoformat(),
               NOMINEE_THROTTLE_RATE="0", NOMINEE_BOT_USERNAME="bench_bot")  # fmt: skip
    procs: list[asyncio.subprocess.Process] = []
    db: Any = None
    try:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tgserver", "--port", "0", "--token", token, cwd=workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=(workdir / "apiserver.log").open("ab"),
        )  # fmt: skip
        procs.append(server)
        assert server.stdout is not None
        url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        env["NOMINEE_API_SERVER"] = url
        definition = workdir / "campaign.toml"
        definition.write_text(campaign_toml(UNITS, PLACES), encoding="utf-8")
        for cli in (["db", "upgrade"], ["campaign", "load", str(definition)]):
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", *cli, cwd=workdir, env=env)
            if await proc.wait() != 0:
                raise RuntimeError(f"nominee-bot {' '.join(cli)} failed")
        shift = TODAY - datetime.now(ZoneInfo("Asia/Shanghai")).date()
        db = Database(make_engine(f"sqlite+aiosqlite:///{workdir / 'data' / 'nominee.db'}"))
        ports = open_ports(db, workdir / "data" / "files", lambda: datetime.now(UTC) + shift, cache_drafts=False)
        async with aiohttp.ClientSession() as session:
            sb = Sandbox(session, url, token)
            before = (await sb.state())["counts"]["get_updates_calls"]
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=workdir, env=env,
                stdout=(workdir / "bot.log").open("ab"), stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            procs.append(bot)
            await sb.wait_polling(before, bot)
            await sb.start()

            async def invite(unit: str) -> str:
                code: str = await create_invite(ports, CAMPAIGN, unit, "clerk", 14)
                return code

            try:
                return await workload(sb, invite, args.clerks, args.seconds)
            finally:
                await sb.stop()
    finally:
        for proc in reversed(procs):
            if proc.returncode is None:
                proc.terminate()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 20)
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        if db is not None:
            await db.dispose()


async def main(args: argparse.Namespace) -> int:
    missing = await services_missing()
    if missing:
        print(f"bench_scale: {missing}", file=sys.stderr)
        return 2
    rows: list[tuple[str, Stats, float]] = []
    tmp = tempfile.mkdtemp(prefix="bench-scale-")
    print(f"work directory (logs): {tmp}", file=sys.stderr)
    failed: dict[str, str] = {}
    rows_to_run: list[tuple[str, Callable[[], Awaitable[tuple[Stats, float]]]]] = [
        ("1 process, nginx, PostgreSQL + Redis", lambda: webhook_row(Path(tmp) / "one", 1, args)),
        ("3 processes, nginx, PostgreSQL + Redis", lambda: webhook_row(Path(tmp) / "three", 3, args)),
        ("embedded: run (polling), SQLite", lambda: sqlite_row(Path(tmp) / "sqlite", args)),
    ]
    for label, run in rows_to_run:
        print(f"measuring: {label} …", file=sys.stderr, flush=True)
        try:
            stats, seconds = await run()
        except BenchError as exc:  # the row is reported as failed; the others still count
            failed[label] = str(exc).splitlines()[0]
            stats, seconds = Stats(), float("nan")
        rows.append((label, stats, seconds))
    if not failed:
        shutil.rmtree(tmp, ignore_errors=True)  # kept when a row failed, for its logs
    print(f"\n{args.clerks} clerks of {UNITS} units, {args.seconds:.0f} s a row, {os.cpu_count()} CPU cores\n")
    print(f"{'deployment':<42} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'saved':>6}")
    for label, stats, seconds in rows:
        if label in failed:
            print(f"{label:<42} FAILED: {failed[label]}")
            continue
        rate = stats.updates / seconds
        print(f"{label:<42} {rate:>10.1f} {pct(stats.done, 0.5):>8.0f} {pct(stats.done, 0.99):>8.0f} {stats.saved:>6}")
    one, three = (r[1].updates / r[2] for r in rows[:2])
    print(f"\nscaling ratio, 3 processes / 1 process: {three / one:.2f}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each row (default 15)")
    parser.add_argument("--clerks", type=int, default=50, help="clerks typing at once (default 50)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
