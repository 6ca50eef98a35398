"""Exports: the tables to hand in, the 公示 list, the 签署意见表, the allocation table and the photos.

A clerk exports their own unit (to print, sign and stamp); the office one unit or the whole
campaign; the operator's command line any. What is read comes from one read transaction
(:func:`snapshot`, :func:`operator_snapshot`); the files are built from it outside the database
(:func:`build`, in a worker thread: a big table takes seconds of CPU). Which nominees each export
lists: :mod:`core.tables`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image

from app import access
from app.ports import Ports, UnitOfWork, usecase
from core.campaign import Campaign, Unit
from core.clock import local_date
from core.photo import prepare_photo
from core.quota import UnitAwardStatus, limits, unit_status
from core.records import NomineeInfo, UserInfo, holds_place
from core.refusals import OfficeOnly, Rejected, UnitUnknown
from core.tables import EXPORTED, Filler, allocation, exported, opinions, ordered, publicity, summary

PHOTOS, PUBLICITY, OPINIONS, ALLOCATION = "photos", "publicity", "opinions", "allocation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Kind:
    key: str  # a table's key, or one of PHOTOS, PUBLICITY, OPINIONS, ALLOCATION
    title: str


def kinds(campaign: Campaign) -> list[Kind]:
    """What can be exported for this campaign: its summary tables, the 签署意见表 (when the
    definition has one), the 公示 list, the allocation table (when units are allocated), photos."""
    out = [Kind(t.key, t.title) for t in campaign.tables]
    if campaign.opinion_form is not None:
        out.append(Kind(OPINIONS, campaign.opinion_form.title.replace("\n", "")))
    out.append(Kind(PUBLICITY, "公示名单"))
    if any(u.quotas for u in campaign.units):
        out.append(Kind(ALLOCATION, "名额分配表（已用、剩余）"))
    if any(f.type == "photo" for f in campaign.fields.values()):
        out.append(Kind(PHOTOS, "照片（JPG）"))
    return out


@dataclass(frozen=True)
class Snapshot:
    """What an export is built from, read at one moment. ``unit``: the one unit (None: all)."""

    campaign: Campaign
    unit: str | None
    nominees: list[NomineeInfo]
    pool_used: dict[str, int]
    today: date


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    mime: str
    count: int  # the nominees (or photos) it holds


async def _read(tx: UnitOfWork, campaign: Campaign, unit: str | None, today: date) -> Snapshot:
    if unit is not None:
        state = await tx.units.get(campaign.id, unit)
        if state is None:
            raise Rejected(UnitUnknown(unit))
        records = await tx.nominees.of_unit(campaign.id, unit, EXPORTED)
    else:
        records = [r for r in await tx.nominees.live(campaign.id) if r.info.status in EXPORTED]
    used = await tx.counters.limit_counts(campaign.id)
    return Snapshot(campaign, unit, [r.info for r in records], used, today)


@usecase
async def snapshot(ports: Ports, user: UserInfo, *, unit: str | None = None, everyone: bool = False) -> Snapshot:
    """For a member: a clerk's own unit (``everyone`` refused: OfficeOnly); the office's ``unit``,
    or every unit when ``unit`` is None. Raises Rejected (UserUnknown, OfficeOnly, UnitUnknown,
    CampaignUnknown)."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        if actor.role == "clerk":
            if everyone or (unit is not None and unit != actor.unit):
                raise Rejected(OfficeOnly())
            unit = actor.unit
            if unit is None:
                raise Rejected(UnitUnknown(None))
        campaign = await access.campaign_in(tx, actor.campaign_id)
        return await _read(tx, campaign, unit, local_date(ports.clock(), campaign))


@usecase
async def operator_snapshot(ports: Ports, campaign_id: str, unit: str | None = None) -> Snapshot:
    """For the command line (whoever can reach the database may read it all)."""
    async with ports.db.read() as tx:
        campaign = await access.campaign_in(tx, campaign_id)
        return await _read(tx, campaign, unit, local_date(ports.clock(), campaign))


def filler(snap: Snapshot, clerk: str = "", phone: str = "") -> Filler:
    """The 填报单位 line: the unit, or for the city-wide export the office."""
    return Filler(snap.unit or snap.campaign.office, clerk, phone)


def _where(snap: Snapshot) -> str:
    return snap.unit or "全市"


def workbook(snap: Snapshot, kind: str, who: Filler) -> ExportFile:
    """One .xlsx (CPU only: run it in a thread). Raises KeyError for a kind the campaign lacks."""
    from sheets import exports as sheets

    c = snap.campaign
    city_wide = snap.unit is None
    if kind == PUBLICITY:
        lists = publicity(c, snap.nominees, city_wide=city_wide)
        data = sheets.publicity_xlsx(lists)
        return ExportFile(f"公示名单-{_where(snap)}.xlsx", data, XLSX, sum(len(r.rows) for r in lists))
    if kind == OPINIONS and c.opinion_form is not None:
        items = opinions(c, snap.nominees)
        return ExportFile(
            f"签署意见表-{_where(snap)}.xlsx", sheets.opinions_xlsx(c.opinion_form, items), XLSX, len(items)
        )
    if kind == ALLOCATION:
        table = allocation(c, _statuses(snap), _pools(snap), None if city_wide else [_unit(c, snap.unit)])
        return ExportFile(f"名额分配表-{_where(snap)}.xlsx", sheets.allocation_xlsx(table), XLSX, len(table.rows))
    for table_def in c.tables:
        if table_def.key == kind:
            rows = summary(c, table_def, snap.nominees, who, snap.today, city_wide=city_wide)
            return ExportFile(f"{table_def.title}-{_where(snap)}.xlsx", sheets.summary_xlsx(rows), XLSX, len(rows.rows))
    raise KeyError(kind)


def _unit(campaign: Campaign, name: str | None) -> Unit:
    if name is None:
        raise Rejected(UnitUnknown(None))
    return access.unit_of(campaign, name)


def _statuses(snap: Snapshot) -> dict[str, dict[str, UnitAwardStatus]]:
    c = snap.campaign
    by_unit: dict[str, dict[str, list[dict[str, object]]]] = {}
    for n in snap.nominees:
        if holds_place(n.status, n.alternate_for):
            by_unit.setdefault(n.unit, {}).setdefault(n.award, []).append(dict(n.answers))
    out: dict[str, dict[str, UnitAwardStatus]] = {}
    for unit in c.units:
        mine = by_unit.get(unit.name, {})
        out[unit.name] = {a.key: unit_status(c, unit, a.key, mine.get(a.key, [])) for a in c.awards}
    return out


def _pools(snap: Snapshot) -> list[tuple[str, int, int]]:
    return [(lim.name, lim.cap, snap.pool_used.get(lim.key, 0)) for lim in limits(snap.campaign) if lim.kind == "pool"]


async def photos(ports: Ports, snap: Snapshot, max_bytes: int | None = None) -> list[ExportFile]:
    """The exported individuals' photos as zips of ``单位-姓名.jpg``, each within the campaign's
    pixel limit (a photo stored under a larger limit is scaled down), split into zips of at most
    ``max_bytes`` (Telegram's 50 MB by default). Nominees without a photo are passed over."""
    from sheets.exports import TELEGRAM_DOCUMENT_MAX, PhotoFile, photo_zips

    c = snap.campaign
    found: list[PhotoFile] = []
    for n in ordered(c, exported(snap.nominees)):
        award = c.award(n.award) if n.award in {a.key for a in c.awards} else None
        if award is None:
            continue
        for fdef in c.award_fields(award):
            ref = n.answers.get(fdef.key)
            if fdef.type != "photo" or not isinstance(ref, str):
                continue
            data = await ports.files.read(ref)
            if data is None:
                continue
            data = await asyncio.to_thread(_fit, data, fdef.max_width, fdef.max_height)
            found.append(PhotoFile(n.unit, str(n.answers.get("name") or n.id), data))
    parts = await asyncio.to_thread(photo_zips, found, f"照片-{_where(snap)}", max_bytes or TELEGRAM_DOCUMENT_MAX)
    return [ExportFile(name, data, "application/zip", len(found)) for name, data in parts]


def _fit(data: bytes, max_width: int | None, max_height: int | None) -> bytes:
    """The stored JPEG as it is when within the limit, else scaled down (core.photo)."""
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        fmt = img.format
    if fmt == "JPEG" and (max_width is None or width <= max_width) and (max_height is None or height <= max_height):
        return data
    return prepare_photo(data, max_width, max_height).data


async def build(ports: Ports, snap: Snapshot, kind: str, who: Filler) -> list[ExportFile]:
    """The file(s) of ``kind`` (several only for photos split to fit Telegram)."""
    if kind == PHOTOS:
        return await photos(ports, snap)
    return [await asyncio.to_thread(workbook, snap, kind, who)]


def known(campaign: Campaign, kind: str) -> bool:
    return kind in {k.key for k in kinds(campaign)}


def kind_names(campaign: Campaign) -> Sequence[str]:
    return [k.key for k in kinds(campaign)]


__all__ = [
    "ALLOCATION",
    "OPINIONS",
    "PHOTOS",
    "PUBLICITY",
    "ExportFile",
    "Kind",
    "Snapshot",
    "build",
    "filler",
    "kind_names",
    "kinds",
    "known",
    "operator_snapshot",
    "photos",
    "snapshot",
    "workbook",
]
