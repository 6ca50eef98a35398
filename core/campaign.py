"""A campaign definition: everything an office may change from one campaign to the next.

The file format is TOML (see README "Campaign definition files"); these pydantic models are
its schema. Cross-checks that need the whole definition live in :func:`cross_check`, which
returns every problem with its key path instead of stopping at the first one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from datetime import time as clock_time
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Percent = Annotated[float, Field(gt=0, le=100)]

# A selector: field key -> accepted values. A nominee matches when every listed field's
# answer is one of the values. Selectors are how sub-quotas, pools, divisions, proportions
# and eligibility rules say which nominees they are about.
Selector = dict[Key, list[Name]]

FieldType = Literal[
    "text",
    "longtext",
    "person_name",
    "org_name",
    "choice",
    "yesno",
    "integer",
    "id_number",
    "phone",
    "photo",
]
YES, NO = "是", "否"


DEFAULT_TIMEZONE = "Asia/Shanghai"  # where the campaigns of both notices are run


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def matches(where: Mapping[str, Sequence[str]], answers: Mapping[str, Any]) -> bool:
    return all(answers.get(key) in values for key, values in where.items())


# Answers that say "none" to an optional free-text question (职称: 无): a question asked only
# when that one has an answer (``when_answered``) is not asked after them.
NONE_ANSWERS = frozenset({"无", "没有", "暂无", "未获得", "无职称", "暂无职称", "无荣誉", "暂无荣誉", "none", "n/a"})


def given(value: Any) -> bool:
    """An answer that says something: not skipped (None) and not one of :data:`NONE_ANSWERS`."""
    if value is None:
        return False
    return not (isinstance(value, str) and value.strip().casefold() in NONE_ANSWERS)


def applies(fdef: FieldDef, answers: Mapping[str, Any]) -> bool:
    """Whether question ``fdef`` is asked given the answers so far: its ``when`` selector matches
    and every question of its ``when_answered`` has an answer (:func:`given`). A condition on a
    question not answered yet does not hold."""
    return matches(fdef.when, answers) and all(given(answers.get(key)) for key in fdef.when_answered)


def intersect(a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The selector matching exactly the nominees matched by both ``a`` and ``b``."""
    out = {k: list(v) for k, v in a.items()}
    for key, values in b.items():
        out[key] = [v for v in out[key] if v in values] if key in out else list(values)
    return out


def disjoint(a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]]) -> bool:
    """True when no nominee can match both (some shared field has no common value)."""
    return any(not set(a[k]) & set(b[k]) for k in a.keys() & b.keys())


class FieldDef(Model):
    """One question of the intake form."""

    key: Key
    label: Text
    label_en: Text | None = None
    short: Name | None = Field(None, max_length=20, description="a short label for buttons and tables")
    short_en: Name | None = Field(None, max_length=32)
    type: FieldType
    required: bool = True
    choices: list[Name] = []
    choices_en: list[Name] = []
    common: int | None = Field(None, ge=1, description="choices shown as buttons; the rest are typed")
    when: Selector = {}
    when_answered: list[Key] = Field(
        [], description="asked only when each of these questions has an answer (not skipped, not 无)"
    )
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=1, le=20000)
    min: int | None = None
    max: int | None = None
    max_width: int | None = Field(None, ge=16, le=10000)
    max_height: int | None = Field(None, ge=16, le=10000)
    help: str | None = None
    help_en: str | None = None

    @model_validator(mode="after")
    def _choices(self) -> FieldDef:
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs `choices`")
        if self.type == "yesno" and self.choices:
            raise ValueError("a yesno field has the fixed choices 是/否; remove `choices`")
        if self.choices_en and len(self.choices_en) != len(self.choices):
            raise ValueError("`choices_en` must have one entry per choice")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("duplicate choices")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        return self

    @property
    def options(self) -> list[str]:
        return [YES, NO] if self.type == "yesno" else list(self.choices)

    def option_en(self, value: str) -> str:
        if self.type == "yesno":
            return {"是": "Yes", "否": "No"}.get(value, value)
        if value in self.choices and self.choices_en:
            return self.choices_en[self.choices.index(value)]
        return value


class ReservedKind(Model):
    """A kind of reserved sub-quota an allocation may name (e.g. 一线产业工人)."""

    name: Name
    name_en: Name | None = None
    where: Selector


class Division(Model):
    """A campaign-wide part of an award with its own total (劳模: 95 企业职工 + 15 农民)."""

    key: Key
    name: Name
    name_en: Name | None = None
    total: int = Field(ge=0)
    where: Selector


class AlternateRule(Model):
    """Who nominates one of ``for_where`` must also nominate an alternate matching ``alternate_where``."""

    for_where: Selector
    alternate_where: Selector


class Award(Model):
    key: Key
    name: Name
    name_en: Name | None = None
    kind: Literal["individual", "collective"]
    total: int = Field(ge=0)
    competitive: bool = Field(False, description="more nominations than places (差额); total is not a cap")
    per_unit_max: int | None = Field(None, ge=1)
    per_unit_min: int | None = Field(None, ge=0)
    categories: list[Name] = []
    categories_en: list[Name] = []
    divisions: list[Division] = []
    reserved: dict[Key, ReservedKind] = {}
    fields: list[Key]
    alternate: AlternateRule | None = None

    @model_validator(mode="after")
    def _shape(self) -> Award:
        if self.categories_en and len(self.categories_en) != len(self.categories):
            raise ValueError("`categories_en` must have one entry per category")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("duplicate categories")
        if len(set(self.fields)) != len(self.fields):
            raise ValueError("a field is listed twice in `fields`")
        return self

    def category_en(self, value: str) -> str:
        if value in self.categories and self.categories_en:
            return self.categories_en[self.categories.index(value)]
        return value


class Reserved(Model):
    """``count`` places of a unit's allocation reserved for nominees of ``kind`` (nested: 其中)."""

    kind: Key
    count: int = Field(ge=0)
    children: list[Reserved] = []


class Allocation(Model):
    cap: int = Field(ge=0)
    reserved: list[Reserved] = []

    @model_validator(mode="before")
    @classmethod
    def _compact(cls, data: Any) -> Any:
        """``6`` or ``{cap = 6, industrial = 4, scitech = 1}`` or nested
        ``{cap = 4, enterprise = {count = 3, nonpublic = 2}}``."""
        if isinstance(data, int) and not isinstance(data, bool):
            return {"cap": data}
        if isinstance(data, dict) and "reserved" not in data:
            rest = {k: v for k, v in data.items() if k != "cap"}
            cap = {"cap": data["cap"]} if "cap" in data else {}  # absent: "missing", not "not an integer"
            return {**cap, "reserved": [_reserved(k, v) for k, v in rest.items()]}
        return data


def _reserved(kind: str, value: Any) -> Any:
    if isinstance(value, dict):
        rest = {k: v for k, v in value.items() if k != "count"}
        count = {"count": value["count"]} if "count" in value else {}
        return {"kind": kind, **count, "children": [_reserved(k, v) for k, v in rest.items()]}
    return {"kind": kind, "count": value}


class Unit(Model):
    """A recommending unit (推荐单位) and its allocation per award key."""

    name: Name
    name_en: Name | None = None
    quotas: dict[Key, Allocation] = {}


class Pool(Model):
    """A campaign-wide limit shared by all units (科级 4, 企业负责人 7)."""

    key: Key
    name: Name
    name_en: Name | None = None
    award: Key
    cap: int = Field(ge=0)
    where: Selector


class Proportion(Model):
    """A city-wide share target over one award (or several), optionally of one division."""

    key: Key
    name: Name
    name_en: Name | None = None
    awards: list[Key] = Field(min_length=1)
    division: Key | None = None
    where: Selector
    min_pct: Percent | None = None
    max_pct: Percent | None = None

    @model_validator(mode="after")
    def _bound(self) -> Proportion:
        if (self.min_pct is None) == (self.max_pct is None):
            raise ValueError("give exactly one of min_pct and max_pct")
        return self


class EligibilityRule(Model):
    """hard: a match refuses the nominee; soft: allowed only with a written reason."""

    key: Key
    awards: list[Key] = Field(min_length=1)
    kind: Literal["hard", "soft"]
    when: Selector
    message: Text
    message_en: Text | None = None


class Stage(Model):
    key: Key
    name: Name
    name_en: Name | None = None
    deadline: date | None = None
    # the hour the stage closes on its deadline day (campaign's time zone); none: the day's end
    time: clock_time | None = None
    closes_entry: bool = True


class ReminderSettings(Model):
    """When clerks of unfinished units are reminded of a deadline: ``days_before`` (0 = the
    morning of the deadline day), at ``hour`` o'clock local time (never at night: 7–20)."""

    days_before: list[Annotated[int, Field(ge=0, le=60)]] = [7, 3, 1, 0]
    hour: int = Field(default=9, ge=7, le=20)


class CalendarYear(Model):
    """The official holidays and make-up working days (调休上班) of a year chinese-calendar does
    not know yet, copied from the State Council's notice (国务院办公厅关于…部分节假日安排的通知)."""

    year: int = Field(ge=2004, le=2100)
    holidays: list[date] = []
    workdays: list[date] = []


class Column(Model):
    title: Name
    source: str = Field(min_length=1, description="a field key, or #, unit, award, category, gender, age, remark")


class Table(Model):
    key: Key
    title: Name
    header: str = "填报单位：{unit}    填报人：{clerk}    联系电话：{phone}"
    awards: list[Key] = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)


# Sources a table column may name besides field keys.
DERIVED_SOURCES = frozenset({"#", "unit", "award", "category", "gender", "age", "birth_date", "remark", "status"})


class Campaign(Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    name: Name
    name_en: Name | None = None
    office: Name
    # whom a clerk asks, as the notice prints it (联系人 and 电话); said with every "closed" answer
    contact: Name | None = None
    timezone: str = DEFAULT_TIMEZONE
    fields: dict[Key, FieldDef]
    awards: list[Award] = Field(min_length=1)
    units: list[Unit] = []
    pools: list[Pool] = []
    proportions: list[Proportion] = []
    eligibility: list[EligibilityRule] = []
    stages: list[Stage] = []
    tables: list[Table] = []
    reminders: ReminderSettings = ReminderSettings()
    calendar: list[CalendarYear] = []

    @model_validator(mode="before")
    @classmethod
    def _field_keys(cls, data: Any) -> Any:
        """``[fields.name]`` tables need not repeat their key."""
        if isinstance(data, dict) and isinstance(data.get("fields"), dict):
            data = dict(data)
            data["fields"] = {
                k: ({"key": k, **v} if isinstance(v, dict) and "key" not in v else v) for k, v in data["fields"].items()
            }
        return data

    @cached_property
    def digest(self) -> str:
        """A content hash: two loads of the same definition compare equal."""
        data = self.model_dump(mode="json")
        # Keys added later (issue 11) count only when used: a stored definition that does not use
        # them keeps its digest, and loading it again is no change.
        if data["reminders"] == ReminderSettings().model_dump(mode="json"):
            del data["reminders"]
        if not data["calendar"]:
            del data["calendar"]
        for stage in data["stages"]:
            if stage["time"] is None:
                del stage["time"]
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def award(self, key: str) -> Award:
        for award in self.awards:
            if award.key == key:
                return award
        raise KeyError(key)

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)

    def award_fields(self, award: Award) -> list[FieldDef]:
        return [self.fields[k] for k in award.fields]

    def pools_for(self, award: str) -> list[Pool]:
        return [p for p in self.pools if p.award == award]


def walk_reserved(
    reserved: Sequence[Reserved], path: tuple[int, ...] = ()
) -> Iterator[tuple[tuple[int, ...], Reserved]]:
    for i, node in enumerate(reserved):
        yield (*path, i), node
        yield from walk_reserved(node.children, (*path, i))


# --------------------------------------------------------------------------- cross-checks

Problem = tuple[str, str]  # (key path, message)


def cross_check(c: Campaign) -> list[Problem]:
    """Consistency checks that span the definition. Messages are for the office's editor."""
    problems: list[Problem] = []
    award_keys = [a.key for a in c.awards]
    for i, key in enumerate(award_keys):
        if award_keys.index(key) != i:
            problems.append((f"awards[{i}].key", f"奖项键 “{key}” 重复"))
    awards = {a.key: a for a in c.awards}

    def check_selector(path: str, where: Mapping[str, Sequence[str]], award_list: Sequence[str]) -> None:
        for fkey, values in where.items():
            if fkey == "category":
                known = {v for a in award_list if a in awards for v in awards[a].categories}
            elif fkey in c.fields:
                known = set(c.fields[fkey].options)
                if not known:
                    problems.append((f"{path}.{fkey}", f"字段 “{fkey}” 不是选择题，不能用于条件"))
                    continue
            else:
                problems.append((f"{path}.{fkey}", f"未知字段 “{fkey}”"))
                continue
            for value in values:
                if value not in known:
                    problems.append((f"{path}.{fkey}", f"未知取值 “{value}”（可选：{'、'.join(sorted(known))}）"))

    for fkey, fdef in c.fields.items():
        if fdef.key != fkey:
            problems.append((f"fields.{fkey}.key", f"键应为 “{fkey}”"))
        check_selector(f"fields.{fkey}.when", fdef.when, award_keys)

    for ai, award in enumerate(c.awards):
        base = f"awards[{ai}]"
        for fi, fkey in enumerate(award.fields):
            if fkey not in c.fields:
                problems.append((f"{base}.fields[{fi}]", f"未定义的字段 “{fkey}”"))
            elif fkey == "category":
                problems.append((f"{base}.fields[{fi}]", "“category” 由 categories 生成，不要列在 fields 中"))
        for fi, fkey in enumerate(award.fields):
            when = c.fields[fkey].when if fkey in c.fields else {}
            for dep in when:
                if dep != "category" and dep in award.fields and award.fields.index(dep) > fi:
                    problems.append((f"{base}.fields[{fi}]", f"“{fkey}” 的显示条件依赖后面的字段 “{dep}”"))
            for dep in c.fields[fkey].when_answered if fkey in c.fields else []:
                if dep not in award.fields:
                    problems.append((f"{base}.fields[{fi}]", f"“{fkey}” 的显示条件依赖本奖项没有的字段 “{dep}”"))
                elif award.fields.index(dep) > fi:
                    problems.append((f"{base}.fields[{fi}]", f"“{fkey}” 的显示条件依赖后面的字段 “{dep}”"))
        if award.kind == "individual" and not award.categories:
            problems.append((f"{base}.categories", "个人奖项须列出人员结构（categories）"))
        if award.competitive and award.per_unit_max is None:
            problems.append((f"{base}.per_unit_max", "差额奖项须规定每个推荐单位的推荐上限"))
        if award.per_unit_min and award.per_unit_max and award.per_unit_min > award.per_unit_max:
            problems.append((f"{base}.per_unit_min", "下限大于上限"))
        for rkey, kind in award.reserved.items():
            check_selector(f"{base}.reserved.{rkey}.where", kind.where, [award.key])
        div_sum = sum(d.total for d in award.divisions)
        if award.divisions and div_sum != award.total:
            problems.append((f"{base}.divisions", f"各部分合计 {div_sum}，与奖项总数 {award.total} 不符"))
        for di, div in enumerate(award.divisions):
            check_selector(f"{base}.divisions[{di}].where", div.where, [award.key])
            for dj in range(di):
                if not disjoint(div.where, award.divisions[dj].where):
                    problems.append((f"{base}.divisions[{di}].where", f"与 “{award.divisions[dj].name}” 有重叠"))
        if award.alternate:
            check_selector(f"{base}.alternate.for_where", award.alternate.for_where, [award.key])
            check_selector(f"{base}.alternate.alternate_where", award.alternate.alternate_where, [award.key])

    unit_names: dict[str, int] = {}
    sums: dict[str, int] = {}
    for ui, unit in enumerate(c.units):
        base = f"units[{ui}]"
        if unit.name in unit_names:
            problems.append((f"{base}.name", f"推荐单位 “{unit.name}” 重复（另见 units[{unit_names[unit.name]}]）"))
        unit_names.setdefault(unit.name, ui)
        for akey, alloc in unit.quotas.items():
            qpath = f"{base}.quotas.{akey}"
            if akey not in awards:
                problems.append((qpath, f"未知奖项 “{akey}”"))
                continue
            award = awards[akey]
            sums[akey] = sums.get(akey, 0) + alloc.cap
            problems.extend(_check_reserved(qpath, award, alloc.cap, alloc.reserved, {}))
    if c.units:
        for award in c.awards:
            if award.competitive:
                continue
            got = sums.get(award.key, 0)
            if got != award.total:
                problems.append(("units", f"{award.name}：各单位名额合计 {got}，与总数 {award.total} 不符"))

    for pi, pool in enumerate(c.pools):
        if pool.award not in awards:
            problems.append((f"pools[{pi}].award", f"未知奖项 “{pool.award}”"))
        else:
            check_selector(f"pools[{pi}].where", pool.where, [pool.award])
    for pi, prop in enumerate(c.proportions):
        for ak in prop.awards:
            if ak not in awards:
                problems.append((f"proportions[{pi}].awards", f"未知奖项 “{ak}”"))
        check_selector(f"proportions[{pi}].where", prop.where, prop.awards)
        if prop.division is not None:
            divs = {d.key for ak in prop.awards if ak in awards for d in awards[ak].divisions}
            if len(prop.awards) != 1 or prop.division not in divs:
                problems.append((f"proportions[{pi}].division", f"奖项中没有部分 “{prop.division}”"))
    for ei, rule in enumerate(c.eligibility):
        for ak in rule.awards:
            if ak not in awards:
                problems.append((f"eligibility[{ei}].awards", f"未知奖项 “{ak}”"))
        check_selector(f"eligibility[{ei}].when", rule.when, rule.awards)
    for ti, table in enumerate(c.tables):
        for ak in table.awards:
            if ak not in awards:
                problems.append((f"tables[{ti}].awards", f"未知奖项 “{ak}”"))
        for ci, col in enumerate(table.columns):
            if col.source not in c.fields and col.source not in DERIVED_SOURCES:
                problems.append((f"tables[{ti}].columns[{ci}].source", f"未知数据来源 “{col.source}”"))
    if len(set(c.reminders.days_before)) != len(c.reminders.days_before):
        problems.append(("reminders.days_before", "提醒天数重复"))
    seen_years: set[int] = set()
    for yi, year in enumerate(c.calendar):
        if year.year in seen_years:
            problems.append((f"calendar[{yi}].year", f"年份 {year.year} 重复"))
        seen_years.add(year.year)
        for what in ("holidays", "workdays"):
            for di, day in enumerate(getattr(year, what)):
                if day.year != year.year:
                    problems.append((f"calendar[{yi}].{what}[{di}]", f"{day} 不在 {year.year} 年"))
        for day in sorted(set(year.holidays) & set(year.workdays)):
            problems.append((f"calendar[{yi}].workdays", f"{day} 既是假日又是调休上班日"))
    return problems


def _check_reserved(
    path: str, award: Award, cap: int, nodes: Sequence[Reserved], parent_where: Mapping[str, Sequence[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    total = sum(n.count for n in nodes)
    if total > cap:
        problems.append((path, f"预留名额合计 {total}，超过上限 {cap}"))
    effective: list[dict[str, list[str]]] = []
    for _i, node in enumerate(nodes):
        npath = f"{path}.{node.kind}"
        kind = award.reserved.get(node.kind)
        if kind is None:
            problems.append(
                (npath, f"未知的预留类别 “{node.kind}”（{award.name} 可用：{'、'.join(award.reserved) or '无'}）")
            )
            effective.append({})
            continue
        where = intersect(parent_where, kind.where)
        if any(not values for values in where.values()):
            problems.append((npath, f"“{kind.name}” 与上级预留类别没有交集，这些名额永远无法填满"))
        for j, other in enumerate(effective):
            if other and not disjoint(where, other):
                problems.append((npath, f"与同级预留类别 “{nodes[j].kind}” 有重叠：请改为嵌套（其中）"))
        effective.append(where)
        problems.extend(_check_reserved(npath, award, node.count, node.children, where))
    return problems
