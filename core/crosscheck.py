"""The cross-checks of a campaign definition that span the whole file (``campaign check``): keys
unique where they are keys, selectors that name known fields and values and can match, sums of the
allocation table against the totals, sub-quotas that nest, stages, steps and tables that refer to
what exists. Every problem is listed with its key path, none hides another.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from core.campaign import DERIVED_SELECTORS, DERIVED_SOURCES, Award, Campaign, Reserved
from core.selectors import COMBINATORS, disjoint, fields_of, intersect, satisfiable


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
