"""A campaign definition: everything an office may change from one campaign to the next.

The file format is TOML (see README "Campaign definition files"); these pydantic models are
its schema. The selectors they hold (which nominees a rule is about) are :mod:`core.selectors`;
the cross-checks that need the whole definition are :func:`core.crosscheck.cross_check`, which
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

from core.selectors import Selector, given, matches

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Percent = Annotated[float, Field(gt=0, le=100)]


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
