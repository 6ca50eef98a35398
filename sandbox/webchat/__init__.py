"""The sandbox's web chat: a static page (HTML, CSS and one script; no build step, nothing from a
CDN) that plays Telegram clients against the local Bot API server's sandbox side
(``/_sandbox/{token}/…``: send text and files, press buttons, long-poll for the bot's actions, read
a chat).

Served by the same aiohttp application as the server (:func:`add_routes`); what is particular to
a sandbox (who the people are, the banner, the reset) comes from a :class:`Host`. The page builds
every node from text and Telegram entities itself (a whitelist of formatting, links to http, https
and tg only) and never parses HTML it did not write; its Content-Security-Policy allows scripts of
this origin only, as a second wall.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"
_TYPES = {"app.js": "text/javascript", "render.js": "text/javascript", "style.css": "text/css"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# A request the page sends with this header cannot come from another site's form or image
# (a cross-origin request with it needs a CORS pre-flight, which this server never grants).
PAGE_HEADER = "X-Webchat"


class Host(Protocol):
    """What a sandbox tells the page, and its reset."""

    def info(self) -> dict[str, Any]:
        """JSON for ``GET /api/sandbox``: ``ready``, ``token``, ``people``, ``banner`` …"""
        ...

    async def reset(self) -> dict[str, Any]:
        """Starts the demonstration afresh; returns :meth:`info`."""
        ...


HOST_KEY = web.AppKey("webchat_host", Host)


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"} | (
        extra or {}
    )


async def _index(request: web.Request) -> web.Response:
    return web.Response(
        body=(STATIC / "index.html").read_bytes(), content_type="text/html", charset="utf-8", headers=_headers()
    )


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _TYPES:  # a fixed list: no path from the request reaches the file system
        raise web.HTTPNotFound()
    return web.Response(
        body=(STATIC / name).read_bytes(), content_type=_TYPES[name], charset="utf-8", headers=_headers()
    )


async def _no_content(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def _info(request: web.Request) -> web.Response:
    return web.json_response(request.app[HOST_KEY].info(), headers=_headers())


async def _reset(request: web.Request) -> web.Response:
    if request.headers.get(PAGE_HEADER) != "1":
        raise web.HTTPForbidden(text="not from the sandbox page")
    return web.json_response(await request.app[HOST_KEY].reset(), headers=_headers())


def only_hosts(allowed: set[str]) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware refusing a request whose ``Host`` is not one of ``allowed`` (``127.0.0.1:8080``,
    ``localhost:8080`` …): a page on another site that re-binds its own name to 127.0.0.1 cannot
    read or drive the sandbox."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.host not in allowed:
            raise web.HTTPMisdirectedRequest(text=f"unexpected Host {request.host!r}")
        return await handler(request)

    return middleware


def add_routes(app: web.Application, host: Host) -> None:
    """``/`` (the page), ``/static/{name}``, ``GET /api/sandbox`` and ``POST /api/reset``."""
    app[HOST_KEY] = host
    app.router.add_get("/", _index)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/favicon.ico", _no_content)
    app.router.add_get("/api/sandbox", _info)
    app.router.add_post("/api/reset", _reset)


__all__ = ["CSP", "HOST_KEY", "PAGE_HEADER", "STATIC", "Host", "add_routes", "only_hosts"]
