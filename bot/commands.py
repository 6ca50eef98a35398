"""The commands that need the database or Telegram: ``run``, ``invite create``, ``db upgrade|check``
and ``campaign load``. Registered by bot/cli.py; heavy imports (aiogram, SQLAlchemy, Alembic) stay
inside the handlers, because the parser is built for every command, including ``campaign check``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import command_group

if TYPE_CHECKING:
    from bot.cli import Subparsers
    from bot.settings import Settings


SCHEMA = "数据库结构不是最新 (database schema out of date): "


def register(subparsers: Subparsers) -> None:
    run = subparsers.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(func=_run)

    sandbox = subparsers.add_parser(
        "sandbox",
        help="本地沙盒：无需 Telegram 和令牌，在浏览器中演示 (the whole product in a browser, no token)",
        description="本地沙盒 Sandbox: a local Bot API server, the bot and a web chat page in one process",
    )
    sandbox.add_argument("--port", type=int, default=8080, help="the page's port (default 8080; 0 picks a free one)")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    sandbox.add_argument(
        "--allow-remote",
        action="store_true",
        help="needed with a --host other computers can reach: anyone there may use the demo",
    )
    sandbox.add_argument(
        "--data-dir", type=Path, default=None, help="where the demo database lives (default <NOMINEE_DATA_DIR>/sandbox)"
    )
    sandbox.add_argument("--reset", action="store_true", help="start the demonstration afresh (deletes its data)")
    sandbox.set_defaults(func=_sandbox)

    invite = subparsers.add_parser(
        "invite",
        help="邀请码 (invitation codes for clerks and office staff)",
        description="邀请码 Invitation codes",
        epilog="nominee-bot invite create --campaign NAME --unit UNIT   a clerk of UNIT\n"
        "nominee-bot invite create --campaign NAME --role office  office staff (no --unit)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    invite.set_defaults(func=lambda _args: _help(invite))
    actions = invite.add_subparsers(title="commands", metavar="COMMAND")
    create = actions.add_parser(
        "create",
        help="生成一次性邀请码 (create a single-use invitation code)",
        usage="nominee-bot invite create --campaign NAME (--unit UNIT | --role office) [--days N]",
    )
    create.add_argument("--campaign", required=True, metavar="NAME", help="campaign id, e.g. zhengzhou-2024")
    create.add_argument("--unit", default=None, help="the recommending unit (a clerk's invitation only)")
    create.add_argument("--role", choices=["clerk", "office"], default="clerk", help="clerk (default) or office")
    create.add_argument("--days", type=int, default=14, help="days until the code expires (default 14)")
    create.set_defaults(func=_invite_create)

    db = subparsers.add_parser("db", help="数据库结构 (database schema)")
    db.set_defaults(func=lambda _args: _help(db))
    db_actions = db.add_subparsers(title="commands", metavar="COMMAND")
    upgrade = db_actions.add_parser("upgrade", help="把数据库升级到最新结构 (Alembic upgrade head)")
    upgrade.set_defaults(func=_db_upgrade)
    check = db_actions.add_parser("check", help="数据库结构是否为最新 (exit 1 if `db upgrade` is needed)")
    check.set_defaults(func=_db_check)

    load = command_group(subparsers, "campaign").add_parser(
        "load", help="把内置或编辑过的评选定义载入数据库 (idempotent; refuses changes that break saved nominees)"
    )
    load.add_argument("source", metavar="NAME|FILE", help="a built-in name (zhengzhou-2024) or a .toml file")
    load.set_defaults(func=_campaign_load)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _settings() -> Settings:
    from bot.settings import get_settings

    settings = get_settings()
    settings.ensure_data_dir()
    return settings


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        message = (
            "请设置 NOMINEE_BOT_TOKEN 为 @BotFather 给出的机器人令牌 (set NOMINEE_BOT_TOKEN to the bot's token "
            "from @BotFather, and NOMINEE_API_SERVER for a local Bot API server; without a token, "
            "`nominee-bot sandbox` shows the bot in a browser)"
        )
        return _fail("run", message, 2)
    from bot.runner import run

    return asyncio.run(run(settings))


def _sandbox(args: argparse.Namespace) -> int:
    from sandbox.demo import LOOPBACK, SandboxError, default_dir, main

    if args.host not in LOOPBACK and not args.allow_remote:
        message = (
            f"--host {args.host} 让其他计算机也能使用沙盒，请同时给出 --allow-remote "
            f"(--host {args.host} lets other computers use the sandbox: add --allow-remote to mean it)"
        )
        return _fail("sandbox", message, 2)
    if not 0 <= args.port <= 65535:
        return _fail("sandbox", "--port 须在 0 到 65535 之间 (--port must be between 0 and 65535)", 2)
    if args.host not in LOOPBACK:
        print(
            f"nominee-bot sandbox: 警告 warning: 绑定 {args.host}，网络上的任何人都能打开沙盒并以演示人员身份操作 "
            "(anyone on the network can open the sandbox and act as the demo people)",
            file=sys.stderr,
        )
    from bot.settings import get_settings

    data_dir = args.data_dir or default_dir(get_settings())
    try:
        return asyncio.run(
            main(data_dir, host=args.host, port=args.port, reset=args.reset, allow_remote=args.allow_remote)
        )
    except SandboxError as exc:
        return _fail("sandbox", str(exc))
    except KeyboardInterrupt:
        return 0


def _fail(command: str, message: str, status: int = 1) -> int:
    """One line on stderr: ``nominee-bot COMMAND: 中文 (English)``; returns the exit status."""
    print(f"nominee-bot {command}: {message}", file=sys.stderr)
    return status


def _invite_create(args: argparse.Namespace) -> int:
    command = "invite create"
    if args.role == "clerk" and not args.unit:
        return _fail(command, "填报人邀请码须指定推荐单位 (a clerk's invitation needs --unit UNIT)", 2)
    if args.role == "office" and args.unit:
        message = "办公室邀请码不指定推荐单位，请去掉 --unit (an office invitation names no unit: leave out --unit)"
        return _fail(command, message, 2)
    if not 1 <= args.days <= 365:
        return _fail(command, "--days 须在 1 到 365 之间 (--days must be between 1 and 365)", 2)
    return asyncio.run(_invite(_settings(), args.campaign, args.unit, args.role, args.days))


async def _invite(settings: Settings, campaign_id: str, unit: str | None, role: str, days: int) -> int:
    from app import campaigns, joining
    from bot.runner import bot_username, open_ports
    from core.loader import builtin_names, suggest
    from core.records import Role
    from core.refusals import CampaignUnknown, Rejected, UnitUnknown
    from storage.db import SchemaOutOfDate

    command = "invite create"
    try:
        async with open_ports(settings) as (ports, _db):
            if campaign_id in builtin_names():
                await campaigns.ensure_builtin(ports, campaign_id)
            kind: Role = "office" if role == "office" else "clerk"
            try:
                code = await joining.create_invite(ports, campaign_id, unit, kind, days)
            except Rejected as err:
                match err.problem:
                    case CampaignUnknown():
                        known = sorted({c.id for c in await campaigns.listed(ports)} | set(builtin_names()))
                        return _fail(
                            command,
                            f"没有评选活动 “{campaign_id}” (no campaign named “{campaign_id}”)"
                            + (suggest(campaign_id, known) or f"；已有 known: {', '.join(known)}"),
                        )
                    case UnitUnknown():
                        units = [u.name for u in (await campaigns.current(ports, campaign_id)).units]
                        return _fail(
                            command,
                            f"评选活动 “{campaign_id}” 中没有推荐单位 “{unit}” (no such unit in the campaign)"
                            + (suggest(unit or "", units) or f"；共 {len(units)} 个单位，见 nominee-bot campaign show"),
                        )
                    case _:
                        return _fail(command, f"未能生成邀请码 (no code created): {type(err.problem).__name__}")
    except SchemaOutOfDate as exc:
        return _fail(command, SCHEMA + str(exc))
    username = await bot_username(settings)
    print(code)
    print(f"https://t.me/{username or '<bot>'}?start={code}")
    print(f"({unit or '办公室 office'} · {days} 天 days)", file=sys.stderr)
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import current_revision, make_engine, upgrade

    settings = _settings()

    async def go() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(go())
    print(f"{_where(settings.database_url)}: schema at revision {revision} (newest)")
    return 0


def _db_check(args: argparse.Namespace) -> int:
    from storage.db import SchemaOutOfDate, check_schema, make_engine

    settings = _settings()

    async def go() -> None:
        engine = make_engine(settings.database_url)
        try:
            await check_schema(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except SchemaOutOfDate as exc:
        return _fail("db check", SCHEMA + str(exc))
    print(f"{_where(settings.database_url)}: schema up to date")
    return 0


def _campaign_load(args: argparse.Namespace) -> int:
    from core.loader import DefinitionError, builtin_names, builtin_text, load

    source: str = args.source
    try:
        campaign = load(source)
        text = builtin_text(source) if source in builtin_names() else Path(source).read_text(encoding="utf-8-sig")
    except DefinitionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1

    async def go() -> int:
        from app import campaigns
        from bot.runner import open_ports

        async with open_ports(_settings()) as (ports, _db):
            report = await campaigns.load(ports, campaign, text=text)
        for line in report.lines():
            print(line, file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1

    from storage.db import SchemaOutOfDate

    try:
        return asyncio.run(go())
    except SchemaOutOfDate as exc:
        return _fail("campaign load", SCHEMA + str(exc))


__all__ = ["register"]
