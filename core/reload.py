"""Reloading a campaign definition (`campaign load`): what changed, and whether the change is safe.

Pure functions over two :class:`Campaign` objects and the nominees already stored, so the office
sees exactly what a load would do before anything is written. A change is refused when it would
break nominees already entered: a unit or award removed that has nominees, a category removed
that nominees are reported under, a cap or city-wide limit lowered below the places in use, or an
allocation that could no longer be completed with the nominees it holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.campaign import Allocation, Award, Campaign, Unit
from core.quota import count_limits, limits, unit_status

LoadStatus = Literal["created", "unchanged", "updated", "refused"]


@dataclass(frozen=True)
class Change:
    """One difference between the stored definition and the new one."""

    what: str  # unit_added, unit_removed, allocation, award_added, award_removed, award, pool_added, ...
    path: str  # where: "units[郑东新区].quotas.medal", "pools.section_cadre", "fields"
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.old is None and self.new is None:
            return f"{self.what}: {self.path}"
        return f"{self.what}: {self.path}: {self.old} → {self.new}"


@dataclass(frozen=True)
class Blocker:
    """Why a change cannot be applied; ``message`` is for the office (Chinese, like core's checks)."""

    code: str  # unit_has_nominees, award_has_nominees, category_in_use, cap_below_used, incompletable, ...
    path: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class LoadReport:
    campaign_id: str
    status: LoadStatus
    version: int  # the stored version after the load (unchanged when refused)
    changes: tuple[Change, ...] = ()
    blockers: tuple[Blocker, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def lines(self) -> list[str]:
        v = self.version
        head = {  # Chinese first, the English in brackets, as every command-line line
            "created": f"{self.campaign_id}: 已载入，版本 {v} (loaded as version {v})",
            "unchanged": f"{self.campaign_id}: 未变化，仍为版本 {v} (unchanged (version {v}))",
            "updated": f"{self.campaign_id}: 已更新为版本 {v} (updated to version {v})",
            "refused": f"{self.campaign_id}: 已拒绝，继续使用版本 {v} (REFUSED, the stored version {v} stays in force)",
        }[self.status]
        out = [head]
        out += [f"  change  {c}" for c in self.changes]
        out += [f"  refused {b}" for b in self.blockers]
        return out


@dataclass(frozen=True)
class StoredNominee:
    """What the safety checks need of a live (not withdrawn) nominee."""

    unit: str
    award: str
    answers: Mapping[str, Any]
    holds_place: bool  # a place-holding status and not an alternate


def _alloc(a: Allocation | None) -> Any:
    return None if a is None else a.model_dump(mode="json")


def compare(old: Campaign, new: Campaign) -> list[Change]:
    changes: list[Change] = []
    if old.name != new.name:
        changes.append(Change("name", "name", old.name, new.name))
    old_awards = {a.key: a for a in old.awards}
    new_awards = {a.key: a for a in new.awards}
    for key in old_awards.keys() - new_awards.keys():
        changes.append(Change("award_removed", f"awards.{key}"))
    for key in new_awards.keys() - old_awards.keys():
        changes.append(Change("award_added", f"awards.{key}"))
    for key in old_awards.keys() & new_awards.keys():
        changes += _award_changes(old_awards[key], new_awards[key])

    old_units = {u.name: u for u in old.units}
    new_units = {u.name: u for u in new.units}
    for name in sorted(old_units.keys() - new_units.keys()):
        changes.append(Change("unit_removed", f"units[{name}]"))
    for name in sorted(new_units.keys() - old_units.keys()):
        changes.append(Change("unit_added", f"units[{name}]"))
    for name in sorted(old_units.keys() & new_units.keys()):
        a, b = old_units[name].quotas, new_units[name].quotas
        for award in sorted(a.keys() | b.keys()):
            if _alloc(a.get(award)) != _alloc(b.get(award)):
                changes.append(
                    Change(
                        "allocation",
                        f"units[{name}].quotas.{award}",
                        _alloc_text(a.get(award)),
                        _alloc_text(b.get(award)),
                    )
                )

    old_pools = {p.key: p for p in old.pools}
    new_pools = {p.key: p for p in new.pools}
    for key in sorted(old_pools.keys() - new_pools.keys()):
        changes.append(Change("pool_removed", f"pools.{key}", old_pools[key].cap, None))
    for key in sorted(new_pools.keys() - old_pools.keys()):
        changes.append(Change("pool_added", f"pools.{key}", None, new_pools[key].cap))
    for key in sorted(old_pools.keys() & new_pools.keys()):
        p, q = old_pools[key], new_pools[key]
        if p.cap != q.cap:
            changes.append(Change("pool_cap", f"pools.{key}", p.cap, q.cap))
        if p.where != q.where or p.award != q.award:
            changes.append(Change("pool_scope", f"pools.{key}", f"{p.award} {p.where}", f"{q.award} {q.where}"))

    # The rest cannot break a stored nominee; it is reported by section.
    for section in (
        "fields",
        "proportions",
        "eligibility",
        "stages",
        "tables",
        "opinion_form",
        "office",
        "contact",
        "timezone",
    ):
        if getattr(old, section) != getattr(new, section):
            changes.append(Change("section", section))
    return changes


def _alloc_text(a: Allocation | None) -> str:
    if a is None:
        return "—"

    def nodes(rs: Sequence[Any]) -> str:
        return ", ".join(f"{r.kind} {r.count}" + (f" ({nodes(r.children)})" if r.children else "") for r in rs)

    return f"{a.cap}" + (f" ({nodes(a.reserved)})" if a.reserved else "")


def _award_changes(a: Award, b: Award) -> list[Change]:
    out: list[Change] = []
    path = f"awards.{a.key}"
    for attr in ("total", "competitive", "per_unit_max", "per_unit_min", "kind"):
        if getattr(a, attr) != getattr(b, attr):
            out.append(Change(f"award_{attr}", path, getattr(a, attr), getattr(b, attr)))
    if a.categories != b.categories:
        out.append(Change("categories", path, "、".join(a.categories), "、".join(b.categories)))
    da = {d.key: (d.total, d.where) for d in a.divisions}
    db = {d.key: (d.total, d.where) for d in b.divisions}
    if da != db:
        out.append(Change("divisions", path, {k: v[0] for k, v in da.items()}, {k: v[0] for k, v in db.items()}))
    if a.reserved != b.reserved:
        out.append(Change("reserved_kinds", path))
    if a.fields != b.fields or a.alternate != b.alternate:
        out.append(Change("award_form", path))
    return out


def blockers(old: Campaign | None, new: Campaign, nominees: Sequence[StoredNominee]) -> list[Blocker]:
    """Changes that would break the stored nominees under ``new``."""
    out: list[Blocker] = []
    new_units = {u.name: u for u in new.units}
    new_awards = {a.key: a for a in new.awards}
    by_unit = Counter(n.unit for n in nominees)
    by_award = Counter(n.award for n in nominees)
    for unit, count in sorted(by_unit.items()):
        if unit not in new_units:
            out.append(
                Blocker(
                    "unit_has_nominees",
                    f"units[{unit}]",
                    f"推荐单位 “{unit}” 已有 {count} 名推荐对象，不能删除",
                    {"unit": unit, "count": count},
                )
            )
    for award, count in sorted(by_award.items()):
        if award not in new_awards:
            out.append(
                Blocker(
                    "award_has_nominees",
                    f"awards.{award}",
                    f"奖项 “{award}” 已有 {count} 名推荐对象，不能删除",
                    {"award": award, "count": count},
                )
            )
    categories = Counter((n.award, n.answers.get("category")) for n in nominees if n.answers.get("category"))
    for (award, category), count in sorted(categories.items()):
        if award in new_awards and new_awards[award].categories and category not in new_awards[award].categories:
            out.append(
                Blocker(
                    "category_in_use",
                    f"awards.{award}.categories",
                    f"{count} 名推荐对象的人员结构为 “{category}”，不能删除该类别",
                    {"award": award, "category": category, "count": count},
                )
            )

    holding = [n for n in nominees if n.holds_place and n.award in new_awards]
    old_units = {u.name: u for u in old.units} if old else {}
    for unit_name, unit_def in new_units.items():
        mine = [n for n in holding if n.unit == unit_name]
        for award_def in new.awards:
            answers = [n.answers for n in mine if n.award == award_def.key]
            if answers:
                out += _unit_blockers(new, unit_def, award_def, answers, old_units.get(unit_name), old)

    used = count_limits(new, [(n.award, n.answers) for n in holding])
    for lim in limits(new):
        if used[lim.key] > lim.cap:
            out.append(
                Blocker(
                    "limit_below_used",
                    lim.key,
                    f"“{lim.name}” 上限 {lim.cap} 低于已占用的 {used[lim.key]} 个名额",
                    {"limit": lim.key, "cap": lim.cap, "used": used[lim.key]},
                )
            )
    return out


def _unit_blockers(
    new: Campaign,
    unit: Unit,
    award: Award,
    answers: list[Mapping[str, Any]],
    old_unit: Unit | None,
    old: Campaign | None,
) -> list[Blocker]:
    status = unit_status(new, unit, award.key, answers)
    path = f"units[{unit.name}].quotas.{award.key}"
    if status.cap is None:
        return []
    if status.cap < status.used:
        code = "per_unit_below_used" if status.competitive else "cap_below_used"
        return [
            Blocker(
                code,
                path,
                f"{unit.name}：{award.name} 上限 {status.cap} 低于已占用的 {status.used} 个名额",
                {"unit": unit.name, "award": award.key, "cap": status.cap, "used": status.used},
            )
        ]
    # Only an allocation that changed can newly become impossible to complete.
    unchanged = (
        old is not None
        and old_unit is not None
        and _alloc(old_unit.quotas.get(award.key)) == _alloc(unit.quotas.get(award.key))
        and any(a.key == award.key and a.kinds == award.kinds for a in old.awards)
    )
    if not unchanged and status.used + status.needed > status.cap:
        return [
            Blocker(
                "incompletable",
                path,
                f"{unit.name}：{award.name} 已有 {status.used} 名，"
                f"按新的预留名额还需 {status.needed} 名，超过上限 {status.cap}",
                {
                    "unit": unit.name,
                    "award": award.key,
                    "cap": status.cap,
                    "used": status.used,
                    "needed": status.needed,
                },
            )
        ]
    return []


__all__ = ["Blocker", "Change", "LoadReport", "LoadStatus", "StoredNominee", "blockers", "compare"]
