"""Nothing ``campaign check`` passes may fail to load (issue 14, item 1): definitions generated with
hypothesis — keys drawn from a tiny alphabet, so duplicates are frequent — are either refused by
the check with located problems, or load into SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import campaigns
from core.loader import DefinitionError, parse
from storage import open_ports
from storage.db import Database, make_engine

from .conftest import Clock, run_async

CATEGORIES = ["甲", "乙", "丙"]
_ids = itertools.count()


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


def toml_text(data: dict[str, Any]) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, list | dict)]
    for key, fdef in data["fields"].items():
        lines += ["", f"[fields.{key}]", *(f"{k} = {toml_value(v)}" for k, v in fdef.items())]
    for section in ("awards", "units", "pools", "proportions", "eligibility", "stages", "tables"):
        for element in data.get(section, []):
            lines += ["", f"[[{section}]]", *(f"{k} = {toml_value(v)}" for k, v in element.items())]
    return "\n".join(lines) + "\n"


@st.composite
def definitions(draw: st.DrawFn) -> str:
    keys = st.sampled_from(["a", "b"])
    award_keys = draw(st.lists(keys, min_size=1, max_size=2))
    unit_names = draw(st.lists(st.sampled_from(["甲厂", "乙厂", "丙厂"]), max_size=3))
    caps = {(u, a): draw(st.integers(0, 4)) for u in unit_names for a in award_keys}
    awards = []
    for akey in award_keys:
        total = sum(caps[u, akey] for u in unit_names) if unit_names else draw(st.integers(0, 10))
        award: dict[str, Any] = {
            "key": akey,
            "name": f"奖项{akey}",
            "kind": "individual",
            "total": total,
            "categories": CATEGORIES,
            "fields": ["name"],
        }
        if draw(st.booleans()):
            first = draw(st.integers(0, total))
            award["divisions"] = [
                {"key": draw(keys), "name": "一", "total": first, "where": {"category": ["甲"]}},
                {"key": draw(keys), "name": "二", "total": total - first, "where": {"category": ["乙", "丙"]}},
            ]
        awards.append(award)
    selector = st.sampled_from(
        [{"category": ["甲"]}, {"category": {"not": ["甲"]}}, {"any": [{"category": ["乙"]}, {"category": ["丙"]}]}]
    )
    data: dict[str, Any] = {
        "id": f"gen-{next(_ids)}",
        "name": "生成的评选",
        "office": "办公室",
        "fields": {"name": {"label": "姓名", "type": "person_name"}},
        "awards": awards,
        "units": [{"name": u, "quotas": {a: caps[u, a] for a in award_keys}} for u in unit_names],
        "pools": [
            {
                "key": draw(keys),
                "name": "池",
                "award": draw(st.sampled_from(award_keys)),
                "cap": draw(st.integers(0, 3)),
                "where": draw(selector),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "proportions": [
            {
                "key": draw(keys),
                "name": "比例",
                "awards": [draw(st.sampled_from(award_keys))],
                "where": draw(selector),
                "max_pct": draw(st.integers(1, 100)),
                "enforce": draw(st.booleans()),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "stages": [{"key": draw(keys), "name": "阶段"} for _ in range(draw(st.integers(0, 2)))],
    }
    return toml_text(data)


async def load_into(url: str, text: str) -> bool:
    engine = make_engine(url, pool_size=2, max_overflow=0)
    database = Database(engine)
    try:
        ports = open_ports(database, Path(tempfile.gettempdir()) / "nominee-gen-files", Clock(), cache_drafts=False)
        report = await campaigns.load(ports, parse(text), text=text)
        return report.ok
    finally:
        await database.dispose()
        await engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=definitions())
def test_what_check_accepts_always_loads(db_url: str, text: str) -> None:
    try:
        parse(text)
    except DefinitionError as exc:
        assert all(p.path and p.message and p.message_en for p in exc.problems), exc
        return
    assert run_async(load_into(db_url, text)), text


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_the_generator_makes_both_kinds() -> None:
    """The property is not vacuous: some generated files pass the check, some are refused."""
    outcomes = set()
    for _ in range(60):
        text = definitions().example()
        try:
            parse(text)
            outcomes.add("ok")
        except DefinitionError:
            outcomes.add("refused")
    assert outcomes == {"ok", "refused"}


@pytest.mark.parametrize("section", ["pools", "divisions"])
def test_a_duplicated_counter_key_is_refused_by_check(section: str) -> None:
    text = toml_text(
        {
            "id": "dup-test",
            "name": "重复",
            "office": "办公室",
            "fields": {"name": {"label": "姓名", "type": "person_name"}},
            "awards": [
                {
                    "key": "a",
                    "name": "奖",
                    "kind": "individual",
                    "total": 4,
                    "categories": CATEGORIES,
                    "fields": ["name"],
                    "divisions": [
                        {"key": "d", "name": "一", "total": 2, "where": {"category": ["甲"]}},
                        {
                            "key": "d" if section == "divisions" else "e",
                            "name": "二",
                            "total": 2,
                            "where": {"category": ["乙"]},
                        },
                    ],
                }
            ],
            "pools": [
                {"key": "p", "name": "池", "award": "a", "cap": 1, "where": {"category": ["甲"]}},
                {
                    "key": "p" if section == "pools" else "q",
                    "name": "池二",
                    "award": "a",
                    "cap": 1,
                    "where": {"category": ["乙"]},
                },
            ],
        }
    )
    with pytest.raises(DefinitionError) as info:
        parse(text, "dup.toml")
    [problem] = info.value.problems
    path = "awards[0].divisions[1].key" if section == "divisions" else "pools[1].key"
    assert problem.path == path
    assert problem.line is not None
    assert "重复" in problem.message and "used twice" in problem.message_en
