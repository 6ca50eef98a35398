"""A campaign definition: everything an office may change from one campaign to the next.

The file format is TOML (see README "Campaign definition files"); these pydantic models are
its schema. Cross-checks that need the whole definition live in :func:`cross_check`, which
returns every problem with its key path instead of stopping at the first one.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from datetime import time as clock_time
from functools import cached_property
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Percent = Annotated[float, Field(gt=0, le=100)]

# A selector says which nominees a sub-quota, pool, division, proportion, eligibility rule or
# question is about. ``{field = [values]}``: the answer is one of the values; several fields must
# all hold. ``{field = { not = [values] }}``: answered, and none of them. ``any = [sel, …]``: one of
# the alternatives holds; ``all = [sel, …]``: each holds; ``not = sel``: the selector does not hold.
# Checked by :func:`selector_problems` (shape) and :func:`cross_check` (fields, values, "never").
Selector = Annotated[dict[str, Any], AfterValidator(lambda v: _selector_shape(v))]
COMBINATORS = ("any", "all", "not")

FieldType = Literal[
    "text",
    "longtext",
    "person_name",
    "org_name",
    "choice",
    "multichoice",
    "yesno",
    "integer",
    "id_number",
    "phone",
    "photo",
]
YES, NO = "是", "否"
MULTI_MAX = 30  # a multiple-choice question's options: its buttons carry the selection as 30 bits


DEFAULT_TIMEZONE = "Asia/Shanghai"  # where the campaigns of both notices are run


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _selector_shape(where: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """The shape of a selector (see :data:`Selector`); the fields and values are cross-checked later."""
    if depth > 8:
        raise ValueError("条件嵌套过深 | the condition is nested too deeply")
    for key, cond in where.items():
        if key in ("any", "all"):
            if not isinstance(cond, list) or not cond or not all(isinstance(s, dict) for s in cond):
                raise ValueError(
                    f'“{key}” 应为条件的列表，如 {key} = [{{ category = ["…"] }}, {{ … }}]'
                    f' | “{key}” must be a list of conditions, e.g. {key} = [{{ category = ["…"] }}, {{ … }}]'
                )
            for sub in cond:
                _selector_shape(sub, depth + 1)
        elif key == "not":
            if not isinstance(cond, dict) or not cond:
                raise ValueError(
                    '“not” 应为一个条件，如 not = { category = ["农民"] }'
                    ' | “not” must be one condition, e.g. not = { category = ["农民"] }'
                )
            _selector_shape(cond, depth + 1)
        else:
            if re.fullmatch(r"[a-z][a-z0-9_]*", key) is None or len(key) > 32:
                raise ValueError(f"“{key}” 不是字段键 | “{key}” is not a field key")
            values = cond.get("not") if isinstance(cond, dict) and set(cond) == {"not"} else cond
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise ValueError(
                    f'“{key}” 应为取值列表 ["…"] 或 {{ not = ["…"] }}'
                    f' | “{key}” must be a list of answers ["…"] or {{ not = ["…"] }}'
                )
    return where


def _value_holds(cond: Any, value: Any) -> bool:
    chosen = value if isinstance(value, list) else [value]  # a multichoice answer: any chosen one
    if isinstance(cond, Mapping):  # { not = [...] }: answered, and none of them
        return value is not None and not any(v in cond["not"] for v in chosen)
    return any(v in cond for v in chosen) if isinstance(value, list) else value in cond


def matches(where: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Whether ``answers`` satisfy the selector ``where`` (an empty selector matches everyone)."""
    for key, cond in where.items():
        if key == "any":
            ok = any(matches(sub, answers) for sub in cond)
        elif key == "all":
            ok = all(matches(sub, answers) for sub in cond)
        elif key == "not":
            ok = not matches(cond, answers)
        else:
            ok = _value_holds(cond, answers.get(key))
        if not ok:
            return False
    return True


def fields_of(where: Mapping[str, Any]) -> list[str]:
    """The field keys a selector reads, in order of appearance."""
    out: dict[str, None] = {}
    for key, cond in where.items():
        if key in ("any", "all"):
            for sub in cond:
                out.update(dict.fromkeys(fields_of(sub)))
        elif key == "not":
            out.update(dict.fromkeys(fields_of(cond)))
        else:
            out[key] = None
    return list(out)


def values_of(where: Mapping[str, Any], key: str) -> list[str]:
    """The values a selector names for ``key`` (in lists or ``not`` lists, at any depth)."""
    out: dict[str, None] = {}
    for k, cond in where.items():
        if k in ("any", "all"):
            for sub in cond:
                out.update(dict.fromkeys(values_of(sub, key)))
        elif k == "not":
            out.update(dict.fromkeys(values_of(cond, key)))
        elif k == key:
            out.update(dict.fromkeys(cond["not"] if isinstance(cond, Mapping) else cond))
    return list(out)


def simple(where: Mapping[str, Any]) -> bool:
    """A plain selector: only ``field = [values]`` entries."""
    return all(k not in COMBINATORS and isinstance(v, list) for k, v in where.items())


def listed(where: Mapping[str, Any], key: str) -> list[str]:
    """The accepted values of ``key`` when the selector lists them plainly, else []."""
    cond = where.get(key)
    return list(cond) if isinstance(cond, list) else []


_OTHER = "\x00other"  # an answer no selector names
MAX_ASSIGNMENTS = 200_000


def assignments(domains: Mapping[str, Sequence[Any]]) -> Iterator[dict[str, Any]]:
    keys = list(domains)
    for combo in itertools.product(*(domains[k] for k in keys)):
        yield dict(zip(keys, combo, strict=True))


def satisfiable(where: Mapping[str, Any], domains: Mapping[str, Sequence[Any]]) -> bool:
    """Whether some answers drawn from ``domains`` (field → possible answers, None for "not
    answered") satisfy ``where``; fields without a domain may take any answer."""
    doms = _domains([where], domains)
    if math.prod(len(d) for d in doms.values()) > MAX_ASSIGNMENTS:
        return True  # too many to try: assume it can
    return any(matches(where, a) for a in assignments(doms))


def _domains(wheres: Sequence[Mapping[str, Any]], known: Mapping[str, Sequence[Any]] = {}) -> dict[str, list[Any]]:
    doms: dict[str, list[Any]] = {}
    for key in dict.fromkeys(k for w in wheres for k in fields_of(w)):
        if key in known:
            doms[key] = list(known[key])
        else:
            doms[key] = [*dict.fromkeys(v for w in wheres for v in values_of(w, key)), _OTHER, None]
    return doms


def intersect(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The selector matching exactly the nominees matched by both ``a`` and ``b``."""
    if not (simple(a) and simple(b)):
        return {"all": [dict(a), dict(b)]} if a and b else dict(a or b)
    out = {k: list(v) for k, v in a.items()}
    for key, values in b.items():
        out[key] = [v for v in out[key] if v in values] if key in out else list(values)
    return out


def disjoint(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """True when no nominee can match both."""
    if simple(a) and simple(b):
        return any(not set(a[k]) & set(b[k]) for k in a.keys() & b.keys())
    doms = _domains([a, b])
    if math.prod(len(d) for d in doms.values()) > MAX_ASSIGNMENTS:
        return False  # too many to try: assume they overlap
    return not any(matches(a, x) and matches(b, x) for x in assignments(doms))


# Answers that say "none" to an optional free-text question (职称: 无): a question asked only
# when that one has an answer (``when_answered``) is not asked after them.
NONE_ANSWERS = frozenset({"无", "没有", "暂无", "未获得", "无职称", "暂无职称", "无荣誉", "暂无荣誉", "none", "n/a"})


def given(value: Any) -> bool:
    """An answer that says something: not skipped (None) and not one of :data:`NONE_ANSWERS`."""
    if value is None:
        return False
    if isinstance(value, list):  # a multiple-choice answer: given when something was chosen
        return bool(value)
    return not (isinstance(value, str) and value.strip().casefold() in NONE_ANSWERS)


def applies(fdef: FieldDef, answers: Mapping[str, Any]) -> bool:
    """Whether question ``fdef`` is asked given the answers so far: its ``when`` selector matches
    and every question of its ``when_answered`` has an answer (:func:`given`). A condition on a
    question not answered yet does not hold."""
    return matches(fdef.when, answers) and all(given(answers.get(key)) for key in fdef.when_answered)


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
        if self.type in ("choice", "multichoice") and not self.choices:
            raise ValueError(f"选择题须列出 choices | a {self.type} field needs `choices`")
        if self.type == "yesno" and self.choices:
            raise ValueError(
                "是非题的选项固定为 是/否，请删去 choices | a yesno field has the fixed choices 是/否; remove `choices`"
            )
        if self.choices_en and len(self.choices_en) != len(self.choices):
            raise ValueError("choices_en 须与 choices 一一对应 | `choices_en` must have one entry per choice")
        if len(set(self.choices)) != len(self.choices):
            twice = next(c for c in self.choices if self.choices.count(c) > 1)
            raise ValueError(f"选项 “{twice}” 重复 | the choice “{twice}” is listed twice")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            raise ValueError("min_length 大于 max_length | min_length is larger than max_length")
        if self.type == "multichoice" and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min 大于 max | min is larger than max")
        if self.type == "multichoice" and len(self.choices) > MULTI_MAX:
            raise ValueError(f"多选题至多 {MULTI_MAX} 个选项 | a multichoice field has at most {MULTI_MAX} choices")
        return self

    @property
    def options(self) -> list[str]:
        return [YES, NO] if self.type == "yesno" else list(self.choices)

    @property
    def possible(self) -> list[Any]:
        """Every answer a selector may meet (None: not answered); a multichoice answer is one of
        the single choices, or none of them."""
        values: list[Any] = [[v] for v in self.options] if self.type == "multichoice" else list(self.options)
        if self.type == "multichoice":
            values.append([])
        if not self.required or self.when or self.when_answered:
            values.append(None)
        return values

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
            raise ValueError(
                "categories_en 须与 categories 一一对应 | `categories_en` must have one entry per category"
            )
        if len(set(self.categories)) != len(self.categories):
            twice = next(c for c in self.categories if self.categories.count(c) > 1)
            raise ValueError(f"类别 “{twice}” 重复 | the category “{twice}” is listed twice")
        if len(set(self.fields)) != len(self.fields):
            twice = next(f for f in self.fields if self.fields.count(f) > 1)
            raise ValueError(f"字段 “{twice}” 在 fields 中列了两次 | the field “{twice}” is listed twice in `fields`")
        return self

    @property
    def kinds(self) -> dict[str, ReservedKind]:
        """What an allocation may name: the award's divisions (a unit's share of each side) and its
        reserved kinds (places kept for nominees of a kind)."""
        out = {d.key: ReservedKind(name=d.name, name_en=d.name_en, where=d.where) for d in self.divisions}
        out.update(self.reserved)
        return out

    def division(self, key: str) -> Division | None:
        return next((d for d in self.divisions if d.key == key), None)

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
    """A city-wide share over one award (or several), optionally of one division: at least
    ``min_pct``, at most ``max_pct``, or both (a range: "应占 20 %"). ``enforce``: the maximum is
    a hard limit claimed at entry like a pool, its count derived from the total (rounded down)."""

    key: Key
    name: Name
    name_en: Name | None = None
    awards: list[Key] = Field(min_length=1)
    division: Key | None = None
    where: Selector
    min_pct: Percent | None = None
    max_pct: Percent | None = None
    enforce: bool = False

    @model_validator(mode="after")
    def _bound(self) -> Proportion:
        if self.min_pct is None and self.max_pct is None:
            raise ValueError(
                "须写 min_pct（至少）或 max_pct（至多），或两者（范围）"
                " | give min_pct (at least), max_pct (at most) or both (a range)"
            )
        if self.min_pct is not None and self.max_pct is not None and self.min_pct > self.max_pct:
            raise ValueError("min_pct 大于 max_pct | min_pct is larger than max_pct")
        if self.enforce and self.max_pct is None:
            raise ValueError(
                "只有上限（max_pct）能在录入时强制执行；下限只能作为目标"
                " | only a maximum (max_pct) can be enforced at entry; a minimum is a target"
            )
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


class ProcedureStep(Model):
    """One step of the procedure a nominee goes through (DOMAIN.md "Procedure"): an approval
    (职代会/职工大会 …), a consultation of a department (征求意见) or a public notice (公示).

    ``awards``: the awards whose nominees it concerns (empty: all); ``where``: a selector on the
    nominee's answers (empty: everyone). A notice lasts ``working_days`` official working days from
    the date recorded, at ``level``. ``required_by``: the stage before whose submission it must be
    done (/submit warns when it is still open); none: tracked only."""

    key: Key
    name: Name
    name_en: Name | None = None
    kind: Literal["approval", "consultation", "notice"]
    awards: list[Key] = []
    where: Selector = {}
    working_days: int | None = Field(None, ge=1, le=60)
    level: Literal["unit", "county", "city"] | None = None
    required_by: Key | None = None


class Column(Model):
    title: Name
    source: str = Field(
        min_length=1, description="a field key, or #, unit, award, category, gender, age, remark, full_name"
    )


class Table(Model):
    """A summary table to hand in (汇总表): its title, the line above the columns (``{unit}``,
    ``{clerk}``, ``{phone}`` filled in), the awards whose nominees it lists and its columns; the
    ``footer`` is printed below the rows (the notice's signatures and seal)."""

    key: Key
    title: Name
    header: str = "填报单位：{unit}    填报人：{clerk}    联系电话：{phone}"
    awards: list[Key] = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)
    footer: str | None = Field(None, max_length=500)


class OpinionForm(Model):
    """The 相关部门签署意见表 printed once per individual nominee: a title (lines split by ``\\n``),
    姓名 and 单位及职务 filled in, one box per department to sign and stamp, and the note."""

    title: str = Field(min_length=1, max_length=200)
    departments: list[Name] = Field(min_length=1, max_length=8)
    note: str | None = Field(None, max_length=1000)


# Answers read off another answer that a selector may name: the sex printed in the ID number
# (女职工 = { gender = ["女"] }) needs no question of its own.
DERIVED_SELECTORS: dict[str, tuple[str, ...]] = {"gender": ("男", "女")}

# Sources a table column may name besides field keys.
# full_name: a collective's complete name (a section with its organisation in front, core.tables)
DERIVED_SOURCES = frozenset(
    {"#", "unit", "award", "category", "gender", "age", "birth_date", "remark", "status", "full_name"}
)


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
    opinion_form: OpinionForm | None = None
    reminders: ReminderSettings = ReminderSettings()
    calendar: list[CalendarYear] = []
    steps: list[ProcedureStep] = []

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
        if not data["steps"]:
            del data["steps"]
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


class Problem(NamedTuple):
    """One problem of a definition: where (key path) and what, in Chinese and in English."""

    path: str
    message: str
    message_en: str


def _join(values: Iterable[str]) -> str:
    return "、".join(values) or "无"


def _join_en(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def cross_check(c: Campaign) -> list[Problem]:
    """Consistency checks that span the definition. Messages are for the office's editor, in
    Chinese and English; every problem is listed, none hides another."""
    problems: list[Problem] = []

    def say(path: str, zh: str, en: str) -> None:
        problems.append(Problem(path, zh, en))

    def unique(section: str, keys: Sequence[str], what: str, what_en: str, attr: str = "key") -> None:
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key in first:
                say(
                    f"{section}[{i}].{attr}",
                    f"{what} “{key}” 重复（另见 {section}[{first[key]}]）",
                    f"the {what_en} “{key}” is used twice (see also {section}[{first[key]}])",
                )
            first.setdefault(key, i)

    award_keys = [a.key for a in c.awards]
    unique("awards", award_keys, "奖项键", "award key")
    unique("pools", [p.key for p in c.pools], "名额池键", "pool key")
    unique("proportions", [p.key for p in c.proportions], "比例键", "proportion key")
    unique("eligibility", [r.key for r in c.eligibility], "资格条件键", "eligibility rule key")
    unique("stages", [s.key for s in c.stages], "阶段键", "stage key")
    unique("tables", [t.key for t in c.tables], "汇总表键", "table key")
    unique("units", [u.name for u in c.units], "推荐单位", "unit", attr="name")
    unique("steps", [s.key for s in c.steps], "程序步骤键", "procedure step key")
    awards = {a.key: a for a in c.awards}

    def domains(award_list: Sequence[str]) -> dict[str, list[Any]]:
        doms: dict[str, list[Any]] = {key: f.possible for key, f in c.fields.items() if f.options}
        doms.update({k: [*v, None] for k, v in DERIVED_SELECTORS.items() if k not in doms})
        cats = list(dict.fromkeys(v for a in award_list if a in awards for v in awards[a].categories))
        if cats:
            doms["category"] = cats
        return doms

    def check_selector(path: str, where: Mapping[str, Any], award_list: Sequence[str]) -> None:
        before = len(problems)
        _check_selector_values(path, where, award_list)
        if len(problems) == before and where and not satisfiable(where, domains(award_list)):
            say(
                path,
                "此条件永远不会成立（没有任何答案能满足）",
                "this condition can never hold (no answers satisfy it)",
            )

    def _check_selector_values(path: str, where: Mapping[str, Any], award_list: Sequence[str]) -> None:
        for fkey, cond in where.items():
            if fkey in ("any", "all"):
                for i, sub in enumerate(cond):
                    _check_selector_values(f"{path}.{fkey}[{i}]", sub, award_list)
                continue
            if fkey == "not":
                _check_selector_values(f"{path}.not", cond, award_list)
                continue
            values = cond["not"] if isinstance(cond, Mapping) else cond
            fpath = f"{path}.{fkey}"
            if fkey == "category":
                known = [v for a in award_list if a in awards for v in awards[a].categories]
            elif fkey in DERIVED_SELECTORS and fkey not in c.fields:
                known = list(DERIVED_SELECTORS[fkey])
            elif fkey in c.fields:
                known = c.fields[fkey].options
                if not known:
                    say(
                        fpath,
                        f"字段 “{fkey}” 不是选择题，不能用于条件",
                        f"the field “{fkey}” is not a choice question and cannot be used in a condition",
                    )
                    continue
            else:
                hint = difflib.get_close_matches(fkey, [*c.fields, "category", *DERIVED_SELECTORS], n=2, cutoff=0.6)
                say(
                    fpath,
                    f"未知字段 “{fkey}”" + (f"；是否要找 {_join(hint)}？" if hint else ""),
                    f"unknown field “{fkey}”" + (f"; did you mean {_join_en(hint)}?" if hint else ""),
                )
                continue
            if not values:
                say(
                    fpath, "取值列表为空：此条件永远不会成立", "an empty list of answers: this condition can never hold"
                )
            for value in values:
                if value not in known:
                    say(
                        fpath,
                        f"未知取值 “{value}”（可选：{_join(sorted(known))}）",
                        f"unknown answer “{value}” (choose from: {_join_en(sorted(known))})",
                    )

    for fkey, fdef in c.fields.items():
        if fdef.key != fkey:
            say(f"fields.{fkey}.key", f"键应为 “{fkey}”", f"the key should be “{fkey}”")
        if fkey in COMBINATORS or fkey == "category":
            say(
                f"fields.{fkey}",
                f"“{fkey}” 是保留字，不能作为字段键",
                f"“{fkey}” is a reserved word and cannot be a field key",
            )
        check_selector(f"fields.{fkey}.when", fdef.when, award_keys)

    div_keys: dict[str, set[str]] = {}
    for ai, award in enumerate(c.awards):
        base = f"awards[{ai}]"
        for fi, fkey in enumerate(award.fields):
            if fkey not in c.fields:
                hint = difflib.get_close_matches(fkey, list(c.fields), n=2, cutoff=0.6)
                say(
                    f"{base}.fields[{fi}]",
                    f"未定义的字段 “{fkey}”" + (f"；是否要找 {_join(hint)}？" if hint else ""),
                    f"the field “{fkey}” is not defined" + (f"; did you mean {_join_en(hint)}?" if hint else ""),
                )
        for fi, fkey in enumerate(award.fields):
            when = c.fields[fkey].when if fkey in c.fields else {}
            for dep in fields_of(when):
                if dep != "category" and dep in award.fields and award.fields.index(dep) > fi:
                    say(
                        f"{base}.fields[{fi}]",
                        f"“{fkey}” 的显示条件依赖后面的字段 “{dep}”",
                        f"“{fkey}” is asked depending on “{dep}”, which comes after it",
                    )
            for dep in c.fields[fkey].when_answered if fkey in c.fields else []:
                if dep not in award.fields:
                    say(
                        f"{base}.fields[{fi}]",
                        f"“{fkey}” 的显示条件依赖本奖项没有的字段 “{dep}”",
                        f"“{fkey}” is asked depending on “{dep}”, which this award does not ask",
                    )
                elif award.fields.index(dep) > fi:
                    say(
                        f"{base}.fields[{fi}]",
                        f"“{fkey}” 的显示条件依赖后面的字段 “{dep}”",
                        f"“{fkey}” is asked depending on “{dep}”, which comes after it",
                    )
        if award.kind == "individual" and not award.categories:
            say(f"{base}.categories", "个人奖项须列出人员结构（categories）", "an individual award needs `categories`")
        if award.competitive and award.per_unit_max is None:
            say(
                f"{base}.per_unit_max",
                "差额奖项须规定每个推荐单位的推荐上限",
                "a competitive award needs a per-unit maximum (per_unit_max)",
            )
        if award.per_unit_min and award.per_unit_max and award.per_unit_min > award.per_unit_max:
            say(f"{base}.per_unit_min", "下限大于上限", "the minimum is larger than the maximum")
        for rkey, kind in award.reserved.items():
            check_selector(f"{base}.reserved.{rkey}.where", kind.where, [award.key])
            if award.division(rkey) is not None:
                say(
                    f"{base}.reserved.{rkey}",
                    f"预留类别 “{rkey}” 与同名的部分（divisions）冲突。部分无须再写成预留类别，"
                    f"可直接按部分分配：quotas.{award.key} = {{ cap = 6, {rkey} = 2, … }}",
                    f"the reserved kind “{rkey}” has the key of a division. A division needs no reserved kind: "
                    f"allocate it directly, quotas.{award.key} = {{ cap = 6, {rkey} = 2, … }}",
                )
        div_sum = sum(d.total for d in award.divisions)
        if award.divisions and div_sum != award.total:
            say(
                f"{base}.divisions",
                f"各部分合计 {div_sum}，与奖项总数 {award.total} 不符",
                f"the divisions add up to {div_sum}, not the award's total {award.total}",
            )
        unique(f"{base}.divisions", [d.key for d in award.divisions], "部分键", "division key")
        div_keys[award.key] = {d.key for d in award.divisions}
        for di, div in enumerate(award.divisions):
            check_selector(f"{base}.divisions[{di}].where", div.where, [award.key])
            for dj in range(di):
                if not disjoint(div.where, award.divisions[dj].where):
                    say(
                        f"{base}.divisions[{di}].where",
                        f"与 “{award.divisions[dj].name}” 有重叠",
                        f"overlaps “{award.divisions[dj].name}”",
                    )
        if award.alternate:
            check_selector(f"{base}.alternate.for_where", award.alternate.for_where, [award.key])
            check_selector(f"{base}.alternate.alternate_where", award.alternate.alternate_where, [award.key])

    sums: dict[str, int] = {}
    div_sums: dict[tuple[str, str], int] = {}
    split: set[str] = set()  # awards whose divisions some unit is allocated by
    for ui, unit in enumerate(c.units):
        base = f"units[{ui}]"
        for akey, alloc in unit.quotas.items():
            qpath = f"{base}.quotas.{akey}"
            if akey not in awards:
                hint = difflib.get_close_matches(akey, award_keys, n=2, cutoff=0.6)
                say(
                    qpath,
                    f"未知奖项 “{akey}”（可用：{_join(award_keys)}）",
                    f"unknown award “{akey}” (known: {_join_en(hint or award_keys)})",
                )
                continue
            award = awards[akey]
            sums[akey] = sums.get(akey, 0) + alloc.cap
            problems.extend(_check_reserved(qpath, award, alloc.cap, alloc.reserved, {}))
            named = [n for n in alloc.reserved if award.division(n.kind) is not None]
            if named:
                split.add(akey)
                for n in named:
                    div_sums[akey, n.kind] = div_sums.get((akey, n.kind), 0) + n.count
                got = sum(n.count for n in named)
                if got != alloc.cap:
                    say(
                        qpath,
                        f"按部分分配的名额合计 {got}，与本单位名额 {alloc.cap} 不符（每个名额须属于一个部分）",
                        f"the places allocated by division add up to {got}, not the unit's {alloc.cap}"
                        " (every place belongs to one division)",
                    )
    if c.units:
        for award in c.awards:
            if award.competitive:
                continue
            got = sums.get(award.key, 0)
            if got != award.total:
                say(
                    "units",
                    f"{award.name}：各单位名额合计 {got}，与总数 {award.total} 不符",
                    f"{award.name}: the units' places add up to {got}, not the total {award.total}",
                )
            if award.key in split:
                for div in award.divisions:
                    got = div_sums.get((award.key, div.key), 0)
                    if got != div.total:
                        say(
                            "units",
                            f"{award.name}·{div.name}：各单位名额合计 {got}，与该部分总数 {div.total} 不符",
                            f"{award.name} · {div.name}: the units' places add up to {got},"
                            f" not the division's {div.total}",
                        )

    for pi, pool in enumerate(c.pools):
        if pool.award not in awards:
            say(f"pools[{pi}].award", f"未知奖项 “{pool.award}”", f"unknown award “{pool.award}”")
        else:
            check_selector(f"pools[{pi}].where", pool.where, [pool.award])
    for pi, prop in enumerate(c.proportions):
        for ak in prop.awards:
            if ak not in awards:
                say(f"proportions[{pi}].awards", f"未知奖项 “{ak}”", f"unknown award “{ak}”")
        check_selector(f"proportions[{pi}].where", prop.where, prop.awards)
        if prop.division is not None:
            divs = {d.key for ak in prop.awards if ak in awards for d in awards[ak].divisions}
            if len(prop.awards) != 1 or prop.division not in divs:
                say(
                    f"proportions[{pi}].division",
                    f"奖项中没有部分 “{prop.division}”",
                    f"the award has no division “{prop.division}”",
                )
        if prop.enforce and any(ak in awards and awards[ak].competitive for ak in prop.awards):
            say(
                f"proportions[{pi}].enforce",
                "差额奖项的推荐数不受总数限制，比例不能在录入时强制执行",
                "a competitive award's nominations are not capped by its total; its share cannot be enforced",
            )
    for ei, rule in enumerate(c.eligibility):
        for ak in rule.awards:
            if ak not in awards:
                say(f"eligibility[{ei}].awards", f"未知奖项 “{ak}”", f"unknown award “{ak}”")
        check_selector(f"eligibility[{ei}].when", rule.when, rule.awards)
    for ti, table in enumerate(c.tables):
        for ak in table.awards:
            if ak not in awards:
                say(f"tables[{ti}].awards", f"未知奖项 “{ak}”", f"unknown award “{ak}”")
        for ci, col in enumerate(table.columns):
            if col.source not in c.fields and col.source not in DERIVED_SOURCES:
                say(
                    f"tables[{ti}].columns[{ci}].source",
                    f"未知数据来源 “{col.source}”",
                    f"unknown source “{col.source}” (a field key or one of {_join_en(sorted(DERIVED_SOURCES))})",
                )
    stage_keys = [s.key for s in c.stages]
    for si, step in enumerate(c.steps):
        for ak in step.awards:
            if ak not in awards:
                say(f"steps[{si}].awards", f"未知奖项 “{ak}”", f"unknown award “{ak}”")
        check_selector(f"steps[{si}].where", step.where, step.awards or award_keys)
        if step.required_by is not None and step.required_by not in stage_keys:
            say(
                f"steps[{si}].required_by",
                f"未知阶段 “{step.required_by}”（已有：{_join(stage_keys)}）",
                f"unknown stage “{step.required_by}” (there are: {_join_en(stage_keys)})",
            )
        if step.kind == "notice" and step.working_days is None:
            say(
                f"steps[{si}].working_days",
                "公示步骤须写明公示期（工作日数），如 working_days = 5",
                "a notice step needs its period in working days, e.g. working_days = 5",
            )
        if step.kind != "notice" and (step.working_days is not None or step.level is not None):
            say(
                f"steps[{si}].working_days",
                "只有公示步骤才有公示期和公示层级",
                "only a notice step has a period and a level",
            )
    if len(set(c.reminders.days_before)) != len(c.reminders.days_before):
        say("reminders.days_before", "提醒天数重复", "a number of days is given twice")
    seen_years: set[int] = set()
    for yi, year in enumerate(c.calendar):
        if year.year in seen_years:
            say(f"calendar[{yi}].year", f"年份 {year.year} 重复", f"the year {year.year} is given twice")
        seen_years.add(year.year)
        for what in ("holidays", "workdays"):
            for di, day in enumerate(getattr(year, what)):
                if day.year != year.year:
                    say(f"calendar[{yi}].{what}[{di}]", f"{day} 不在 {year.year} 年", f"{day} is not in {year.year}")
        for day in sorted(set(year.holidays) & set(year.workdays)):
            say(
                f"calendar[{yi}].workdays",
                f"{day} 既是假日又是调休上班日",
                f"{day} is both a holiday and a make-up working day",
            )
    return problems


def _check_reserved(
    path: str, award: Award, cap: int, nodes: Sequence[Reserved], parent_where: Mapping[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    total = sum(n.count for n in nodes)
    # the top level of an allocation split by division is checked as the divisions' sum instead
    by_division = any(award.division(n.kind) is not None for n in nodes)
    if total > cap and not by_division:
        problems.append(
            Problem(
                path,
                f"预留名额合计 {total}，超过上限 {cap}",
                f"the reserved places add up to {total}, over the cap {cap}",
            )
        )
    kinds = award.kinds
    seen: dict[str, int] = {}
    effective: list[Mapping[str, Any]] = []
    for i, node in enumerate(nodes):
        npath = f"{path}.{node.kind}"
        kind = kinds.get(node.kind)
        if node.kind in seen:
            problems.append(Problem(npath, f"“{node.kind}” 写了两次", f"“{node.kind}” is given twice"))
        seen.setdefault(node.kind, i)
        if kind is None:
            problems.append(
                Problem(
                    npath,
                    f"未知的预留类别 “{node.kind}”（{award.name} 可用：{_join(kinds)}）"
                    + ("；各部分（divisions）可直接按键分配" if award.divisions else ""),
                    f"unknown reserved kind “{node.kind}” ({award.name} has: {_join_en(kinds)})",
                )
            )
            effective.append({})
            continue
        if award.division(node.kind) is not None and parent_where:
            problems.append(
                Problem(
                    npath,
                    f"部分 “{kind.name}” 只能写在奖项名额的第一层，"
                    f"如 quotas.{award.key} = {{ cap = 6, {node.kind} = 2, … }}",
                    f"the division “{kind.name}” belongs at the allocation's top level, e.g."
                    f" quotas.{award.key} = {{ cap = 6, {node.kind} = 2, … }}",
                )
            )
        where = intersect(parent_where, kind.where)
        if not satisfiable(where, {}):
            problems.append(
                Problem(
                    npath,
                    f"“{kind.name}” 与上级预留类别没有交集，这些名额永远无法填满",
                    f"“{kind.name}” has nothing in common with the kind above it: these places can never be filled",
                )
            )
        for j, other in enumerate(effective):
            if other and not disjoint(where, other):
                problems.append(
                    Problem(
                        npath,
                        f"与同级预留类别 “{nodes[j].kind}” 有重叠：请改为嵌套（其中）",
                        f"overlaps the sibling kind “{nodes[j].kind}”: nest one inside the other (其中)",
                    )
                )
        effective.append(where)
        problems.extend(_check_reserved(npath, award, node.count, node.children, where))
    return problems
