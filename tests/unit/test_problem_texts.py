"""Every refusal, gap and request problem, as a clerk or the office reads it in Chinese and in English.

The kinds are enumerated from their unions (core.refusals), so a kind added without wording — or
with an untranslated sentence, or a placeholder left unfilled — fails here (and mypy fails on the
``match`` in handlers/problems.py first).
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Any, get_args

import pytest
from aiogram.utils.i18n import I18n

from core.errors import Ineligible
from core.loader import load_builtin
from core.refusals import (
    AlternateInvalid,
    Gap,
    InviteInvalid,
    InviteRole,
    LimitFull,
    OpenReserved,
    Problem,
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
    "deadline": date(2024, 3, 20),
    "nominee": 17,
    "fields": ("phone",),
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
}
VARIANTS: list[Any] = [
    LimitFull("medal", "division:model:workers", "division", "企业职工", "Enterprise staff", 95, 95),
    InviteRole("office", "金水区"),
    *(AlternateInvalid(5, reason) for reason in ("principal_gone", "not_needed", "exists", "category")),
    *(InviteInvalid(reason) for reason in ("used", "expired", "malformed")),
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
