"""The rows of the tables to hand in, built from nominees' answers (pure; ``sheets/`` lays them out).

- :func:`summary` — a definition's ``[[tables]]`` (附件2/附件3 of the Zhangjiakou notice, the
  Zhengzhou 情况汇总表): one row per nominee, columns as the definition names them.
- :func:`opinions` — who gets a 相关部门签署意见表 (one per individual nominee).
- :func:`publicity` — the 公示 list: only what may be published, never a 涉敏 nominee.
- :func:`allocation` — the allocation table (名额分配表) with the places used and left.

Which nominees are listed (:data:`EXPORTED`): those on a unit's list now — saved, submitted,
returned for correction, accepted, approved — alternates included (marked 备选 in 备注); withdrawn
and not-approved ones are not. The 公示 list leaves out alternates (they take no place and are
published only if they stand in) and every 涉敏 nominee (郑工办〔2024〕6号: 敏感对象只进行基层公示,
不对外宣传).

Every value is a ``str`` or an ``int`` (counts, ages, 序号); ID and phone numbers stay strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.campaign import YES, Allocation, Award, Campaign, Reserved, Table, Unit
from core.form import age_on
from core.quota import ReservedStatus, UnitAwardStatus
from core.records import PLACE_HOLDING, NomineeInfo

Value = str | int | None

EXPORTED: frozenset[str] = PLACE_HOLDING
SENSITIVE = "sensitive"  # the yes/no field a unit declares a 涉敏 nominee with (both notices' definitions)
# What the 公示 shows (郑工办〔2024〕6号: 奖章 姓名、单位、职务和简要事迹; 奖状/先锋号 具体完整的单位名称和简要事迹)
PERSON_NAME, EMPLOYER, DEEDS = "name", "employer", "deeds"
ORG_NAME, TEAM_NAME, PARENT_ORG = "org_name", "team_name", "parent_org"
UNIT_TITLE = "推荐单位"


@dataclass(frozen=True)
class Rows:
    """One table's content. ``text_columns``: indexes of the columns whose values are text even
    when they look like numbers (ID and phone numbers: stored and shown as typed)."""

    key: str
    title: str
    header: str  # the 填报单位 line, filled in ("" when the table has none)
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    footer: str | None = None
    text_columns: frozenset[int] = frozenset()
    long_columns: frozenset[int] = frozenset()  # free text (deeds): wide and wrapped


@dataclass(frozen=True)
class Filler:
    """Who fills the table in: the 填报单位 (a unit, or the office for the city-wide export),
    the 填报人 and their phone ("" leaves the blank to write in by hand)."""

    unit: str
    clerk: str = ""
    phone: str = ""


def is_sensitive(nominee: NomineeInfo) -> bool:
    return nominee.answers.get(SENSITIVE) == YES


def exported(nominees: Iterable[NomineeInfo]) -> list[NomineeInfo]:
    return [n for n in nominees if n.status in EXPORTED]


def ordered(campaign: Campaign, nominees: Iterable[NomineeInfo]) -> list[NomineeInfo]:
    """By unit in the definition's order (units it no longer names last, by name), award, then id."""
    units = {u.name: i for i, u in enumerate(campaign.units)}
    awards = {a.key: i for i, a in enumerate(campaign.awards)}
    return sorted(nominees, key=lambda n: (units.get(n.unit, len(units)), n.unit, awards.get(n.award, 99), n.id))


def _text(value: Any) -> Value:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return YES if value else "否"
    if isinstance(value, int):
        return value
    if isinstance(value, list):  # a multiple-choice answer, as the chat shows it
        return "、".join(str(v) for v in value)
    return str(value)


def remark(nominee: NomineeInfo, names: Mapping[int, str]) -> str:
    """备注: 备选 (and whose), 涉敏 — what the office must know beside the columns."""
    parts = []
    if nominee.alternate_for is not None:
        principal = names.get(nominee.alternate_for)
        parts.append(f"备选（{principal}）" if principal else "备选")
    if is_sensitive(nominee):
        parts.append("涉敏信息对象（仅基层公示）")
    if nominee.status == "returned":
        parts.append("退回修改中")
    return "；".join(parts)


def _title_of(nominee: NomineeInfo) -> str:
    a = nominee.answers
    return str(a.get(PERSON_NAME) or a.get(TEAM_NAME) or a.get(ORG_NAME) or "")


def summary(
    campaign: Campaign, table: Table, nominees: Sequence[NomineeInfo], filler: Filler, on: date, *, city_wide: bool
) -> Rows:
    """The rows of ``table`` for the exported ones of ``nominees`` (:data:`EXPORTED`) of its
    awards; ``on``: the day ages are counted to. ``city_wide``: a table without a 推荐单位 column
    gets one after 序号 (the office's combined table must say whose each row is)."""
    names = {n.id: _title_of(n) for n in nominees}
    chosen = ordered(campaign, [n for n in exported(nominees) if n.award in table.awards])
    sources = [c.source for c in table.columns]
    titles = [c.title for c in table.columns]
    if city_wide and "unit" not in sources:
        at = 1 if sources and sources[0] == "#" else 0
        sources.insert(at, "unit")
        titles.insert(at, UNIT_TITLE)
    awards = {a.key: a for a in campaign.awards}
    rows: list[tuple[Value, ...]] = []
    for seq, n in enumerate(chosen, 1):
        a = n.answers
        row: list[Value] = []
        for source in sources:
            match source:
                case "#":
                    row.append(seq)
                case "unit":
                    row.append(n.unit)
                case "award":
                    row.append(awards[n.award].name if n.award in awards else n.award)
                case "age":
                    row.append(age_on(a, on))
                case "remark":
                    row.append(remark(n, names))
                case "status":
                    row.append(n.status)
                case "full_name":
                    row.append(full_org_name(a))
                case _:
                    row.append(_text(a.get(source)))
        rows.append(tuple(row))
    text = frozenset(i for i, s in enumerate(sources) if _is_text_field(campaign, s))
    long = frozenset(i for i, s in enumerate(sources) if s in campaign.fields and campaign.fields[s].type == "longtext")
    header = table.header.format(unit=filler.unit, clerk=filler.clerk, phone=filler.phone) if table.header else ""
    return Rows(table.key, table.title, header, tuple(titles), rows, table.footer, text, long)


def _is_text_field(campaign: Campaign, source: str) -> bool:
    fdef = campaign.fields.get(source)
    return fdef is not None and fdef.type in ("id_number", "phone", "text", "longtext", "person_name", "org_name")


@dataclass(frozen=True)
class Opinion:
    """One 相关部门签署意见表: 姓名 and 单位及职务 filled in."""

    unit: str
    name: str
    position: str


def opinions(campaign: Campaign, nominees: Sequence[NomineeInfo]) -> list[Opinion]:
    """One form per exported individual nominee (alternates too: they are consulted on as well)."""
    individual = {a.key for a in campaign.awards if a.kind == "individual"}
    return [
        Opinion(n.unit, str(n.answers.get(PERSON_NAME) or ""), str(n.answers.get(EMPLOYER) or ""))
        for n in ordered(campaign, exported(nominees))
        if n.award in individual
    ]


def full_org_name(answers: Mapping[str, Any]) -> str:
    """A collective's complete name as the 公示 must show it: a section (车间、班组…) with its
    organisation in front, unless its own name already starts with it."""
    own = str(answers.get(TEAM_NAME) or answers.get(ORG_NAME) or "")
    parent = str(answers.get(PARENT_ORG) or "")
    return own if not parent or own.startswith(parent) else parent + own


def publicity(campaign: Campaign, nominees: Sequence[NomineeInfo], *, city_wide: bool) -> list[Rows]:
    """The 公示 lists, one per award with nominees: individuals 序号、姓名、工作单位及职务、简要事迹;
    collectives 序号、单位名称（完整）、简要事迹 (推荐单位 after 序号 when ``city_wide``).
    Alternates and every 涉敏 nominee are left out."""
    shown = [n for n in exported(nominees) if n.alternate_for is None and not is_sensitive(n)]
    out: list[Rows] = []
    for award in campaign.awards:
        mine = ordered(campaign, [n for n in shown if n.award == award.key])
        if not mine:
            continue
        unit_col = (UNIT_TITLE,) if city_wide else ()
        if award.kind == "individual":
            columns = ("序号", *unit_col, "姓名", "工作单位及职务", "简要事迹")
            rows: list[tuple[Value, ...]] = [
                (
                    i,
                    *((n.unit,) if city_wide else ()),
                    _text(n.answers.get(PERSON_NAME)),
                    _text(n.answers.get(EMPLOYER)),
                    _text(n.answers.get(DEEDS)),
                )
                for i, n in enumerate(mine, 1)
            ]
        else:
            columns = ("序号", *unit_col, "单位名称", "简要事迹")
            rows = [
                (i, *((n.unit,) if city_wide else ()), full_org_name(n.answers), _text(n.answers.get(DEEDS)))
                for i, n in enumerate(mine, 1)
            ]
        last = len(columns) - 1
        texts = frozenset(range(1, len(columns)))
        out.append(Rows(award.key, f"{award.name}推荐对象公示名单", "", columns, rows, None, texts, frozenset({last})))
    return out


# --------------------------------------------------------------------------- the allocation table


def _reserved_text(award: Award, nodes: Sequence[Reserved]) -> str:
    parts: list[str] = []
    for i, node in enumerate(nodes):
        kind = award.kinds.get(node.kind)  # a reserved kind or a division
        name = kind.name if kind is not None else node.kind
        text = f"{name}{node.count}"
        if node.children:
            inner = _reserved_text(award, node.children)
            # the notice's "企业班组3，其中非公2"; brackets when a sibling follows, to stay unambiguous
            text += f"（其中{inner}）" if i < len(nodes) - 1 else f"，其中{inner}"
        parts.append(text)
    return "、".join(parts)


def allocation_cell(award: Award, alloc: Allocation | None) -> str:
    """``6（一线产业工人4、一线科教1）``, ``4（企业班组3，其中非公2）``, ``2``; ``0`` when none."""
    if alloc is None:
        return "0"
    if not alloc.reserved:
        return str(alloc.cap)
    return f"{alloc.cap}（{_reserved_text(award, alloc.reserved)}）"


def per_unit(award: Award) -> str:
    low, high = award.per_unit_min, award.per_unit_max
    if low and high:
        return f"{low}-{high}"
    return f"≤{high}" if high else "—"


def table_awards(campaign: Campaign) -> list[Award]:
    """The allocation table's columns: allocated awards in the file's order of the first unit
    (先锋号 before 奖章, as in the notice), then the competitive ones (each unit nominates 1–2)."""
    order: list[str] = []
    for unit in campaign.units:
        order.extend(k for k in unit.quotas if k not in order)
    awards = [a for k in order for a in campaign.awards if a.key == k and not a.competitive]
    awards += [a for a in campaign.awards if not a.competitive and a.key not in order]
    awards += [a for a in campaign.awards if a.competitive and a.per_unit_max]
    return awards


def _used_text(statuses: Sequence[ReservedStatus]) -> str:
    parts = []
    for r in statuses:
        text = f"{r.name}{r.filled}"
        if r.children:
            text += f"（其中{_used_text(r.children)}）"
        parts.append(text)
    return "、".join(parts)


@dataclass(frozen=True)
class AllocationRows:
    """The allocation table: per award three columns (分配, 已用, 剩余); one row per unit, the
    合计 row, then the city-wide pools (科级 4, 企业负责人 7) as (name, cap, used, left)."""

    title: str
    awards: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    total: tuple[Value, ...]
    pools: list[tuple[str, int, int, int]] = field(default_factory=list)


def allocation(
    campaign: Campaign,
    status: Mapping[str, Mapping[str, UnitAwardStatus]],
    pools: Sequence[tuple[str, int, int]] = (),
    units: Sequence[Unit] | None = None,
) -> AllocationRows:
    """``status``: per unit name, per award key, what it has used (core.quota.unit_status);
    ``pools``: (name, cap, used) of each city-wide pool; ``units``: the rows (default: all)."""
    awards = table_awards(campaign)
    rows: list[tuple[Value, ...]] = []
    used_total = dict.fromkeys((a.key for a in awards), 0)
    listed = list(campaign.units if units is None else units)
    for n, unit in enumerate(listed, 1):
        row: list[Value] = [n, unit.name]
        for award in awards:
            st = status.get(unit.name, {}).get(award.key)
            used = st.used if st is not None else 0
            used_total[award.key] += used
            if award.competitive:
                row += [per_unit(award), used, max(0, (award.per_unit_max or 0) - used)]
                continue
            alloc = unit.quotas.get(award.key)
            cap = alloc.cap if alloc is not None else 0
            detail = _used_text(st.reserved) if st is not None and st.reserved else ""
            # a plain number stays a number, so the office's own sums in Excel count it
            given: Value = allocation_cell(award, alloc) if alloc is not None and alloc.reserved else cap
            row += [given, f"{used}（{detail}）" if detail else used, max(0, cap - used)]
        rows.append(tuple(row))
    total: list[Value] = ["", "合计"]
    for award in awards:
        if award.competitive:
            total += [f"{award.total}（各单位可推荐{per_unit(award)}个）", used_total[award.key], ""]
        else:
            cap = sum(u.quotas[award.key].cap for u in listed if award.key in u.quotas)
            total += [cap, used_total[award.key], max(0, cap - used_total[award.key])]
    title = f"{campaign.name}名额分配表"
    return AllocationRows(
        title,
        tuple(a.name for a in awards),
        rows,
        tuple(total),
        [(name, cap, used, max(0, cap - used)) for name, cap, used in pools],
    )


__all__ = [
    "EXPORTED",
    "SENSITIVE",
    "AllocationRows",
    "Filler",
    "Opinion",
    "Rows",
    "Value",
    "allocation",
    "allocation_cell",
    "exported",
    "full_org_name",
    "is_sensitive",
    "opinions",
    "ordered",
    "per_unit",
    "publicity",
    "remark",
    "summary",
    "table_awards",
]
