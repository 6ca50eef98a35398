"""What clerks and the office ask: who is writing, the places left, the list, one record with its
history, the campaign's standing, and an invariant check of the counters."""

from __future__ import annotations

from dataclasses import dataclass

from app import access
from app.nominees import change_gate, own_nominee
from app.places import UNIT_CLAIM, holding_answers
from app.ports import Ports, UnitOfWork, usecase
from core.campaign import Campaign
from core.deadlines import closed, closed_for
from core.quota import (
    CampaignStanding,
    LimitStatus,
    ListedNominee,
    campaign_standing,
    lacking_alternate,
    limits,
    limits_hit,
    needs_alternate,
    unit_status,
)
from core.records import (
    PLACE_HOLDING,
    Draft,
    HistoryEntry,
    NomineeInfo,
    Role,
    UnitQuota,
    UnitState,
    UserInfo,
    holds_place,
)
from core.refusals import Closed


async def _context(tx: UnitOfWork, tg_id: int) -> tuple[UserInfo, Campaign, UnitState | None] | None:
    found = await tx.users.reading(tg_id)
    if found is None:
        return None
    campaign = None if found.version is None else await tx.campaigns.definition(found.user.campaign_id, found.version)
    if campaign is None:
        campaign = await access.campaign_in(tx, found.user.campaign_id)  # says which is gone
    return found.user, campaign, found.unit


@usecase
async def context(ports: Ports, tg_id: int) -> tuple[UserInfo, Campaign] | None:
    """Who is writing and the definition in force (None before joining): asked on every update.
    The campaign's version is read each time; its parsed definition is reused while current."""
    async with ports.db.read() as tx:
        found = await _context(tx, tg_id)
    return None if found is None else (found[0], found[1])


@dataclass(frozen=True)
class Member:
    """Who is writing, the definition in force and their unfinished draft: what every update of a
    member needs, looked up together. ``closed``: why the draft can no longer be saved (the unit's
    list submitted, or entry closed — :func:`core.deadlines.closed`), None while it can; the
    clerk is told so at their next answer instead of at 确认保存."""

    user: UserInfo
    campaign: Campaign
    draft: Draft | None
    closed: Closed | None = None


@usecase
async def member(ports: Ports, tg_id: int) -> Member | None:
    """:func:`context`, the user's draft and whether the draft may still be saved, on one reading
    (None before joining). The gate is worked out only for a draft with an award chosen, as the
    save checks it: an edit of a nominee the office returned may be corrected deadline or not."""
    draft = await ports.drafts.load(tg_id)
    async with ports.db.read() as tx:
        found = await _context(tx, tg_id)
        if found is None:
            return None
        user, campaign, unit = found
        gate = None
        if draft is not None and draft.award is not None and unit is not None and user.role == "clerk":
            gate = closed(campaign, unit, ports.clock())
            if gate is not None and draft.editing is not None:  # read the record only when it matters
                record = await tx.nominees.get(draft.editing)
                if record is not None:
                    gate = closed_for(campaign, unit, record.info.status, ports.clock())
        return Member(user, campaign, draft, gate)


@usecase
async def unit_drafts(ports: Ports, user: UserInfo) -> list[Draft]:
    """The unfinished drafts (an award chosen) of the clerk's unit — every clerk's, the asker's
    own too — oldest change first: what a submission now would leave unsaved."""
    async with ports.db.read() as tx:
        _actor, campaign, state = await access.reading(tx, user, "clerk")
        return await tx.drafts.of_unit(campaign.id, state.name)


@usecase
async def unit_quota(ports: Ports, user: UserInfo, unit: str | None = None) -> UnitQuota:
    """What is left for the clerk's unit (the office names the unit): per award, per reserved
    sub-quota, free places, and the city-wide limits."""
    async with ports.db.read() as tx:
        _actor, campaign, state = await access.reading(tx, user, office_unit=unit)
        unit_def = access.unit_of(campaign, state.name)
        holding = await holding_answers(tx, campaign, state.name, None)
        awards = tuple(
            unit_status(campaign, unit_def, a.key, [answers for award, answers in holding if award == a.key])
            for a in campaign.awards
        )
        used = await tx.counters.limit_counts(campaign.id)
        pools = tuple(LimitStatus(lim, used.get(lim.key, 0)) for lim in limits(campaign))
        return UnitQuota(state.name, awards, pools)


@usecase
async def lacking_alternates(ports: Ports, user: UserInfo) -> frozenset[int]:
    """The enterprise heads and 科级 cadres still owing an alternate (core.quota.lacking_alternate):
    of the clerk's unit, or for the office of the whole campaign. An alternate names its nominee by
    id, so every place-holding nominee of the scope is read."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        campaign = await access.campaign_in(tx, actor.campaign_id)
        if actor.role == "clerk" and actor.unit is not None:
            records = await tx.nominees.of_unit(campaign.id, actor.unit, PLACE_HOLDING)
        else:
            records = [r for r in await tx.nominees.live(campaign.id) if r.info.status in PLACE_HOLDING]
        listed = [ListedNominee(r.info.id, r.info.award, r.info.answers, r.info.alternate_for) for r in records]
        return lacking_alternate(campaign, listed)


@usecase
async def nominees(
    ports: Ports,
    user: UserInfo,
    offset: int = 0,
    limit: int = 10,
    *,
    unit: str | None = None,
    include_withdrawn: bool = False,
) -> tuple[list[NomineeInfo], int]:
    """A page of nominees and the total: a clerk sees their unit's, the office the campaign's (or
    ``unit``'s)."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        scope = actor.unit if actor.role == "clerk" else unit
        return await tx.nominees.page(actor.campaign_id, scope, offset, limit, include_withdrawn=include_withdrawn)


@usecase
async def nominee(ports: Ports, user: UserInfo, nominee_id: int) -> tuple[NomineeInfo, list[HistoryEntry]]:
    """One nominee (of the clerk's unit) and its history, oldest first."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        record = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id)
        return record.info, await tx.audit.history(nominee_id)


@dataclass(frozen=True)
class NomineeCard:
    """One nominee as its card shows it: the nominee, its history (oldest first) and its
    alternates (备选) that are not withdrawn."""

    info: NomineeInfo
    history: list[HistoryEntry]
    alternates: list[NomineeInfo]
    changeable: bool = False  # the asking clerk may change or withdraw it now (app.nominees.change_gate)

    def lacks_alternate(self, campaign: Campaign) -> bool:
        """An enterprise head or 科级 cadre whose alternate is still to be entered (郑工办〔2024〕6号)."""
        info = self.info
        return (
            holds_place(info.status, info.alternate_for)
            and needs_alternate(campaign, info.award, info.answers)
            and not self.alternates
        )


@usecase
async def record(ports: Ports, user: UserInfo, nominee_id: int) -> NomineeCard:
    """One nominee (of the clerk's unit), its history and its alternates, on one reading."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        found = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id)
        alternates = await tx.nominees.alternates_of(nominee_id)
        changeable = False  # the office changes nothing here
        if actor.role == "clerk":
            _actor, campaign, unit_state = await access.reading(tx, user, "clerk")
            changeable = change_gate(campaign, unit_state, found.info, ports.clock()) is None
        history = await tx.audit.history(nominee_id)
        return NomineeCard(found.info, history, [a.info for a in alternates], changeable)


@usecase
async def standing(ports: Ports, campaign_id: str) -> CampaignStanding:
    """Per award and per proportion: count, share, required count, reachable."""
    async with ports.db.read() as tx:
        campaign = await access.campaign_in(tx, campaign_id)
        live = await tx.nominees.live(campaign_id)
    pairs = [(r.info.award, r.info.answers) for r in live if holds_place(r.info.status, r.info.alternate_for)]
    return campaign_standing(campaign, pairs)


@usecase
async def users(ports: Ports, campaign_id: str, *, unit: str | None = None, role: Role | None = None) -> list[UserInfo]:
    """Who to remind or notify: the users of a campaign, optionally of one unit or role."""
    async with ports.db.read() as tx:
        return await tx.users.of_campaign(campaign_id, unit, role)


@usecase
async def unit_state(ports: Ports, user: UserInfo, unit: str | None = None) -> UnitState:
    """The clerk's unit's state (the office names the unit): submitted, reopened, places given up."""
    async with ports.db.read() as tx:
        _actor, _campaign, state = await access.reading(tx, user, office_unit=unit)
        return state


@usecase
async def unit_states(ports: Ports, campaign_id: str) -> list[UnitState]:
    async with ports.db.read() as tx:
        return await tx.units.all(campaign_id)


@usecase
async def verify_counters(ports: Ports, campaign_id: str) -> list[str]:
    """Every counter recounted from the nominees holding places; returns the mismatches. None is
    the invariant the race and kill tests check; an operator can run it any time."""
    async with ports.db.read() as tx:
        campaign = await access.campaign_in(tx, campaign_id)
        live = await tx.nominees.live(campaign_id)
        unit_counters, limit_counters = await tx.counters.all(campaign_id)
    holding = [r for r in live if holds_place(r.info.status, r.info.alternate_for)]
    problems: list[str] = []
    for counter in unit_counters:
        mine = [r for r in holding if r.info.unit == counter.unit and r.info.award == counter.key]
        claimed = sum(1 for r in mine if UNIT_CLAIM in r.claims)
        if not counter.used == claimed == len(mine):
            problems.append(
                f"unit {counter.unit}/{counter.key}: counter {counter.used}, claims {claimed}, nominees {len(mine)}"
            )
    for counter in limit_counters:
        claimed = sum(1 for r in holding if counter.key in r.claims)
        hit = sum(
            1
            for r in holding
            if any(lim.key == counter.key for lim in limits_hit(campaign, r.info.award, r.info.answers))
        )
        if not counter.used == claimed == hit:
            problems.append(f"{counter.key}: counter {counter.used}, claims {claimed}, nominees {hit}")
    return problems


__all__ = [
    "Member",
    "NomineeCard",
    "context",
    "lacking_alternates",
    "member",
    "nominee",
    "nominees",
    "record",
    "standing",
    "unit_quota",
    "unit_state",
    "unit_states",
    "users",
    "verify_counters",
]
