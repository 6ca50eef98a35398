"""``nominee-bot webhook``: updates over HTTP (aiogram's aiohttp request handler), for one or
several identical processes behind a load balancer.

Routes of the HTTP server:

* ``POST {path}`` (``/webhook``) — Telegram's deliveries. The secret-token header is checked
  first (wrong or missing: 401, nothing read further). The update's id is claimed
  (:mod:`bot.dedup`): a repeated delivery of a handled update is answered 200 and dropped, one
  being handled elsewhere 503 (Telegram retries). The update is handled while Telegram waits, so
  one chat's updates stay in order across processes; aiogram answers after 55 s at most and
  finishes a slower update in the background, within Telegram's 60 s.
* ``GET /healthz`` — 200 while the process runs.
* ``GET /readyz`` — 200 when the database and Redis (if configured) answer, 503 otherwise and
  from the moment shutdown begins (so the balancer stops sending).
* ``GET /metrics`` — Prometheus' text format (bot.metrics), this process's counters.

SIGTERM or SIGINT: stop accepting connections, finish the requests (updates) in flight, then
close the bot's session, the FSM storage, Redis and the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy import text

from bot.dedup import Claim, UpdateClaims
from bot.metrics import DUPLICATES, exposition
from storage.db import Database

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHUTDOWN_GRACE = 60.0  # seconds the updates in flight get to finish after SIGTERM


class WebhookHandler:
    """aiogram's request handler (used as shipped) behind the secret check and the update claim."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str, claims: UpdateClaims) -> None:
        # handle_in_background off: answered when handled, so a chat's updates stay in order
        self.inner = SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self.bot = bot
        self.claims = claims

    def register(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)
        app.on_shutdown.append(self._close)

    async def _close(self, app: web.Application) -> None:
        await self.inner.close()  # the bot's HTTP session

    async def handle(self, request: web.Request) -> web.Response:
        bot = self.bot
        if not self.inner.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            update = await request.json(loads=json.loads)
            update_id = int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(text="not an update", status=400)
        state, token = await self.claims.claim(bot.id, update_id)
        if state is Claim.DONE:
            DUPLICATES.inc()
            return web.json_response({})
        if state is Claim.BUSY:
            DUPLICATES.inc()
            return web.Response(text="being handled", status=503, headers={"Retry-After": "1"})
        try:
            response = await self.inner.handle(request)
        except BaseException:
            # Not handled (an error the error handler did not take, or cancelled): a retry may try again.
            with contextlib.suppress(Exception):
                await asyncio.shield(self.claims.release(bot.id, update_id, token))
            raise
        await self.claims.finish(bot.id, update_id, token)
        return response


class Health:
    """/healthz, /readyz and /metrics."""

    def __init__(self, db: Database, redis: Any | None) -> None:
        self.db = db
        self.redis = redis
        self.closing = False

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(self, request: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(3):
                async with self.db.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if self.redis is not None:
            try:
                async with asyncio.timeout(3):
                    await self.redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"unreachable: {type(exc).__name__}"
        if self.closing:
            checks["process"] = "shutting down"
        ready = all(v == "ok" for v in checks.values())
        return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        body, content_type = exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})


def make_app(handler: WebhookHandler, health: Health, path: str) -> web.Application:
    app = web.Application()
    handler.register(app, path)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_get("/metrics", health.metrics)
    return app


async def serve(app: web.Application, health: Health, host: str, port: int, *, grace: float = SHUTDOWN_GRACE) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down gracefully (module docstring)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=grace, handler_cancellation=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    log.info("webhook server listening on %s:%s", host, port)
    print(f"listening on http://{host}:{port}", flush=True)  # the test harness and operators read it
    try:
        await stop.wait()
    finally:
        health.closing = True
        started = time.monotonic()
        log.info("stopping: finishing the updates in flight")
        await runner.cleanup()  # stops accepting, waits for the handlers in flight, then on_shutdown
        log.info("stopped in %.1f s", time.monotonic() - started)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


__all__ = ["SECRET_HEADER", "Health", "WebhookHandler", "make_app", "serve"]
