"""``nominee-bot run`` and ``nominee-bot invite create``: the commands that need the database or
Telegram. Heavy imports (aiogram, SQLAlchemy) stay inside the handlers: the parser is built for
every command, and ``campaign check`` must not pay for them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.cli import Subparsers


def register(subparsers: Subparsers) -> None:
    run = subparsers.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(func=_run)

    invite = subparsers.add_parser("invite", help="invitation codes for clerks and office staff")
    actions = invite.add_subparsers(dest="invite_command", required=True)
    create = actions.add_parser("create", help="create a single-use invitation code")
    create.add_argument("--campaign", required=True, help="campaign id, e.g. zhengzhou-2024")
    create.add_argument("--unit", default=None, help="the recommending unit (required for clerks)")
    create.add_argument("--role", choices=["clerk", "office"], default="clerk")
    create.add_argument("--days", type=int, default=14, help="days until the code expires (default 14)")
    create.set_defaults(func=_invite_create)


def _run(args: argparse.Namespace) -> int:
    from bot.settings import get_settings

    settings = get_settings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(
            "nominee-bot run: set NOMINEE_BOT_TOKEN to the bot's token from @BotFather "
            "(and NOMINEE_API_SERVER for a local Bot API server); the offline sandbox is not available yet.",
            file=sys.stderr,
        )
        return 2
    from bot.runner import run

    return asyncio.run(run(settings))


def _invite_create(args: argparse.Namespace) -> int:
    from bot.runner import create_invite
    from bot.settings import get_settings

    if args.role == "clerk" and not args.unit:
        print("nominee-bot invite create: a clerk's invitation needs --unit", file=sys.stderr)
        return 2
    if not 1 <= args.days <= 365:
        print("nominee-bot invite create: --days must be between 1 and 365", file=sys.stderr)
        return 2
    return asyncio.run(create_invite(get_settings(), args.campaign, args.unit, args.role, args.days))
