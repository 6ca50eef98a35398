"""``python -m tgserver --host 127.0.0.1 --port 8081 [--token TOKEN ...]``

Serves until killed (SIGINT/SIGTERM); prints the base URL on its first line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .app import serve
from .state import DEFAULT_BOT_FIRST_NAME, DEFAULT_BOT_USERNAME, ServerState
from .wire import ApiError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tgserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--token", action="append", default=[], help="pre-register a bot token (repeatable; any token works)"
    )
    parser.add_argument("--username", default=DEFAULT_BOT_USERNAME, help="bot username")
    parser.add_argument("--first-name", default=DEFAULT_BOT_FIRST_NAME, help="bot display name")
    parser.add_argument(
        "--webhook-timeout", type=float, default=60.0, help="seconds a webhook delivery may take (default 60)"
    )
    parser.add_argument(
        "--webhook-retry",
        type=float,
        nargs=2,
        default=(1.0, 60.0),
        metavar=("FIRST", "MAX"),
        help="pause before retrying a failed webhook delivery: first, doubling up to max (default 1 60)",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> None:
    state = ServerState(
        bot_username=args.username,
        bot_first_name=args.first_name,
        webhook_timeout=args.webhook_timeout,
        webhook_retry=tuple(args.webhook_retry),
    )
    for token in args.token:
        try:
            state.bot(token)
        except ApiError:
            raise SystemExit(f"invalid bot token {token!r}: expected '<id>:<secret>'") from None
    runner, url = await serve(args.host, args.port, state)
    print(url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
