"""Selectors: which nominees a sub-quota, pool, division, proportion, eligibility rule, procedure
step or question is about, written in a campaign definition as a small condition over the answers.

Pure functions over plain mappings: whether answers match (:func:`matches`), the fields and values a
selector names, whether one can ever match, and whether two can both match (a laminar family of
sub-quotas needs siblings that cannot).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator

# A selector says which nominees a sub-quota, pool, division, proportion, eligibility rule or
# question is about. ``{field = [values]}``: the answer is one of the values; several fields must
# all hold. ``{field = { not = [values] }}``: answered, and none of them. ``any = [sel, …]``: one of
# the alternatives holds; ``all = [sel, …]``: each holds; ``not = sel``: the selector does not hold.
# Checked by :func:`selector_problems` (shape) and :func:`cross_check` (fields, values, "never").
Selector = Annotated[dict[str, Any], AfterValidator(lambda v: _selector_shape(v))]
COMBINATORS = ("any", "all", "not")


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
