"""``nominee-bot db upgrade`` and ``nominee-bot campaign load``: registered by bot/cli.py.

Heavy imports (SQLAlchemy, Alembic) stay inside the handlers: the parser is built for every
command, including the fast ``campaign check``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _group(subparsers: Subparsers, name: str, help_text: str) -> Subparsers:
    """The sub-command action of group ``name``, created when nobody has registered it yet."""
    parser = subparsers.choices.get(name)
    if parser is None:
        parser = subparsers.add_parser(name, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(title="commands", metavar="COMMAND", required=True)


def register(subparsers: Subparsers) -> None:
    db = _group(subparsers, "db", "数据库结构 (database schema)")
    upgrade = db.add_parser("upgrade", help="把数据库升级到最新结构 (Alembic upgrade head)")
    upgrade.set_defaults(func=_db_upgrade)
    check = db.add_parser("check", help="数据库结构是否为最新 (exit 1 if `db upgrade` is needed)")
    check.set_defaults(func=_db_check)

    campaign = _group(subparsers, "campaign", "评选定义 (campaign definitions)")
    load = campaign.add_parser(
        "load",
        help="把内置或编辑过的评选定义载入数据库 (idempotent; refuses changes that break saved nominees)",
    )
    load.add_argument("source", metavar="NAME|FILE", help="a built-in name (zhengzhou-2024) or a .toml file")
    load.set_defaults(func=_campaign_load)


def _settings() -> Settings:
    from bot.settings import get_settings

    settings = get_settings()
    settings.ensure_data_dir()
    return settings


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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
        print(f"nominee-bot db check: {exc}", file=sys.stderr)
        return 1
    print(f"{_where(settings.database_url)}: schema up to date")
    return 0


def _campaign_load(args: argparse.Namespace) -> int:
    from pathlib import Path

    from core.loader import DefinitionError, builtin_names, builtin_text, load
    from storage.db import SchemaOutOfDate, check_schema, make_engine
    from storage.service import Store

    source: str = args.source
    try:
        campaign = load(source)
        text = builtin_text(source) if source in builtin_names() else Path(source).read_text(encoding="utf-8-sig")
    except DefinitionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    settings = _settings()

    async def go() -> int:
        engine = make_engine(settings.database_url)
        try:
            await check_schema(engine)
            report = await Store(engine, files_dir=settings.files_dir).load_campaign(campaign, text=text)
        finally:
            await engine.dispose()
        for line in report.lines():
            print(line, file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1

    try:
        return asyncio.run(go())
    except SchemaOutOfDate as exc:
        print(f"nominee-bot campaign load: {exc}", file=sys.stderr)
        return 1


__all__ = ["register"]
