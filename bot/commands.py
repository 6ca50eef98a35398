"""The commands that need the database or Telegram: ``run``, ``invite create``, ``db upgrade|check``,
``campaign load`` and ``export``. Registered by bot/cli.py; heavy imports (aiogram, SQLAlchemy, Alembic) stay
inside the handlers, because the parser is built for every command, including ``campaign check``."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import command_group, language, print_problems

if TYPE_CHECKING:
    from bot.cli import Subparsers
    from bot.settings import Settings


SCHEMA = "数据库结构不是最新 (database schema out of date): "


def register(subparsers: Subparsers) -> None:
    run = subparsers.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(func=_run)

    webhook = subparsers.add_parser(
        "webhook",
        help="以 Webhook 方式运行，可多进程负载均衡 (serve updates over HTTP; several processes behind a balancer)",
        description="Webhook: POST {path} for Telegram (secret NOMINEE_WEBHOOK_SECRET), GET /healthz, /readyz, "
        "/metrics. Several processes need NOMINEE_REDIS_URL and PostgreSQL.",
    )
    webhook.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    webhook.add_argument("--port", type=int, default=8081, help="port to bind (default 8081)")
    webhook.add_argument("--path", default="/webhook", help="the path Telegram posts to (default /webhook)")
    webhook.add_argument(
        "--set-webhook",
        metavar="URL",
        default=None,
        help="register URL (public HTTPS, ending in --path) with Telegram, and the command menus, at start",
    )
    webhook.set_defaults(func=_webhook)

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
    load.add_argument(
        "--remove-units",
        action="store_true",
        help="删除定义中已没有的推荐单位 (allow a reload that removes units; refused without it)",
    )
    load.add_argument("--lang", choices=["zh", "en"], help="问题的语言 (default: NOMINEE_DEFAULT_LANGUAGE, else zh)")
    load.set_defaults(func=_campaign_load)

    export = subparsers.add_parser(
        "export",
        help="导出汇总表、签署意见表、公示名单、名额分配表或照片 (export a table or the photos)",
        usage="nominee-bot export --campaign NAME [--unit UNIT] [--kind KIND] --out FILE",
        description="导出 Export. KIND: a table of the definition (e.g. individuals, collectives, medal, "
        "certificate, pioneer), opinions (签署意见表), publicity (公示名单), allocation (名额分配表), "
        "photos (a .zip of JPEGs). Without --unit: the whole campaign.",
    )
    export.add_argument("--campaign", required=True, metavar="NAME", help="campaign id, e.g. zhengzhou-2024")
    export.add_argument("--unit", default=None, help="one recommending unit (default: all units)")
    export.add_argument("--kind", default=None, help="what to export (default: the definition's first table)")
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write (.xlsx; .zip for photos)")
    export.add_argument("--clerk", default="", help="填报人 on the 填报单位 line (default: blank)")
    export.add_argument("--phone", default="", help="联系电话 on the 填报单位 line (default: blank)")
    export.set_defaults(func=_export)

    imp = subparsers.add_parser(
        "import-allocation",
        help="从 Excel 导入名额分配表 (load the allocation table from an .xlsx; --template writes one to fill)",
        usage="nominee-bot import-allocation --campaign NAME (FILE.xlsx | --template OUT.xlsx)",
        description="名额分配表 The allocation table: one row per unit, a column per award and reserved kind. "
        "Loaded through the same versioned reload as `campaign load`.",
    )
    imp.add_argument("--campaign", required=True, metavar="NAME", help="campaign id, e.g. zhangjiakou-2024")
    imp.add_argument("file", nargs="?", metavar="FILE.xlsx", help="the filled table to load")
    imp.add_argument("--template", metavar="OUT.xlsx", help="write the table to fill (the current units in it)")
    imp.set_defaults(func=_import_allocation)


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


def _webhook(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        return _fail("webhook", "请设置 NOMINEE_BOT_TOKEN (set NOMINEE_BOT_TOKEN to the bot's token)", 2)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret is not None else ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        message = (
            "请设置 NOMINEE_WEBHOOK_SECRET (set NOMINEE_WEBHOOK_SECRET: 1-256 characters A-Z a-z 0-9 _ -, "
            "sent by Telegram with every update; requests without it are refused)"
        )
        return _fail("webhook", message, 2)
    if not args.path.startswith("/"):
        return _fail("webhook", f"--path must start with /: {args.path}", 2)
    from bot.runner import run_webhook

    return asyncio.run(
        run_webhook(settings, host=args.host, port=args.port, path=args.path, set_webhook=args.set_webhook)
    )


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
            late = await _entry_closed(ports, campaign_id) if role == "clerk" else None  # the office is never closed
    except SchemaOutOfDate as exc:
        return _fail(command, SCHEMA + str(exc))
    username = await bot_username(settings)
    if late is not None:
        print(late, file=sys.stderr)
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


async def _entry_closed(ports: Any, campaign_id: str) -> str | None:
    """A warning when the campaign's entry has closed already: a clerk joining now can read but not add."""
    from app import campaigns
    from core.clock import local_date
    from core.deadlines import entry_deadline

    campaign = await campaigns.current(ports, campaign_id)
    closing = entry_deadline(campaign)
    if closing is None:
        return None
    key, deadline = closing
    if local_date(datetime.now(UTC), campaign) <= deadline:
        return None
    stage = next((s.name for s in campaign.stages if s.key == key), key)
    return (
        f"注意：填报已于 {deadline.isoformat()}（{stage}）截止，凭此邀请码加入的填报人不能再添加推荐对象，"
        "除非办公室重新开放该单位 (warning: entry closed on "
        f"{deadline.isoformat()} ({key}); a clerk joining now cannot add nominees unless the office reopens the unit)"
    )


def _campaign_load(args: argparse.Namespace) -> int:
    from core.loader import DefinitionError, builtin_names, builtin_text, load

    source: str = args.source
    try:
        campaign = load(source)
        text = builtin_text(source) if source in builtin_names() else Path(source).read_text(encoding="utf-8-sig")
    except DefinitionError as exc:
        print_problems(exc.problems, source, language(args))
        return 1

    async def go() -> int:
        from app import campaigns
        from bot.runner import open_ports

        async with open_ports(_settings()) as (ports, _db):
            report = await campaigns.load(ports, campaign, text=text, remove_units=args.remove_units)
        for line in report.lines():
            print(line, file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1

    from storage.db import SchemaOutOfDate

    try:
        return asyncio.run(go())
    except SchemaOutOfDate as exc:
        return _fail("campaign load", SCHEMA + str(exc))


def _export(args: argparse.Namespace) -> int:
    command = "export"
    out = Path(args.out)
    if not out.parent.is_dir():
        return _fail(command, f"目录不存在 (no such directory): {out.parent}", 2)
    return asyncio.run(_export_to(_settings(), args.campaign, args.unit, args.kind, out, args.clerk, args.phone))


async def _export_to(
    settings: Settings, campaign_id: str, unit: str | None, kind: str | None, out: Path, clerk: str, phone: str
) -> int:
    from app import exports
    from bot.runner import open_ports
    from core.loader import builtin_names, suggest
    from core.refusals import CampaignUnknown, Rejected, UnitUnknown
    from storage.db import SchemaOutOfDate

    command = "export"
    try:
        async with open_ports(settings) as (ports, _db):
            if campaign_id in builtin_names():  # as `invite create` does: a built-in is loaded on first use
                from app import campaigns

                await campaigns.ensure_builtin(ports, campaign_id)
            try:
                snap = await exports.operator_snapshot(ports, campaign_id, unit)
            except Rejected as err:
                match err.problem:
                    case CampaignUnknown():
                        return _fail(command, f"没有评选活动 “{campaign_id}” (no campaign named “{campaign_id}”)")
                    case UnitUnknown():
                        from app import campaigns

                        units = [u.name for u in (await campaigns.current(ports, campaign_id)).units]
                        return _fail(
                            command,
                            f"评选活动 “{campaign_id}” 中没有推荐单位 “{unit}” (no such unit in the campaign)"
                            + (suggest(unit or "", units) or ""),
                        )
                    case _:
                        return _fail(command, f"未能导出 (nothing exported): {type(err.problem).__name__}")
            names = exports.kind_names(snap.campaign)
            chosen = kind or names[0]
            if chosen not in names:
                return _fail(command, f"没有导出种类 “{chosen}” (no such kind); 可选 known: {', '.join(names)}", 2)
            who = exports.filler(snap, clerk, phone)
            if chosen == exports.PHOTOS:
                files = await exports.photos(ports, snap, max_bytes=2**62)
            else:
                files = await exports.build(ports, snap, chosen, who)
    except SchemaOutOfDate as exc:
        return _fail(command, SCHEMA + str(exc))
    out.write_bytes(files[0].data)
    print(f"{out}: {files[0].filename} · {files[0].count}", file=sys.stderr)
    return 0


def _import_allocation(args: argparse.Namespace) -> int:
    command = "import-allocation"
    if (args.file is None) == (args.template is None):
        message = "请给出要导入的文件或 --template OUT.xlsx 之一 (give either FILE.xlsx or --template OUT.xlsx)"
        return _fail(command, message, 2)
    data = b""
    if args.file is not None:
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            from core.loader import os_reason

            return _fail(command, f"无法读取 {args.file} (cannot read the file): {os_reason(exc)}")
    from storage.db import SchemaOutOfDate

    try:
        return asyncio.run(_allocation(_settings(), args.campaign, args.file, data, args.template))
    except SchemaOutOfDate as exc:
        return _fail(command, SCHEMA + str(exc))


async def _allocation(settings: Settings, campaign_id: str, source: str | None, data: bytes, out: str | None) -> int:
    from app import campaigns, imports
    from bot.runner import open_ports
    from core.loader import builtin_names, suggest
    from core.sheetproblems import SheetError
    from sheets.allocation import allocation_template, read_allocation_file

    command = "import-allocation"
    async with open_ports(settings) as (ports, _db):
        if campaign_id in builtin_names():
            await campaigns.ensure_builtin(ports, campaign_id)
        known = sorted(c.id for c in await campaigns.listed(ports))
        if campaign_id not in known:
            return _fail(
                command,
                f"没有评选活动 “{campaign_id}” (no campaign named “{campaign_id}”)"
                + (suggest(campaign_id, sorted(set(known) | set(builtin_names()))) or ""),
            )
        campaign = await campaigns.current(ports, campaign_id)
        if out is not None:
            try:
                Path(out).write_bytes(allocation_template(campaign))
            except OSError as exc:
                from core.loader import os_reason

                return _fail(command, f"无法写入 {out} (cannot write the file): {os_reason(exc)}")
            print(f"{out}: {campaign.name}名额分配表 ({len(campaign.units)} 个单位 units)")
            return 0
        try:
            read = read_allocation_file(campaign, data)
        except SheetError as err:
            return _fail(command, f"{source}: {file_problem(err.problem)}")
        if read.problems:
            for problem in read.problems:
                print(f"nominee-bot {command}: {source}: {cell_problem(problem)}", file=sys.stderr)
            return 1
        try:
            report = await imports.allocation(ports, campaign_id, read.units)
        except imports.NotSpliced as exc:
            return _fail(command, f"无法写入定义 (the definition could not take the table): {exc}")
    for line in report.lines():
        print(line, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def file_problem(problem: object) -> str:
    """A workbook that cannot be read, in one line: Chinese (English)."""
    from core.sheetproblems import (
        ColumnMissing,
        FileTooLarge,
        FormulaFound,
        Inflates,
        NoRows,
        NotOurTemplate,
        NotWorkbook,
        SheetMissing,
        TooManyRows,
    )

    match problem:
        case NotWorkbook():
            return "不是 .xlsx 工作簿 (not an .xlsx workbook; save it as Excel 工作簿 .xlsx)"
        case FileTooLarge(limit_mb=mb):
            return f"文件超过 {mb} MB (the file is larger than {mb} MB)"
        case Inflates(limit_mb=mb, ratio=ratio):
            return f"解压后超过 {mb} MB 或压缩比超过 {ratio} (unpacks to more than {mb} MB or {ratio}:1)"
        case FormulaFound(cell=cell):
            return f"单元格 {cell} 含有公式，请只填数值 (cell {cell} holds a formula; values only)"
        case SheetMissing(name=name):
            return f"没有名为 “{name}” 的工作表 (no sheet named “{name}”)"
        case ColumnMissing(title=title, row=row):
            return f"第{row}行缺少 “{title}” 列 (row {row} has no column “{title}”)"
        case TooManyRows(limit=limit):
            return f"超过 {limit} 行 (more than {limit} rows)"
        case NoRows():
            return "表中没有任何单位 (the table has no rows)"
        case NotOurTemplate():
            return "这是其他评选活动或其他用途的表格 (a table of another campaign or for another use)"
    return type(problem).__name__


def cell_problem(problem: object) -> str:
    """One refused cell of an allocation table: ``第5行 C列：中文 (row 5, column C: English)``."""
    from core.sheetproblems import (
        CellProblem,
        NotCount,
        ReservedOverCap,
        SumWrong,
        TotalRowWrong,
        UnitNameMissing,
        UnitRepeated,
    )

    assert isinstance(problem, CellProblem)
    where_zh = f"第{problem.row}行 {problem.column}列" if problem.column else f"第{problem.row}行"
    where_en = f"row {problem.row}, column {problem.column}" if problem.column else f"row {problem.row}"
    match problem.kind:
        case NotCount(value=value):
            zh, en = f"“{value}” 不是名额数（应为 0 或正整数）", f"“{value}” is not a number of places (0, 1, 2 …)"
            if not value:
                zh, en = "有预留名额却没有填写名额数", "reserved places given without the places"
        case UnitRepeated(name=name, first_row=first):
            zh, en = f"推荐单位 “{name}” 与第{first}行重复", f"unit “{name}” repeats row {first}"
        case ReservedOverCap(award=award, reserved=reserved, cap=cap):
            zh, en = f"{award}预留名额合计 {reserved}，超过名额 {cap}", f"{award}: {reserved} reserved > {cap} places"
        case SumWrong(award=award, got=got, total=total):
            zh = f"{award}各单位名额合计 {got}，与总数 {total} 不符"
            en = f"the units' places add up to {got}, the award's total is {total}"
        case TotalRowWrong(written=written, got=got):
            zh, en = f"合计写为 {written}，各单位相加为 {got}", f"the total says {written}, the units add up to {got}"
        case UnitNameMissing():
            zh, en = "有名额却没有推荐单位名称", "places without a unit's name"
        case _:
            zh, en = "无法导入", type(problem.kind).__name__
    return f"{where_zh}：{zh} ({where_en}: {en})"


__all__ = ["cell_problem", "file_problem", "register"]
