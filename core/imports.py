"""The office's allocation table and the clerks' nominee templates, read from rows of cell values
(sheets/reading.py turns the uploaded file into those rows) — pure, so the command line, the chat
and the tests share one reading.

**Allocation table** (名额分配表), one row per recommending unit under a header row holding
``推荐单位``: a column per allocated award headed by the award's name (its places, 名额), each
followed by optional ``其中：<reserved kind>`` columns (places reserved for that kind). A row whose
unit is ``合计`` is the total row: its numbers must equal the units' sums. Reserved kinds that
overlap are nested in the award's order of kinds (企业班组 3，其中非公 2: the non-public teams are
enterprise teams too); disjoint ones stand side by side. Every error names its row and column.

**Nominee template** (one row per nominee): a column per question of the award's form; each row
is answered through :class:`core.form.IntakeForm` exactly as the chat answers it, question after
question in the order they apply, and the first refused answer names its cell.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from core.campaign import Allocation, Award, Campaign, Reserved, Unit, walk_reserved
from core.errors import FieldRequired, InvalidAnswer
from core.form import IntakeForm
from core.identity import identity_key
from core.selectors import disjoint, intersect
from core.sheetproblems import (
    Answer,
    CellProblem,
    ColumnMissing,
    NoRows,
    NotCount,
    ReservedOverCap,
    RowRepeated,
    SheetError,
    SumWrong,
    TotalRowWrong,
    UnitNameMissing,
    UnitRepeated,
    column_letter,
)

ALLOCATION_SHEET = "名额分配表"
UNIT_HEADER = "推荐单位"
NUMBER_HEADER = "序号"
RESERVED_PREFIX = "其中："
TOTAL_NAMES = frozenset({"合计", "总计", "合 计", "total"})
BLANKS = frozenset({"", "-", "—", "–", "/", "无"})
HEADER_SEARCH = 5  # the header row is among the first rows (a title may stand above it)

TEMPLATE_SHEET = "推荐对象"
MARKER_SHEET = "nominee-bot"  # hidden: what the template is for
MARKER = "nominee-bot template"

Cells = Sequence[Sequence[Any]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


# --------------------------------------------------------------------------- allocation table


def allocation_awards(campaign: Campaign) -> list[Award]:
    """The awards a unit is allocated places of (a competitive award has a per-unit limit instead)."""
    return [a for a in campaign.awards if not a.competitive]


def allocation_header(campaign: Campaign) -> list[tuple[str, str, str | None]]:
    """The table's columns after 序号 and 推荐单位: (title, award key, reserved kind or None)."""
    out: list[tuple[str, str, str | None]] = []
    for award in allocation_awards(campaign):
        out.append((award.name, award.key, None))
        out += [(RESERVED_PREFIX + kind.name, award.key, key) for key, kind in award.reserved.items()]
    return out


def allocation_row(campaign: Campaign, unit: Unit) -> list[int | None]:
    """A unit's numbers in :func:`allocation_header`'s columns (None: no allocation)."""
    out: list[int | None] = []
    for award in allocation_awards(campaign):
        alloc = unit.quotas.get(award.key)
        out.append(alloc.cap if alloc else None)
        counts = {node.kind: node.count for _path, node in walk_reserved(alloc.reserved)} if alloc else {}
        out += [counts.get(key) for key in award.reserved]
    return out


def _count(value: Any) -> int | NotCount | None:
    if isinstance(value, bool):
        return NotCount(str(value))
    if isinstance(value, int):
        return value if value >= 0 else NotCount(str(value))
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else NotCount(f"{value:g}")
    text = _text(value).removesuffix("个").removesuffix("名").strip()
    if text in BLANKS:
        return None
    if text.isdigit() and text.isascii() and len(text) <= 6:
        return int(text)
    return NotCount(_text(value))


def nest(award: Award, counts: Mapping[str, int]) -> list[Reserved]:
    """Reserved kinds of one unit as a tree: a kind that overlaps one placed before it (in the
    award's order of kinds) goes under it, the others side by side."""

    def place(nodes: list[Reserved], key: str, count: int, where: dict[str, list[str]]) -> list[Reserved]:
        kind = award.reserved[key]
        for i, node in enumerate(nodes):
            node_where = intersect(where, award.reserved[node.kind].where)
            if not disjoint(node_where, kind.where):
                children = place(list(node.children), key, count, node_where)
                nodes[i] = node.model_copy(update={"children": children})
                return nodes
        return [*nodes, Reserved(kind=key, count=count)]

    tree: list[Reserved] = []
    for key in award.reserved:
        if key in counts:
            tree = place(tree, key, counts[key], {})
    return tree


def _over(nodes: Sequence[Reserved], cap: int) -> int | None:
    """The reserved places of one level when they exceed ``cap`` (or a nested level's), else None."""
    total = sum(n.count for n in nodes)
    if total > cap:
        return total
    for node in nodes:
        inner = _over(node.children, node.count)
        if inner is not None:
            return inner
    return None


@dataclass(frozen=True)
class AllocationRead:
    units: list[Unit]
    problems: list[CellProblem]


def read_allocation(campaign: Campaign, rows: Cells) -> AllocationRead:
    """The units of an allocation table, or every problem found with its row and column.
    Raises :class:`SheetError` when the header row or a column is missing."""
    head_i = next((i for i, row in enumerate(rows[:HEADER_SEARCH]) if any(_text(v) == UNIT_HEADER for v in row)), None)
    if head_i is None:
        raise SheetError(ColumnMissing(UNIT_HEADER, 1))
    header = [_text(v) for v in rows[head_i]]
    unit_col = header.index(UNIT_HEADER)
    columns: dict[tuple[str, str | None], int] = {}
    current: str | None = None
    names = {_text(a.name): a for a in allocation_awards(campaign)} | {
        _text(a.name_en): a for a in allocation_awards(campaign) if a.name_en
    }
    for ci, title in enumerate(header):
        if title in names:
            current = names[title].key
            columns[(current, None)] = ci
        elif title.startswith(_text(RESERVED_PREFIX)) and current is not None:
            kinds = campaign.award(current).reserved
            key = next(
                (k for k, kind in kinds.items() if _text(kind.name) == title.removeprefix(_text(RESERVED_PREFIX))), None
            )
            if key is not None:
                columns[(current, key)] = ci
    for award in allocation_awards(campaign):
        if (award.key, None) not in columns:
            raise SheetError(ColumnMissing(award.name, head_i + 1))

    problems: list[CellProblem] = []
    units: list[Unit] = []
    seen: dict[str, int] = {}
    total_row: tuple[int, Sequence[Any]] | None = None
    old = {u.name: u for u in campaign.units}
    for ri in range(head_i + 1, len(rows)):
        row = rows[ri]
        rownum = ri + 1

        def cell(ci: int, row: Sequence[Any] = row) -> Any:
            return row[ci] if ci < len(row) else None

        name = " ".join(_text(cell(unit_col)).split())
        if name.casefold() in TOTAL_NAMES:
            total_row = (rownum, row)
            continue
        numbers = {k: _count(cell(ci)) for k, ci in columns.items()}
        if not name:
            if any(v is not None for v in numbers.values()):
                problems.append(CellProblem(rownum, column_letter(unit_col), UnitNameMissing()))
            continue
        if name in seen:
            problems.append(CellProblem(rownum, column_letter(unit_col), UnitRepeated(name, seen[name])))
            continue
        seen[name] = rownum
        bad = False
        for where_key, value in numbers.items():
            if isinstance(value, NotCount):
                problems.append(CellProblem(rownum, column_letter(columns[where_key]), value))
                bad = True
        if bad:
            continue
        quotas: dict[str, Allocation] = {}
        for award in allocation_awards(campaign):
            cap = numbers[(award.key, None)]
            counts = {k: v for (a, k), v in numbers.items() if a == award.key and k is not None and isinstance(v, int)}
            if cap is None:
                if counts:
                    problems.append(CellProblem(rownum, column_letter(columns[(award.key, None)]), NotCount("")))
                continue
            assert isinstance(cap, int)
            reserved = nest(award, counts)
            over = _over(reserved, cap)
            if over is not None:
                cap_col = column_letter(columns[(award.key, None)])
                problems.append(CellProblem(rownum, cap_col, ReservedOverCap(award.name, over, cap)))
                continue
            quotas[award.key] = Allocation(cap=cap, reserved=reserved)
        name_en = old[name].name_en if name in old else None
        units.append(Unit(name=name, name_en=name_en, quotas=quotas))

    if not units and not problems:
        raise SheetError(NoRows())
    if not problems:
        for award in allocation_awards(campaign):
            col = columns[(award.key, None)]
            got = sum(u.quotas[award.key].cap for u in units if award.key in u.quotas)
            where = CellProblem(head_i + 1, column_letter(col), SumWrong(award.name, got, award.total))
            if total_row is not None:
                written = _count(total_row[1][col] if col < len(total_row[1]) else None)
                if isinstance(written, int) and written != got:
                    problems.append(CellProblem(total_row[0], column_letter(col), TotalRowWrong(written, got)))
                    continue
                where = CellProblem(total_row[0], column_letter(col), SumWrong(award.name, got, award.total))
            if got != award.total:
                problems.append(where)
    return AllocationRead(units, problems)


# --------------------------------------------------------------------------- nominee template


@dataclass(frozen=True)
class TemplateColumn:
    key: str  # a step key: "category", a field key, "reason.<rule>"
    title: str


def template_columns(campaign: Campaign, award_key: str) -> list[TemplateColumn]:
    """The template's columns: the category (when the award has them), every question of the
    award's form but photos (a photo cannot come through Excel), and a reason column per soft
    eligibility rule of the award."""
    form = IntakeForm(campaign, award_key)
    award = form.award
    out: list[TemplateColumn] = []
    if award.categories:
        out.append(TemplateColumn("category", "人员类别" if award.kind == "individual" else "集体类别"))
    for fkey in award.fields:
        fdef = campaign.fields[fkey]
        if fdef.type != "photo":
            out.append(TemplateColumn(fkey, fdef.label))
    for rule in campaign.eligibility:
        if rule.kind == "soft" and award_key in rule.awards:
            about = [campaign.fields[k] for k in rule.when if k in campaign.fields]
            name = (about[0].short or about[0].label) if about else rule.key
            out.append(TemplateColumn(f"reason.{rule.key}", f"推荐理由（{name}）"))
    return out


def photo_fields(campaign: Campaign, award_key: str) -> list[str]:
    return [k for k in campaign.award(award_key).fields if campaign.fields[k].type == "photo"]


def form_digest(campaign: Campaign, award_key: str) -> str:
    """What a filled template must match: the award's questions, categories and soft rules (a
    change of anything else, e.g. an allocation, keeps templates valid)."""
    award = campaign.award(award_key)
    blob = {
        "award": award.model_dump(mode="json", include={"key", "kind", "categories", "fields"}),
        "fields": [campaign.fields[k].model_dump(mode="json") for k in award.fields],
        "rules": [r.model_dump(mode="json") for r in campaign.eligibility if award_key in r.awards],
    }
    return hashlib.sha256(json.dumps(blob, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class TemplateRow:
    row: int  # the sheet's row number
    answers: dict[str, Any]


@dataclass(frozen=True)
class TemplateRead:
    rows: list[TemplateRow]  # every row answered without a problem (photos missing)
    problems: list[CellProblem]  # one per refused row: its first refused answer


def read_template(campaign: Campaign, award_key: str, rows: Cells, today: date) -> TemplateRead:
    """Answers every filled row of a nominee template through the intake form. Raises
    :class:`SheetError` when a column is missing or no row is filled."""
    if not rows:
        raise SheetError(NoRows())
    header = [_text(v) for v in rows[0]]
    cols = template_columns(campaign, award_key)
    where: dict[str, int] = {}
    for col in cols:
        if _text(col.title) not in header:
            raise SheetError(ColumnMissing(col.title, 1))
        where[col.key] = header.index(_text(col.title))
    titles = {c.key: c.title for c in cols}
    form = IntakeForm(campaign, award_key)
    found: list[TemplateRow] = []
    problems: list[CellProblem] = []
    seen: dict[str, int] = {}  # identity → the row that has it
    for ri in range(1, len(rows)):
        row = rows[ri]
        values = {key: (cell_text(row[ci]) if ci < len(row) else "") for key, ci in where.items()}
        if not any(values.values()):
            continue
        answers: dict[str, Any] = {}
        done: set[str] = set()
        problem: CellProblem | None = None
        while problem is None:
            step = next((s for s in form.steps(answers) if s.key not in done), None)
            if step is None:
                break
            done.add(step.key)
            if step.key not in where:  # a photo: added later in the chat
                continue
            raw = values[step.key]
            try:
                if raw.strip():
                    answers = form.accept(answers, step.key, raw, today)
                elif step.required:
                    raise InvalidAnswer(FieldRequired())
                else:
                    answers = form.skip(answers, step.key)
            except InvalidAnswer as err:
                column = column_letter(where[step.key])
                problem = CellProblem(ri + 1, column, Answer(titles[step.key], err.problem))
        identity = identity_key(form.award, answers) if problem is None else None
        if identity is not None and identity in seen:
            ident_col = next((k for k in ("id_number", "team_name", "org_name") if k in where), None)
            column = column_letter(where[ident_col]) if ident_col else ""
            problem = CellProblem(ri + 1, column, RowRepeated(seen[identity]))
        if problem is not None:
            problems.append(problem)
        else:
            if identity is not None:
                seen[identity] = ri + 1
            found.append(TemplateRow(ri + 1, answers))
    if not found and not problems:
        raise SheetError(NoRows())
    return TemplateRead(found, problems)


# --------------------------------------------------------------------------- the definition's text


def units_toml(units: Sequence[Unit]) -> str:
    """``[[units]]`` tables for ``units``, in the compact form of the built-in definitions."""

    def string(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

    def nodes(children: Sequence[Reserved]) -> str:
        parts = []
        for node in children:
            if node.children:
                parts.append(f"{node.kind} = {{ count = {node.count}, {nodes(node.children)} }}")
            else:
                parts.append(f"{node.kind} = {node.count}")
        return ", ".join(parts)

    out: list[str] = []
    for unit in units:
        out += ["", "[[units]]", f"name = {string(unit.name)}"]
        if unit.name_en:
            out.append(f"name_en = {string(unit.name_en)}")
        for key, alloc in unit.quotas.items():
            if alloc.reserved:
                out.append(f"quotas.{key} = {{ cap = {alloc.cap}, {nodes(alloc.reserved)} }}")
            else:
                out.append(f"quotas.{key} = {alloc.cap}")
    return "\n".join(out) + "\n"


def _header(line: str) -> str | None:
    """The table name of a TOML header line (``[[units]]`` → ``units``), else None."""
    text = line.strip()
    if not text.startswith("["):
        return None
    return text.strip("[]").split("]")[0].strip()


def with_units(text: str, units: Sequence[Unit]) -> str:
    """The definition's TOML ``text`` with its ``[[units]]`` tables replaced by ``units``' (the
    rest kept as the office wrote it, comments included). The caller parses the result and
    compares it with the intended definition: a text this cannot splice is refused there."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        name = _header(line)
        if name is not None:
            inside = name == "units" or name.startswith("units.")
        if not inside:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n" + units_toml(units)


def cell_text(value: Any) -> str:
    """A cell's value as the chat would have received it typed: a whole number without ``.0``,
    a date as YYYY-MM-DD (with its time when it has one), 是/否 for a checkbox value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


__all__ = [
    "ALLOCATION_SHEET",
    "MARKER",
    "MARKER_SHEET",
    "TEMPLATE_SHEET",
    "AllocationRead",
    "TemplateColumn",
    "TemplateRead",
    "TemplateRow",
    "allocation_awards",
    "allocation_header",
    "allocation_row",
    "cell_text",
    "form_digest",
    "nest",
    "photo_fields",
    "read_allocation",
    "read_template",
    "template_columns",
    "units_toml",
    "with_units",
]
