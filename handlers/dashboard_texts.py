"""The office's /dashboard in words (pages under Telegram's 4,096 characters) and as the specs of
its two pictures (charts.dashboard draws them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from charts.spec import Bar, Panel, Tone
from core.campaign import Campaign
from core.clock import local_time
from core.dashboard import PHASES, AwardBoard, Dashboard, Phase, UnitFill, UnitRow, places_left, verdict
from core.quota import LimitStatus, ProportionStatus
from handlers.i18n import _, _n, pick
from handlers.labels import MAX_MESSAGE, award_name, esc
from handlers.problems import given_up_lines

PHASE_TONES: dict[Phase, Tone] = {"not_started": "idle", "in_progress": "warn", "submitted": "done", "accepted": "good"}


def phase_label(p: Phase) -> str:
    labels: dict[Phase, str] = {
        "not_started": _("not started"),
        "in_progress": _("in progress"),
        "submitted": _("submitted"),
        "accepted": _("passed initial review"),
    }
    return labels[p]


def phases_line(counts: Mapping[Phase, int]) -> str:
    return _(
        "Units: {not_started} not started · {in_progress} in progress · {submitted} submitted · "
        "{accepted} passed initial review"
    ).format(**{p: counts.get(p, 0) for p in PHASES})


def _pct(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def sign(p: ProportionStatus) -> str:
    return "≥" if p.bound == "min" else "≤"


def proportion_line(p: ProportionStatus) -> str:
    """• 一线产业工人 ≥ 35 %: 40 (33.3 %), at least 42 — reachable with the 50 places left."""
    match verdict(p):
        case "met":
            state = _("met ✅")
        case "reachable":
            state = _n(
                "still reachable with the {left} place left",
                "still reachable with the {left} places left",
                places_left(p),
            ).format(left=places_left(p))
        case "unreachable":
            if p.bound == "max":
                state = _("over the limit ❗")
            else:
                state = _n(
                    "no longer reachable: {left} place left ❗",
                    "no longer reachable: {left} places left ❗",
                    places_left(p),
                ).format(left=places_left(p))
    required = (_("at least {n}") if p.bound == "min" else _("at most {n}")).format(n=p.required)
    return _("• {name} {sign} {pct}%: {count} ({share}% of {base}), {required} — {state}").format(
        name=esc(pick(p.name, p.name_en)),
        sign=sign(p),
        pct=_pct(p.pct),
        count=p.count,
        share=_pct(p.share),
        base=p.base,
        required=required,
        state=state,
    )


def limit_line(s: LimitStatus) -> str:
    return _("• {name}: {used}/{cap} used, {left} left").format(
        name=esc(pick(s.limit.name, s.limit.name_en)), used=s.used, cap=s.limit.cap, left=s.left
    )


def award_line(campaign: Campaign, board: AwardBoard) -> str:
    a = board.standing
    name = esc(award_name(campaign, a.award))
    if a.competitive:
        return _("<b>{award}</b>: {count} nominated for {total} places (competitive)").format(
            award=name, count=a.count, total=a.total
        )
    return _("<b>{award}</b>: {used}/{total} places used, {left} left").format(
        award=name, used=a.count, total=a.total, left=max(0, a.total - a.count)
    )


def fill_text(f: UnitFill) -> str:
    return f"{f.used}/{f.cap}" if f.cap is not None else str(f.used)


def award_section(campaign: Campaign, board: AwardBoard) -> list[str]:
    lines = [award_line(campaign, board)]
    if board.allocated is not None and board.allocated != board.standing.total:
        lines.append(_("Allocated to units: {n} places").format(n=board.allocated))
    lines.append(phases_line(board.phases))
    if board.proportions:
        lines.append(_("City-wide proportions:"))
        lines += [proportion_line(p) for p in board.proportions]
    if board.limits:
        lines.append(_("Divisions and pools:"))
        lines += [limit_line(s) for s in board.limits]
    if board.given_up:
        lines.append(
            _n(
                "Reserved places given up at submission: {n}",
                "Reserved places given up at submission: {n}",
                board.given_up,
            ).format(n=board.given_up)
        )
    if board.behind:
        lines.append(_("Furthest behind (not submitted, least filled first):"))
        lines += [
            _("• {unit}: {fill} · {phase}").format(unit=esc(f.unit), fill=fill_text(f), phase=phase_label(f.phase))
            for f in board.behind
        ]
    return lines


def unit_line(campaign: Campaign, row: UnitRow) -> str:
    fills = _("; ").join(f"{esc(award_name(campaign, f.award))} {fill_text(f)}" for f in row.fills)
    line = _("{unit}: {fills} · {phase}").format(unit=esc(row.name), fills=fills, phase=phase_label(row.phase))
    given = sum(g.open for g in row.given_up)
    if given:
        line += " · " + _n("gave up {n} place", "gave up {n} places", given).format(n=given)
    return line


def pages(campaign: Campaign, board: Dashboard, now: datetime) -> list[str]:
    """The dashboard in pages, each under Telegram's limit: the overview, one page per award, then
    the units (as many pages as they need) and the places they gave up."""
    head = _("<b>Dashboard — {campaign}</b>").format(campaign=esc(pick(campaign.name, campaign.name_en)))
    when = _("as of {time} (page {page} of {pages})")
    stamp = f"{local_time(now, campaign):%Y-%m-%d %H:%M}"
    overview = [phases_line(board.phases)]
    overview += [award_line(campaign, a) for a in board.awards]
    if board.across:
        overview.append(_("Proportions across awards:"))
        overview += [proportion_line(p) for p in board.across]
    met = sum(1 for p in board.proportions if verdict(p) == "met")
    lost = sum(1 for p in board.proportions if verdict(p) == "unreachable")
    overview.append(
        _("Proportions: {met} of {total} met, {lost} no longer reachable.").format(
            met=met, total=len(board.proportions), lost=lost
        )
    )
    overview.append(_("The next pages show each award and every unit; the pictures follow."))
    bodies = [overview] + [award_section(campaign, a) for a in board.awards]
    if board.units:
        units = [_("<b>Units</b> (places used of allocated · phase)")]
        units += [unit_line(campaign, row) for row in board.units]
        bodies += _split(units)
    else:
        bodies.append([_("No unit has joined the campaign's allocation yet.")])
    steps = [row for row in board.units if row.open_steps]
    if steps:
        names = {s.key: pick(s.name, s.name_en) for s in campaign.steps}
        lines = [_("<b>Procedure steps open</b> (step: nominees for whom it is open)")]
        for row in steps:
            counts = _("; ").join(f"{esc(names.get(k, k))} {n}" for k, n in row.open_steps)
            lines.append(_("{unit}: {steps}").format(unit=esc(row.name), steps=counts))
        bodies += _split(lines)
    given = [row for row in board.units if row.given_up]
    if given:
        lines = [_("<b>Reserved places given up at submission</b>")]
        for row in given:
            lines.append(esc(row.name) + _(":"))
            lines += given_up_lines(campaign, row.given_up)
        bodies += _split(lines)
    total = len(bodies)
    return [
        "\n".join([head, when.format(time=stamp, page=i + 1, pages=total), "", *body]) for i, body in enumerate(bodies)
    ]


ROOM = MAX_MESSAGE - 300  # the heading of every page, with room to spare


def _split(lines: Sequence[str]) -> list[list[str]]:
    """Lines packed into pages of at most :data:`ROOM` characters (a line is never cut)."""
    out: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if out[-1] and size + len(line) + 1 > ROOM:
            out.append([])
            size = 0
        out[-1].append(line[:ROOM])
        size += len(line) + 1
    return out


def panels(campaign: Campaign, board: Dashboard) -> list[Panel]:
    """The two pictures: every unit's fill, and each proportion against its target."""
    unit_bars = tuple(
        Bar(row.name, row.share or 0.0, f"{row.used}/{row.cap}", PHASE_TONES[row.phase])
        for row in board.units
        if row.cap
    )
    units = Panel(
        _("Places used of each unit's allocation"),
        unit_bars,
        _("share of the unit's places used"),
        _("No per-unit allocation is loaded: only the city-wide totals apply."),
        tuple((PHASE_TONES[p], phase_label(p)) for p in PHASES),
    )
    tones: dict[str, Tone] = {"met": "good", "reachable": "warn", "unreachable": "bad"}
    prop_bars = tuple(
        Bar(
            f"{pick(p.name, p.name_en)} {sign(p)}{_pct(p.pct)}%",
            p.count / p.base if p.base else 0.0,
            f"{p.count}/{p.base} ({sign(p)}{p.required})",
            tones[verdict(p)],
            p.pct / 100,
        )
        for p in board.proportions
    )
    proportions = Panel(
        _("City-wide proportions"),
        prop_bars,
        _("share of the award's places (black line: the target)"),
        _("This campaign sets no city-wide proportions."),
        (("good", _("met")), ("warn", _("still reachable")), ("bad", _("not reachable"))),
        labels_above=True,
    )
    return [units, proportions]


__all__ = ["pages", "panels", "phase_label"]
