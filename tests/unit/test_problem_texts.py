"""Every refusal, gap and request problem, as a clerk or the office reads it in Chinese and in English.

The kinds are enumerated from their unions (core.refusals), so a kind added without wording — or
with an untranslated sentence, or a placeholder left unfilled — fails here (and mypy fails on the
``match`` in handlers/problems.py first).
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest
from aiogram.utils.i18n import I18n

from core.errors import Ineligible
from core.loader import load_builtin
from core.refusals import (
    AlternateInvalid,
    Change,
    ChangedMeanwhile,
    Duplicate,
    Gap,
    InviteInvalid,
    InviteRole,
    LimitFull,
    OpenReserved,
    Problem,
    PromoteInvalid,
    Refusal,
    ReservedFull,
    ReviewNoPlace,
    UnitFull,
)
from handlers.problems import gap_text, problem_text, refusal_text

ZZ = load_builtin("zhengzhou-2024")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# A value for every field, by name (numbers unlike any default, so a number typed into a sentence
# instead of the field's shows). Literal fields take their first choice; see VARIANTS for the rest.
SAMPLES: dict[str, Any] = {
    "award": "medal",
    "cap": 6,
    "used": 5,
    "free": 0,
    "max": 2,
    "min": 1,
    "count": 3,
    "needed": 4,
    "category": "农民工",
    "allowed": ("一线产业工人", "其他一线职工和专业技术人员"),
    "open": (OpenReserved("industrial", "一线产业工人", "Frontline industrial workers", 4),),
    "limit": "pool:section_cadre",
    "kind": "pool",
    "name": "科级领导干部",
    "name_en": "Section-level cadres",
    "unit": "金水区",
    "stage": "initial",
    "key": "audit",
    "deadline": date(2024, 3, 20),
    "day": date(2024, 3, 1),
    "year": 2027,
    "nominee": 17,
    "fields": ("phone",),
    "changes": (
        Change(datetime(2024, 3, 5, 2, 0, tzinfo=UTC), "unit", "edited", ("phone", "employer")),
        Change(datetime(2024, 3, 6, 2, 0, tzinfo=UTC), "office", "returned", ()),
    ),
    "reason": "unknown",
    "role": "clerk",
    "campaign": "zhengzhou-2024",
    "status": "submitted",
    "action": "accept",
    "max_bytes": 20 * 1024 * 1024,
    "size": 30 * 1024 * 1024,
    "refusals": (UnitFull("medal", 6, 6),),
    "rule": "senior_cadre",
    "message": "副处级及以上干部不得推荐",
    "message_en": "Cadres of deputy division level or above cannot be nominated",
    "command": "review",
}
VARIANTS: list[Any] = [
    LimitFull("medal", "division:model:workers", "division", "企业职工", "Enterprise staff", 95, 95),
    InviteRole("office", "金水区"),
    Duplicate("金水区", "medal", None),  # another unit's: named, its number not told
    *(AlternateInvalid(5, reason) for reason in ("principal_gone", "not_needed", "exists", "category")),
    *(InviteInvalid(reason) for reason in ("used", "expired", "malformed")),
    PromoteInvalid(5, "not_alternate"),
    PromoteInvalid(5, "principal", "approved"),
    PromoteInvalid(5, "alternate", "returned"),
]


NAMES = {17: "张三"}  # the unit's nominees by number, for the gaps that name one
DATA = sorted(
    [
        *(v for v in SAMPLES.values() if isinstance(v, str) and CJK.search(v)),
        *NAMES.values(),
        ZZ.office,  # whom a clerk asks: the definition's data, as the notice prints it
        ZZ.contact or "",
    ],
    key=len,
    reverse=True,
)


def sample(kind: type[Any]) -> Any:
    missing = [f.name for f in fields(kind) if f.name not in SAMPLES]
    assert not missing, f"add a sample value for {kind.__name__}.{missing} to SAMPLES"
    return kind(**{f.name: SAMPLES[f.name] for f in fields(kind)})


def every(union: Any) -> list[Any]:
    kinds = get_args(union)
    return [sample(k) for k in kinds] + [v for v in VARIANTS if isinstance(v, kinds)]


def render(item: Any) -> str:
    if isinstance(item, get_args(Gap)):
        return gap_text(ZZ, item, NAMES)
    if isinstance(item, get_args(Refusal)):
        return refusal_text(ZZ, item)
    return problem_text(item, ZZ)


ALL = every(Refusal) + every(Gap) + every(Problem)


@pytest.mark.parametrize("item", ALL, ids=repr)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_gap_and_problem_is_said_in_the_readers_language(catalogues: I18n, lang: str, item: Any) -> None:
    with catalogues.use_locale(lang):
        text = render(item)
    assert text.strip(), f"{item!r} has no text"
    assert not PLACEHOLDER.search(text), f"a placeholder is left in {text!r}"
    assert type(item).__name__ not in text and "None" not in text, text
    if lang == "zh":
        assert CJK.search(text), f"{item!r} is not translated: {text!r}"
    else:  # English wording; only the data (names of units, people, pools) may be Chinese
        for value in DATA:
            text = text.replace(value, "")
        assert not CJK.search(text), f"Chinese in {text!r}"


def test_the_kinds_are_all_there() -> None:
    assert len(get_args(Problem)) >= 18 and Ineligible in get_args(Refusal)


def test_a_refusal_for_reserved_places_says_what_is_still_open(catalogues: I18n) -> None:
    refusal = ReservedFull("medal", "农民工", 6, 1, 0, (OpenReserved("industrial", "一线产业工人", "Industrial", 4),))
    with catalogues.use_locale("en"):
        text = refusal_text(ZZ, refusal)
    assert "6 places, 1 taken" in text and "Industrial 4" in text and "free places left: 0" in text


def test_the_office_is_told_why_a_nominee_cannot_be_taken_back(catalogues: I18n) -> None:
    with catalogues.use_locale("en"):
        text = problem_text(ReviewNoPlace((UnitFull("medal", 6, 6),)), ZZ)
    assert "no place left" in text and "all 6 places of your unit are taken" in text


def test_an_edit_refused_for_a_change_made_meanwhile_says_who_changed_what_and_when(catalogues: I18n) -> None:
    with catalogues.use_locale("zh"):
        text = problem_text(sample(ChangedMeanwhile), ZZ)
    assert "第 17 号" in text and "2024-03-05 10:00，本单位其他填报人员：" in text and "联系电话" in text
    assert "2024-03-06 10:00，办公室：" in text


def test_a_duplicate_of_the_clerks_own_unit_names_its_number_and_another_units_only_the_unit(
    catalogues: I18n,
) -> None:
    with catalogues.use_locale("zh"):
        own = refusal_text(ZZ, Duplicate("金水区", "medal", 3))
        other = refusal_text(ZZ, Duplicate("郑东新区", "medal", None))
    assert "已作为本单位第 3 号推荐对象填报" in own
    assert "郑东新区" in other and "号" not in other


def test_a_duplicate_says_person_for_a_persons_award_and_organisation_for_an_organisations(
    catalogues: I18n,
) -> None:
    with catalogues.use_locale("zh"):
        person = refusal_text(ZZ, Duplicate("郑东新区", "medal", None))
        organisation = refusal_text(ZZ, Duplicate("郑东新区", "certificate", None))
    assert person.startswith("该人员已由“郑东新区”") and "单位" not in person.split("“")[0]
    assert organisation.startswith("该单位（集体）已由“郑东新区”")
