"""The ``nominee-bot`` command line.

    nominee-bot campaign list            the built-in campaign definitions
    nominee-bot campaign check FILE      validate a definition file (exit 0, or 1 with located problems)
    nominee-bot campaign show NAME|FILE  awards, categories, pools, proportions, stages, allocation table
    nominee-bot campaign dump NAME       the built-in file's text, to copy for next year's campaign
    nominee-bot campaign load NAME|FILE  load (or reload) a definition into the database
    nominee-bot db upgrade|check         bring the database to the newest schema / check it
    nominee-bot invite create --campaign NAME --unit UNIT   an invitation code for a clerk of UNIT
    nominee-bot invite create --campaign NAME --role office an invitation code for office staff (no --unit)
    nominee-bot export --campaign NAME [--unit UNIT] [--kind KIND] --out FILE   a table, the 公示 list, photos…
    nominee-bot run                      start the bot (long polling)
    nominee-bot webhook [--port N] [--set-webhook URL]  serve updates over HTTP (several processes)
    nominee-bot --version

Every error is one line on stderr (Chinese, then English in brackets) with a non-zero exit status:
1 for a refusal or a failure, 2 for a command used wrongly, 70 for an internal error.

Campaign commands use only ``core`` and must stay fast: nothing here imports aiogram, SQLAlchemy
or openpyxl at module level (importing aiogram alone takes seconds). Commands that need them
import them inside their handler.

Other packages add commands through :data:`EXTENSIONS`: each module listed there that exists
is imported when the parser is built and its ``register(subparsers)`` called with the
top-level sub-command action. It adds parsers with ``set_defaults(func=handler)`` where
``handler(args) -> int`` returns the exit status; :func:`command_group` gives it the action of
an existing group (``command_group(subparsers, "campaign").add_parser("load", ...)``). Such a
module must keep its own heavy imports inside its handlers too.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.campaign import Award, Campaign, Unit

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXTENSIONS = ["bot.commands", "bot.deadline_cli"]
PROG = "nominee-bot"

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- output helpers


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters count 2."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def pad(text: str, columns: int, right: bool = False) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] = ()) -> list[str]:
    """Columns aligned for CJK text, two spaces apart; a rule under the header."""
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    aligned = [bool(right[i]) if i < len(right) else False for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(pad(c, w, a) for c, w, a in zip(cells, widths, aligned, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(r) for r in rows)]


# --------------------------------------------------------------------------- describing a campaign


def _field_label(campaign: Campaign, key: str) -> str:
    if key == "category":
        return "人员结构/类别"
    if key == "gender":
        return "性别（据身份证号码）"
    field = campaign.fields.get(key)
    return field.label if field is not None else key


def describe_selector(campaign: Campaign, where: Mapping[str, Any]) -> str:
    """``{category = ["农民工"], ownership = ["非公"]}`` → ``人员结构/类别=农民工，单位性质=非公``;
    ``{category = { not = ["农民"] }}`` → ``人员结构/类别≠农民``; ``any``/``all``/``not`` in words."""
    if not where:
        return "全部"
    parts = []
    for key, cond in where.items():
        if key == "any":
            parts.append("或".join(f"（{describe_selector(campaign, s)}）" for s in cond))
        elif key == "all":
            parts.append("且".join(f"（{describe_selector(campaign, s)}）" for s in cond))
        elif key == "not":
            parts.append(f"非（{describe_selector(campaign, cond)}）")
        elif isinstance(cond, Mapping):
            parts.append(f"{_field_label(campaign, key)}≠{'/'.join(cond['not'])}")
        else:
            parts.append(f"{_field_label(campaign, key)}={'/'.join(cond)}")
    return "，".join(parts)


def allocation_rows(campaign: Campaign) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, one row per unit, the 合计 row) of the allocation table."""
    from core.tables import per_unit, table_awards

    awards = table_awards(campaign)
    header = ["序号", "推荐单位", *(a.name for a in awards)]
    rows: list[list[str]] = []
    for n, unit in enumerate(campaign.units, 1):
        rows.append([str(n), unit.name, *(_unit_cell(a, unit) for a in awards)])
    totals = []
    for award in awards:
        if award.competitive:
            totals.append(f"{award.total}（各单位可推荐{per_unit(award)}个）")
        else:
            total = sum(u.quotas[award.key].cap for u in campaign.units if award.key in u.quotas)
            sides = division_totals(campaign, award)
            totals.append(f"{total}（{'、'.join(f'{name}{n}' for name, n in sides)}）" if sides else str(total))
    return header, rows, ["", "合计", *totals]


def division_totals(campaign: Campaign, award: Award) -> list[tuple[str, int]]:
    """(division name, the units' summed places) of an award allocated per unit by division."""
    sums = {d.key: 0 for d in award.divisions}
    named = False
    for unit in campaign.units:
        alloc = unit.quotas.get(award.key)
        for node in alloc.reserved if alloc else ():
            if node.kind in sums:
                sums[node.kind] += node.count
                named = True
    return [(d.name, sums[d.key]) for d in award.divisions] if named else []


def _unit_cell(award: Award, unit: Unit) -> str:
    from core.tables import allocation_cell, per_unit

    if award.competitive:
        return per_unit(award)
    if not unit.quotas:
        return "—"
    return allocation_cell(award, unit.quotas.get(award.key))


def _pct(value: float) -> str:
    return f"{value:g}%"


def show_lines(campaign: Campaign) -> list[str]:
    from core.quota import required_count
    from core.tables import per_unit

    lines = [f"{campaign.name}（{campaign.id}）"]
    if campaign.name_en:
        lines.append(campaign.name_en)
    lines.append(f"主办 Office：{campaign.office}    时区 Time zone：{campaign.timezone}")

    lines += ["", "奖项 Awards"]
    for award in campaign.awards:
        kind = "个人" if award.kind == "individual" else "集体"
        head = f"  {award.name}（{award.key}）  {kind}  {award.total} 名"
        if award.competitive:
            head += f"  差额推荐：每个推荐单位 {per_unit(award)} 个"
        lines.append(head)
        for div in award.divisions:
            lines.append(f"    其中 {div.name}：{div.total} 名（{describe_selector(campaign, div.where)}）")
        if award.categories:
            lines.append(f"    人员结构/类别：{'、'.join(award.categories)}")
        for rkey, rkind in award.reserved.items():
            lines.append(f"    预留类别 {rkey}：{rkind.name}（{describe_selector(campaign, rkind.where)}）")
        if award.alternate is not None:
            who = describe_selector(campaign, award.alternate.for_where)
            alternate = describe_selector(campaign, award.alternate.alternate_where)
            lines.append(f"    备选 Alternate：推荐 {who} 的，须同时推荐 1 名 {alternate} 作为备选（不占名额）")

    if campaign.pools:
        lines += ["", "全市名额池 Pools"]
        for pool in campaign.pools:
            award_name = next((a.name for a in campaign.awards if a.key == pool.award), pool.award)
            lines.append(
                f"  {pool.name}（{pool.key}）  {award_name}  全市至多 {pool.cap} 名"
                f"（{describe_selector(campaign, pool.where)}）"
            )

    if campaign.proportions:
        lines += ["", "比例要求 Proportions"]
        rows = []
        for prop in campaign.proportions:
            awards = [a for a in campaign.awards if a.key in prop.awards]
            base, of = sum(a.total for a in awards), "+".join(a.name for a in awards)
            if prop.division is not None:
                part = next((d for a in awards for d in a.divisions if d.key == prop.division), None)
                if part is not None:
                    base, of = part.total, part.name
            low, high = prop.min_pct, prop.max_pct
            if low is not None and high is not None:
                bound = f"{_pct(low)}–{_pct(high)}"
                need = f"{required_count(low, base, 'min')}–{required_count(high, base, 'max')} 名"
            elif low is not None:
                bound, need = f"≥ {_pct(low)}", f"至少 {required_count(low, base, 'min')} 名"
            else:
                assert high is not None
                bound, need = f"≤ {_pct(high)}", f"至多 {required_count(high, base, 'max')} 名"
            if prop.enforce:
                need += "（录入时强制 enforced）"
            rows.append([prop.name, bound, f"{base}（{of}）", need])
        lines += ["  " + r for r in render_table(["比例", "要求", "基数", "折合人数"], rows)]

    if campaign.eligibility:
        lines += ["", "资格条件 Eligibility（否决 = hard：不得推荐；说明 = soft：须写明理由）"]
        for rule in campaign.eligibility:
            lines.append(f"  [{'否决' if rule.kind == 'hard' else '说明'}] {rule.key}：{rule.message}")

    lines += ["", "阶段 Stages"]
    if not campaign.stages:
        lines.append("  （未设定）")
    for stage in campaign.stages:
        when = f"截止 {stage.deadline.isoformat()}" if stage.deadline else "日期另行通知 (to be announced)"
        # a stage that does not close entry leaves the clerks' lists open past its date
        entry = "" if stage.closes_entry else "  不截止填报 (entry stays open)"
        lines.append(f"  {stage.name}（{stage.key}）  {when}{entry}")

    if campaign.tables:
        lines += ["", "汇总表 Tables"]
        for table in campaign.tables:
            lines.append(f"  {table.title}（{table.key}）")
            lines.append(f"    {' | '.join(c.title for c in table.columns)}")

    lines += ["", f"名额分配表 Allocation（{len(campaign.units)} 个推荐单位）"]
    if not campaign.units:
        lines.append(
            "  未载入：只适用全市总数。办公室可在定义文件中添加 [[units]] 及其 quotas（写法见 zhengzhou-2024）。"
        )
        lines.append("  Not loaded: only the city-wide totals apply until the office adds [[units]] with their quotas.")
        return lines
    header, rows, total = allocation_rows(campaign)
    rendered = render_table(header, [*rows, total], right=[True])
    lines += [*rendered[:-1], rendered[1], rendered[-1]]  # a rule above 合计 too
    return lines


def list_lines() -> tuple[list[str], list[str]]:
    """(lines for stdout, problems of built-ins that do not load)."""
    from core.loader import DefinitionError, builtin_names, load_builtin
    from core.tables import per_unit

    rows: list[list[str]] = []
    problems: list[str] = []
    for name in builtin_names():
        try:
            campaign = load_builtin(name)
        except DefinitionError as exc:
            problems.extend(map(str, exc.problems))
            continue
        awards = "、".join(
            f"{a.name} {a.total}" + (f"（每单位 {per_unit(a)}）" if a.competitive else "") for a in campaign.awards
        )
        units = f"{len(campaign.units)} 个推荐单位" if campaign.units else "未分配到单位"
        rows.append([name, campaign.name, awards, units])
    return render_table(["名称 Name", "评选 Campaign", "奖项与名额 Awards", "分配 Allocation"], rows), problems


def summary(campaign: Campaign) -> str:
    awards = "，".join(f"{a.name} {a.total}" for a in campaign.awards)
    units = f"{len(campaign.units)} 个推荐单位" if campaign.units else "无单位分配"
    return f"{campaign.id}：{campaign.name}（{awards}；{units}）"


# --------------------------------------------------------------------------- commands


def cmd_campaign_list(args: argparse.Namespace) -> int:
    lines, problems = list_lines()
    for line in lines:
        _out(line)
    for problem in problems:
        _err(problem)
    return 1 if problems else 0


def language(args: argparse.Namespace) -> str:
    """``--lang``, else ``NOMINEE_DEFAULT_LANGUAGE``, else Chinese: the language of a definition's problems."""
    chosen = getattr(args, "lang", None) or os.environ.get("NOMINEE_DEFAULT_LANGUAGE", "zh")
    return "en" if chosen.lower().startswith("en") else "zh"


def print_problems(problems: Sequence[Any], name: str, lang: str) -> None:
    """Every located problem, one a line, in ``lang``, and how many when more than one."""
    for problem in sorted(problems, key=lambda p: p.line or 0):  # in the file's order
        _err(problem.text(lang))
    count = len(problems)
    if count > 1:
        _err(f"{name}: {count} problems" if lang == "en" else f"{name}: 共 {count} 处问题 ({count} problems)")


def _load(name_or_path: str, lang: str = "zh") -> Campaign | None:
    """A file, or else a built-in name; problems go to stderr (None). A name that is neither is
    refused in one line, with the close built-in names."""
    from core.loader import DefinitionError, load, load_path

    try:
        path = Path(name_or_path)
        return load_path(path) if path.exists() else load(name_or_path)
    except DefinitionError as exc:
        print_problems(exc.problems, name_or_path, lang)
        return None


def cmd_campaign_check(args: argparse.Namespace) -> int:
    campaign = _load(args.file, language(args))
    if campaign is None:
        return 1
    _out(f"OK {args.file}: {summary(campaign)}")
    return 0


def cmd_campaign_show(args: argparse.Namespace) -> int:
    campaign = _load(args.campaign, language(args))
    if campaign is None:
        return 1
    for line in show_lines(campaign):
        _out(line)
    return 0


def cmd_campaign_dump(args: argparse.Namespace) -> int:
    from core.loader import DefinitionError, builtin_text

    try:
        text = builtin_text(args.name)
    except DefinitionError as exc:
        for problem in exc.problems:
            _err(str(problem))
        return 1
    _write_exact(text)
    return 0


def _write_exact(text: str) -> None:
    """The text as UTF-8, byte for byte, whatever the terminal's encoding (a ``> file`` copy must load)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


# --------------------------------------------------------------------------- the parser


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version(PROG)
    except metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        import tomllib

        found = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        return f"{found} (source tree)"
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"


def command_group(subparsers: Subparsers, name: str) -> Subparsers:
    """The sub-command action of the group ``name`` (e.g. ``campaign``), for extensions to add to."""
    parser = subparsers.choices[name]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise KeyError(name)


def _group_help(parser: argparse.ArgumentParser) -> Handler:
    def show_help(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show_help


def build_parser(extensions: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="工会评选表彰推荐工作机器人 — Telegram bot for trade-union honours nominations.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    parser.set_defaults(func=_group_help(parser))
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")

    campaign = subparsers.add_parser(
        "campaign",
        help="评选定义：列出、检查、查看、导出 (campaign definitions)",
        description="评选定义 Campaign definitions",
    )
    campaign.set_defaults(func=_group_help(campaign))
    group = campaign.add_subparsers(title="campaign commands", metavar="SUBCOMMAND")

    p = group.add_parser("list", help="内置评选定义 (built-in definitions)")
    p.set_defaults(func=cmd_campaign_list)

    p = group.add_parser("check", help="检查定义文件 (validate a definition file)")
    p.add_argument("file", metavar="FILE", help="TOML 定义文件或内置名称")
    p.add_argument("--lang", choices=["zh", "en"], help="问题的语言 (default: NOMINEE_DEFAULT_LANGUAGE, else zh)")
    p.set_defaults(func=cmd_campaign_check)

    p = group.add_parser("show", help="查看奖项、比例、阶段和名额分配表 (show a campaign)")
    p.add_argument("campaign", metavar="NAME|FILE", help="内置名称（如 zhengzhou-2024）或 TOML 文件")
    p.add_argument("--lang", choices=["zh", "en"], help="问题的语言 (default: NOMINEE_DEFAULT_LANGUAGE, else zh)")
    p.set_defaults(func=cmd_campaign_show)

    p = group.add_parser("dump", help="输出内置定义文件原文 (print a built-in file)")
    p.add_argument("name", metavar="NAME", help="内置名称，如 zhengzhou-2024")
    p.set_defaults(func=cmd_campaign_dump)

    for module_name in EXTENSIONS if extensions is None else extensions:
        _extend(subparsers, module_name)
    return parser


def _extend(subparsers: Subparsers, module_name: str) -> None:
    """``module.register(subparsers)`` when the module exists; a missing one is no error."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):  # its parent package is missing
        return
    if spec is None:
        return
    register = getattr(importlib.import_module(module_name), "register", None)
    if callable(register):
        register(subparsers)


def _safe_streams() -> None:
    """On a terminal that cannot show Chinese, escape it rather than die of UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "郑州".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    _safe_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed its message
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    func: Handler = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nominee-bot campaign show ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # an office user gets one line, a developer sets NOMINEE_DEBUG=1
        if os.environ.get("NOMINEE_DEBUG"):
            raise
        known = explain(exc)
        if known is not None:
            _err(f"{PROG}: {known[0]}")
            return known[1]
        _err(f"{PROG}: 内部错误 internal error: {type(exc).__name__}: {one_line(str(exc))}")
        return 70


def one_line(text: str) -> str:
    return " ".join(text.split())


def explain(exc: BaseException) -> tuple[str, int] | None:
    """(one bilingual line, exit status) for the failures an operator can mend: a setting that is
    not valid, a database that cannot be reached, a data directory that cannot be used. None for
    anything else (then it is an internal error)."""
    kind = type(exc)
    names = {c.__name__ for c in kind.__mro__}
    if "ValidationError" in names and kind.__module__.startswith("pydantic"):  # bot.settings
        errors: list[dict[str, Any]] = getattr(exc, "errors", list)()
        wrong = ", ".join("NOMINEE_" + str(e.get("loc", ("?",))[0]).upper() + f" ({e.get('msg', '')})" for e in errors)
        return f"设置无效 (invalid setting): {wrong or one_line(str(exc))}", 2
    if "ArgumentError" in names and kind.__module__.startswith("sqlalchemy"):
        return f"NOMINEE_DATABASE_URL 不是有效的数据库地址 (not a valid database URL): {one_line(str(exc))}", 2
    if "DBAPIError" in names or isinstance(exc, ConnectionError | TimeoutError):
        cause = getattr(exc, "orig", None) or exc
        reason = one_line(str(cause)) or type(cause).__name__
        return f"无法连接数据库 (cannot reach the database; check NOMINEE_DATABASE_URL): {reason}", 1
    if isinstance(exc, OSError) and exc.filename is not None:
        from core.loader import os_reason

        return f"无法使用 (cannot use) {exc.filename}：{os_reason(exc)}", 1
    return None


if __name__ == "__main__":
    sys.exit(main())
