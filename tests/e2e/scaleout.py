"""The scale-out deployment on this machine, for tests/e2e/test_scaleout.py and bench/bench_scale.py:
the local Bot API server (delivering to a webhook, as Telegram does), N ``nominee-bot webhook``
processes on a fresh PostgreSQL database and the real Redis, and nginx (the Debian package, with
deploy/nginx-nominee-bot.conf) balancing the webhook over them.

The office's side runs as in production: ``nominee-bot db upgrade`` and ``campaign load`` once
before the processes start; invitation codes are made in-process on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("NOMINEE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("NOMINEE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
TODAY = date(2024, 3, 15)
SECRET = "e2e-webhook-secret_" + "x" * 8
LEASE = 10.0  # seconds: how long a killed process's update waits before a retry takes it over


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def pg_admin(sql: str) -> None:
    admin = create_async_engine(
        make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def services_missing() -> str | None:
    """Why the deployment cannot run here (no nginx, PostgreSQL or Redis), or None."""
    if NGINX is None:
        return "nginx is not installed (Debian package nginx; .ci/run installs it)"
    try:
        await pg_admin("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable: {exc!r}"
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:
        return f"Redis not reachable: {exc!r}"
    finally:
        await redis.aclose()
    return None


def nginx_conf(workdir: Path, port: int, upstreams: list[int]) -> Path:
    """deploy/nginx-nominee-bot.conf with this run's ports, plain HTTP (no certificate here),
    inside a main configuration that keeps everything in ``workdir``."""
    site = (ROOT / "deploy" / "nginx-nominee-bot.conf").read_text()
    site = re.sub(r"listen 8443 ssl;", f"listen 127.0.0.1:{port};", site)
    site = "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_"))
    # The example's three upstream lines become one per process of this run, with its port.
    example = re.search(r"^(\s*)server 127\.0\.0\.1:808\d( .*)$", site, re.M)
    assert example is not None, "the example lists its processes as server 127.0.0.1:808N lines"
    lines = "\n".join(f"{example.group(1)}server 127.0.0.1:{p}{example.group(2)}" for p in upstreams)
    site = re.sub(r"^\s*server 127\.0\.0\.1:808\d .*\n", "", site, flags=re.M)
    site = site.replace("upstream nominee_bot {\n", "upstream nominee_bot {\n" + lines + "\n", 1)
    (workdir / "nominee-bot.conf").write_text(site)
    for name in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "tmp" / name).mkdir(parents=True, exist_ok=True)
    main = f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/tmp/client;
    proxy_temp_path {workdir}/tmp/proxy;
    fastcgi_temp_path {workdir}/tmp/fastcgi;
    uwsgi_temp_path {workdir}/tmp/uwsgi;
    scgi_temp_path {workdir}/tmp/scgi;
    include {workdir}/nominee-bot.conf;
}}
"""
    path = workdir / "nginx.conf"
    path.write_text(main)
    return path


class ScaleStack:
    """tgserver + ``processes`` webhook processes (+ nginx in front when ``nginx``) on PostgreSQL
    and Redis. ``url`` is where Telegram (tgserver) posts: nginx, or the one process."""

    def __init__(self, workdir: Path, processes: int = 3, *, nginx: bool = True) -> None:
        self.workdir = workdir
        self.count = processes
        self.use_nginx = nginx
        self.token = f"{secrets.randbelow(9_000_000) + 1_000_000}:scale-{uuid.uuid4().hex[:8]}"
        self.db_name = f"nominee_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.db_url = make_url(PG_URL).set(database=self.db_name).render_as_string(hide_password=False)
        self.api_url = ""
        self.ports: list[int] = [free_port() for _ in range(processes)]
        self.nginx_port = free_port()
        self.procs: list[asyncio.subprocess.Process | None] = [None] * processes
        self.starts = [0] * processes
        self.server: asyncio.subprocess.Process | None = None
        self.nginx: asyncio.subprocess.Process | None = None
        self.session: aiohttp.ClientSession | None = None
        self.office: Any = None
        self._db: Any = None

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine on the stack's database (for the tests' checks)."""
        assert self._db is not None, "the stack is not started"
        return self._db.engine

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port if self.use_nginx else self.ports[0]}/webhook"

    def process_url(self, i: int, path: str = "/webhook") -> str:
        return f"http://127.0.0.1:{self.ports[i]}{path}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
        path = env.get("PYTHONPATH")
        env.update(
            PYTHONPATH=str(ROOT) + (os.pathsep + path if path else ""),
            PYTHONUNBUFFERED="1",
            NOMINEE_BOT_TOKEN=self.token,
            NOMINEE_API_SERVER=self.api_url,
            NOMINEE_DATA_DIR=str(self.workdir / "data"),
            NOMINEE_DATABASE_URL=self.db_url,
            NOMINEE_REDIS_URL=REDIS_URL,
            NOMINEE_WEBHOOK_SECRET=SECRET,
            NOMINEE_UPDATE_LEASE=str(LEASE),
            NOMINEE_TODAY=TODAY.isoformat(),
            NOMINEE_THROTTLE_RATE="0",
            NOMINEE_BOT_USERNAME="scale_bot",
        )
        return env

    async def cli(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, cwd=self.workdir, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        if proc.returncode != 0:
            raise RuntimeError(f"nominee-bot {' '.join(args)} failed ({proc.returncode}):\n{err.decode()}")
        return out.decode()

    async def start(self, campaign_toml: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        self.session = aiohttp.ClientSession()
        await pg_admin(f'CREATE DATABASE "{self.db_name}"')
        with (self.workdir / "apiserver.log").open("ab") as log:
            self.server = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tgserver", "--port", "0", "--token", self.token,
                "--webhook-timeout", "30", "--webhook-retry", "0.2", "2",
                cwd=self.workdir, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=log,
            )  # fmt: skip
        assert self.server.stdout is not None
        self.api_url = (await asyncio.wait_for(self.server.stdout.readline(), 30)).decode().strip()
        # Once, before any bot process: the schema and the campaign.
        await self.cli("db", "upgrade")
        definition = self.workdir / "campaign.toml"
        definition.write_text(campaign_toml, encoding="utf-8")
        await self.cli("campaign", "load", str(definition))
        await self.open_office()
        if self.use_nginx:
            assert NGINX is not None
            conf = nginx_conf(self.workdir, self.nginx_port, self.ports)
            self.nginx = await asyncio.create_subprocess_exec(
                NGINX, "-c", str(conf), "-p", str(self.workdir), "-g", "daemon off;",
                stderr=(self.workdir / "nginx-stderr.log").open("ab"),
            )  # fmt: skip
        await asyncio.gather(*(self.start_process(i, set_webhook=i == 0) for i in range(self.count)))
        await self.wait_webhook()

    async def open_office(self) -> None:
        from storage import open_ports
        from storage.db import Database, make_engine

        shift = TODAY - datetime.now(ZoneInfo("Asia/Shanghai")).date()
        self._db = Database(make_engine(self.db_url))
        self.office = open_ports(
            self._db, self.workdir / "data" / "files", lambda: datetime.now(UTC) + shift, cache_drafts=False
        )

    async def start_process(self, i: int, *, set_webhook: bool = False) -> None:
        args = ["webhook", "--port", str(self.ports[i])]
        if set_webhook:
            args += ["--set-webhook", self.webhook_url]
        self.starts[i] += 1
        with (self.workdir / f"bot{i}.log").open("ab") as log:
            log.write(f"----- start {self.starts[i]} -----\n".encode())
            log.flush()
            self.procs[i] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", *args, cwd=self.workdir, env=self.env,
                stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        await self.wait_ready(i)

    async def wait_ready(self, i: int, timeout: float = 60.0) -> None:
        assert self.session is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            proc = self.procs[i]
            assert proc is not None
            if proc.returncode is not None:
                raise RuntimeError(f"webhook process {i} exited with {proc.returncode}:\n{self.log_tail(i)}")
            with contextlib.suppress(aiohttp.ClientError):
                async with self.session.get(self.process_url(i, "/readyz")) as resp:
                    if resp.status == 200:
                        return
            if loop.time() > deadline:
                raise TimeoutError(f"webhook process {i} not ready in {timeout}s:\n{self.log_tail(i)}")
            await asyncio.sleep(0.1)

    async def api(self, method: str, **params: Any) -> Any:
        assert self.session is not None
        async with self.session.post(f"{self.api_url}/bot{self.token}/{method}", json=params) as resp:
            body = await resp.json()
        assert body.get("ok"), body
        return body["result"]

    async def wait_webhook(self) -> None:
        for _ in range(200):
            if (await self.api("getWebhookInfo"))["url"] == self.webhook_url:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the webhook was not set")

    async def kill(self, i: int) -> None:
        proc = self.procs[i]
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()

    async def terminate(self, i: int, grace: float = 70.0) -> int | None:
        proc = self.procs[i]
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        return proc.returncode

    async def metrics(self, i: int) -> dict[str, float]:
        """Process ``i``'s /metrics: sample name with labels → value."""
        assert self.session is not None
        async with self.session.get(self.process_url(i, "/metrics")) as resp:
            body = await resp.text()
        found: dict[str, float] = {}
        for line in body.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                found[name] = float(value)
        return found

    def log_tail(self, i: int, lines: int = 40) -> str:
        path = self.workdir / f"bot{i}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def logs(self) -> str:
        return (
            "\n".join(f"--- bot{i}.log ---\n{self.log_tail(i)}" for i in range(self.count))
            + f"\n--- nginx ---\n{_tail(self.workdir / 'nginx-error.log')}"
        )

    async def close(self) -> None:
        await asyncio.gather(*(self.terminate(i, 20) for i in range(self.count)))
        for proc in (self.nginx, self.server):
            if proc is not None and proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 10)
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        if self._db is not None:
            await self._db.dispose()
        if self.session is not None:
            await self.session.close()
        with contextlib.suppress(Exception):
            await pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


__all__ = ["LEASE", "NGINX", "SECRET", "TODAY", "ScaleStack", "free_port", "nginx_conf", "services_missing"]
