"""``nominee-bot deadline set --campaign NAME --stage STAGE --date YYYY-MM-DD [--time HH:MM]``: sets
or moves a stage's date from the command line (Zhengzhou's second review, "to be announced" in the
notice). Stored in the database beside the definition; the running bot's scheduler tells every
clerk within a minute (a date notice, once per chat)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.cli import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("deadline", help="阶段截止日期 (stage dates)")

    def usage(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(func=usage)
    actions = parser.add_subparsers(title="commands", metavar="COMMAND")
    set_ = actions.add_parser(
        "set",
        help="设定或调整阶段截止日期，并通知全部填报人 (set or move a stage's date; every clerk is told)",
        usage="nominee-bot deadline set --campaign NAME --stage STAGE --date YYYY-MM-DD [--time HH:MM]",
    )
    set_.add_argument("--campaign", required=True, metavar="NAME")
    set_.add_argument("--stage", required=True, metavar="STAGE", help="the stage's key, e.g. second_review")
    set_.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    set_.add_argument("--time", default=None, metavar="HH:MM", help="the hour it closes (default: the day's end)")
    set_.set_defaults(func=_set)


def _fail(message: str, status: int = 1) -> int:
    print(f"nominee-bot deadline set: {message}", file=sys.stderr)
    return status


def _set(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        return _fail(f"日期格式应为 YYYY-MM-DD (the date must be YYYY-MM-DD): {args.date}", 2)
    at: time | None = None
    if args.time is not None:
        try:
            at = datetime.strptime(args.time, "%H:%M").time()
        except ValueError:
            return _fail(f"时间格式应为 HH:MM (the time must be HH:MM): {args.time}", 2)
    from bot.commands import _settings

    return asyncio.run(_go(_settings(), args.campaign, args.stage, day, at))


async def _go(settings: object, campaign_id: str, stage: str, day: date, at: time | None) -> int:
    from app import campaigns, reminders
    from bot.runner import open_ports
    from bot.settings import Settings
    from core.loader import builtin_names, suggest
    from core.refusals import CalendarBeyond, CampaignUnknown, DatePassed, Rejected, StageUnknown
    from storage.db import SchemaOutOfDate

    assert isinstance(settings, Settings)
    try:
        async with open_ports(settings) as (ports, _db):
            if campaign_id in builtin_names():
                await campaigns.ensure_builtin(ports, campaign_id)
            try:
                done = await reminders.set_date(ports, None, campaign_id, stage, day, at)
            except Rejected as err:
                match err.problem:
                    case CampaignUnknown():
                        known = sorted({c.id for c in await campaigns.listed(ports)} | set(builtin_names()))
                        return _fail(
                            f"没有评选活动 “{campaign_id}” (no campaign named “{campaign_id}”)"
                            + (suggest(campaign_id, known) or "")
                        )
                    case StageUnknown():
                        keys = [s.key for s in (await campaigns.current(ports, campaign_id)).stages]
                        return _fail(
                            f"没有阶段 “{stage}” (no such stage)"
                            + (suggest(stage, keys) or f"；已有 known: {', '.join(keys)}")
                        )
                    case DatePassed():
                        return _fail(f"{day} 已过 (that date has passed)")
                    case CalendarBeyond(year=year):
                        return _fail(
                            f"{year} 年的法定节假日尚未公布，请在定义文件 [[calendar]] 中补充后重新载入 "
                            f"(the official holidays of {year} are not known: "
                            "add them to the definition's [[calendar]])"
                        )
                    case _:
                        return _fail(f"未能设定 (not set): {type(err.problem).__name__}")
    except SchemaOutOfDate as exc:
        return _fail(f"数据库结构不是最新 (database schema out of date): {exc}")
    stage_def = next(s for s in done.campaign.stages if s.key == stage)
    when = day.isoformat() + ("" if at is None else f" {at:%H:%M}")
    old = "待定 to be announced" if done.old is None else done.old.isoformat()
    print(f"{campaign_id} {stage} ({stage_def.name}): {old} → {when} ({done.campaign.timezone})")
    if not done.working_day:
        print(f"注意 note: {day} 不是法定工作日 (not an official working day)", file=sys.stderr)
    print(
        "运行中的机器人将在一分钟内通知全部填报人 (the running bot tells every clerk within a minute)", file=sys.stderr
    )
    return 0
