"""aiohttp application: the Bot API wire format plus the ``/_sandbox`` test side.

Bot side:      ``GET|POST /bot{token}/{method}``  and  ``GET /file/bot{token}/{file_path}``,
               the methods in :data:`tgserver.methods.METHODS`.
Sandbox side:  ``/_sandbox/{token}/{action}`` (JSON in/out), see :data:`tgserver.sandbox.SANDBOX_ROUTES`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from .methods import METHODS
from .params import read_params
from .sandbox import SANDBOX_ROUTES
from .state import ServerState
from .wire import MAX_UPLOAD_SIZE, ApiError

STATE_KEY = web.AppKey("apiserver_state", ServerState)
log = logging.getLogger(__name__)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=_dumps(body).encode("utf-8"),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def _ok(result: Any) -> web.Response:
    return json_response({"ok": True, "result": result})


async def bot_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        bot = state.bot(request.match_info["token"])
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        name, handler = entry
        bot.method_calls[name] = bot.method_calls.get(name, 0) + 1
        failure = bot.take_failure(name.lower()) if bot.failures else None
        if failure is not None and failure.drop is None:
            raise failure.error()
        params = await read_params(request)
        if failure is not None and failure.drop == "before":
            return _drop(request)
        result = await handler(bot, params)
        if failure is not None:  # "after": performed, and the reply is lost with the connection
            return _drop(request)
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    try:
        return _ok(result)
    except UnicodeEncodeError:  # nothing that is not UTF-8 gets in (tgserver.params); should it still
        if name != "getUpdates":
            log.error("the result of %s is not UTF-8", name)
            return json_response(ApiError(500, "Internal Server Error").to_dict(), status=500)
        return _ok(bot.drop_unwritable(result))  # one bad update must not stop the feed


def _drop(request: web.Request) -> web.Response:
    """The connection closes with no reply (the client sees it disconnected)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)


async def download_file(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        state.bot(request.match_info["token"])
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    stored = state.files_by_path.get(request.match_info["path"])
    if stored is None:
        return json_response(ApiError(404, "Not Found").to_dict(), status=404)
    # Whatever a user uploaded (an .html file too) is never rendered as a page of this origin.
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'"}
    if stored.kind != "photo":
        headers["Content-Disposition"] = "attachment"
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream", headers=headers)


async def sandbox_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    handler = SANDBOX_ROUTES.get((request.method, request.match_info["action"]))
    if handler is None:
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    try:
        bot = state.bot(request.match_info["token"])
        params = await read_params(request)
        result = await handler(state, bot, params)
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    try:
        return json_response({"ok": True, **result})
    except UnicodeEncodeError:  # should something not UTF-8 have got in: escaped, the test side still reads it
        return web.Response(text=json.dumps({"ok": True, **result}), content_type="application/json")


async def index(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return json_response({"ok": True, "service": "nominee-bot local Bot API server", "bots": len(state.bots)})


def make_app(state: ServerState | None = None, *, index_page: bool = True) -> web.Application:
    """The server as an aiohttp application; ``index_page=False`` leaves ``/`` to the caller (the
    sandbox serves its web chat there)."""
    app = web.Application(client_max_size=MAX_UPLOAD_SIZE + (1 << 20))
    app[STATE_KEY] = state if state is not None else ServerState()
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", download_file)
    app.router.add_route("*", "/_sandbox/{token}/{action}", sandbox_api)
    if index_page:
        app.router.add_get("/", index)
    app.on_shutdown.append(_on_shutdown)
    return app


async def _on_shutdown(app: web.Application) -> None:
    app[STATE_KEY].close()


async def serve(host: str = "127.0.0.1", port: int = 0, state: ServerState | None = None) -> tuple[web.AppRunner, str]:
    """Start the server (``port=0`` picks a free port); returns the runner and base URL.

    Stop it with ``await runner.cleanup()``; the state is ``runner.app[STATE_KEY]``.
    """
    runner = web.AppRunner(make_app(state), handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    if ":" in shown:
        shown = f"[{shown}]"
    return runner, f"http://{shown}:{bound_port}"
