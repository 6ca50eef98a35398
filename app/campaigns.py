"""Campaign definitions in the database: ``campaign load`` (first load or versioned reload, with
its difference report) and the built-ins loaded on first use."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from app import access
from app.places import UNIT_CLAIM
from app.ports import AlreadyExists, Counter, NomineeRecord, Ports, UnitOfWork, usecase
from core.campaign import Campaign
from core.loader import builtin_text, load_builtin, parse
from core.quota import limits, limits_hit
from core.records import CampaignInfo, holds_place
from core.reload import Blocker, LoadReport, StoredNominee, blockers, compare


@usecase
async def current(ports: Ports, campaign_id: str) -> Campaign:
    """The definition in force (parsed once per stored version)."""
    async with ports.db.read() as tx:
        return await access.campaign_in(tx, campaign_id)


@usecase
async def listed(ports: Ports) -> list[CampaignInfo]:
    async with ports.db.read() as tx:
        return await tx.campaigns.all()


@usecase
async def ensure_builtin(ports: Ports, name: str) -> Campaign:
    """A built-in campaign, loaded on first use; a stored (possibly edited) copy wins."""
    campaign = load_builtin(name)
    async with ports.db.read() as tx:
        exists = await tx.campaigns.version(campaign.id) is not None
    if not exists:
        # AlreadyExists: another process loaded it at the same moment, from the same text.
        with contextlib.suppress(AlreadyExists):
            await load(ports, campaign, text=builtin_text(name))
    return await current(ports, campaign.id)


@usecase
async def load(ports: Ports, campaign: Campaign, *, text: str, remove_units: bool = True) -> LoadReport:
    """Loads or reloads a definition (idempotent). A changed definition is compared with the stored
    one; changes that would break stored nominees are refused and nothing is written.
    ``remove_units=False``: a reload that would remove units is refused too (the command line's
    default: reloading a built-in after its allocation table was imported from Excel would
    otherwise drop every imported unit)."""
    now = ports.clock()
    async with ports.db.write() as tx:
        stored = await tx.campaigns.stored(campaign.id, lock=True)
        if stored is None:
            await tx.campaigns.put(campaign, text, 1, now)
            await sync_units(tx, campaign, [])
            await tx.commit()
            return LoadReport(campaign.id, "created", 1)
        version = stored.info.version
        if stored.info.digest == campaign.digest:
            return LoadReport(campaign.id, "unchanged", version)
        # Wait for every use case holding one of the campaign's units, and keep new ones out.
        await tx.units.all(campaign.id, lock=True)
        old = parse(stored.definition, f"{campaign.id} (stored v{version})")
        changes = tuple(compare(old, campaign))
        live = await tx.nominees.live(campaign.id)
        held = [
            StoredNominee(r.info.unit, r.info.award, r.info.answers, holds_place(r.info.status, r.info.alternate_for))
            for r in live
        ]
        found = tuple(blockers(old, campaign, held))
        if not remove_units:
            gone = [c.path for c in changes if c.what == "unit_removed"]
            if gone:
                found += (
                    Blocker(
                        "units_removed",
                        "units",
                        f"将删除 {len(gone)} 个推荐单位（如由 Excel 导入的名额分配表）；确需删除请加 --remove-units",
                        {"units": gone},
                    ),
                )
        if found:
            return LoadReport(campaign.id, "refused", version, changes, found)
        await tx.campaigns.put(campaign, text, version + 1, now)
        await sync_units(tx, campaign, live)
        await tx.commit()
        return LoadReport(campaign.id, "updated", version + 1, changes)


async def sync_units(tx: UnitOfWork, campaign: Campaign, live: Sequence[NomineeRecord]) -> None:
    """Units, unit counters and city-wide counters rebuilt from the definition, ``used`` recounted
    from the nominees that hold places (and their claims rewritten to match)."""
    cid = campaign.id
    await tx.units.activate(cid, [u.name for u in campaign.units])
    caps: dict[tuple[str, str], int] = {}
    for unit in campaign.units:
        for award in campaign.awards:
            if award.competitive and award.per_unit_max is not None:
                caps[(unit.name, award.key)] = award.per_unit_max
            elif award.key in unit.quotas:
                caps[(unit.name, award.key)] = unit.quotas[award.key].cap
    unit_used = dict.fromkeys(caps, 0)
    all_limits = limits(campaign)
    limit_used = {lim.key: 0 for lim in all_limits}
    for record in live:
        info = record.info
        claims: list[str] = []
        if holds_place(info.status, info.alternate_for):
            if (info.unit, info.award) in caps:
                unit_used[(info.unit, info.award)] += 1
                claims.append(UNIT_CLAIM)
            for lim in limits_hit(campaign, info.award, info.answers):
                limit_used[lim.key] += 1
                claims.append(lim.key)
        if list(record.claims) != claims:
            await tx.nominees.update(info.id, claims=claims)
    await tx.counters.replace(
        cid,
        [Counter(a, cap, unit_used[(u, a)], unit=u) for (u, a), cap in sorted(caps.items())],
        [Counter(lim.key, lim.cap, limit_used[lim.key]) for lim in all_limits],
    )


__all__ = ["current", "ensure_builtin", "listed", "load", "sync_units"]
