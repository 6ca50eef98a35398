"""Campaigns (:class:`app.ports.Campaigns`): the loaded definitions, parsed once per version, with
the office's stage dates (stage_dates) laid over them (core.deadlines.with_dates)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.ports import AlreadyExists, StoredCampaign
from core.campaign import Campaign
from core.deadlines import StageDate, with_dates
from core.loader import parse
from core.records import CampaignInfo
from storage.db import Conn, unique_violation
from storage.models import CampaignRow, StageDateRow

_INFO = (CampaignRow.id, CampaignRow.name, CampaignRow.version, CampaignRow.digest, CampaignRow.loaded_at)
_BY_ID = CampaignRow.id == bindparam("campaign_id")
_VERSION = select(CampaignRow.version).where(_BY_ID)
_DEFINITION = select(CampaignRow.version, CampaignRow.definition).where(_BY_ID)
_STORED = select(*_INFO, CampaignRow.definition).where(_BY_ID)
# A reload locks the campaign's row (FOR UPDATE): two reloads of one campaign run one after the other.
_STORED_LOCKED = _STORED.with_for_update()
_ALL = select(*_INFO).order_by(CampaignRow.id)
_DATES = select(StageDateRow.stage, StageDateRow.deadline, StageDateRow.closes_at).where(
    StageDateRow.campaign_id == bindparam("campaign_id")
)
_DROP_DATE = delete(StageDateRow).where(
    StageDateRow.campaign_id == bindparam("campaign_id"), StageDateRow.stage == bindparam("stage")
)
_BUMP = update(CampaignRow).where(CampaignRow.id == bindparam("b_id")).values(version=CampaignRow.version + 1)
_INSERT = insert(CampaignRow)
_UPDATE = update(CampaignRow).where(CampaignRow.id == bindparam("b_id"))  # sets the columns its parameters name


class Definitions:
    """The parsed definition of each campaign at the newest version read (parsing a definition
    costs milliseconds; the chat asks for it on every update). One per process's transactions
    (storage.uow.SqlTransactions)."""

    def __init__(self) -> None:
        self.parsed: dict[str, tuple[int, Campaign]] = {}


class SqlCampaigns:
    __slots__ = ("_conn", "_definitions")

    def __init__(self, conn: Conn, definitions: Definitions) -> None:
        self._conn = conn
        self._definitions = definitions

    async def version(self, campaign_id: str) -> int | None:
        return (await self._conn.execute(_VERSION, {"campaign_id": campaign_id})).scalar_one_or_none()

    async def definition(self, campaign_id: str, version: int) -> Campaign | None:
        cached = self._definitions.parsed.get(campaign_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        row = (await self._conn.execute(_DEFINITION, {"campaign_id": campaign_id})).first()
        if row is None:
            return None
        # Remembered under the version read with the text (on PostgreSQL a reload may have
        # committed since the version was read; a newer definition is then the one in force).
        campaign = parse(row.definition, f"{campaign_id} (stored v{row.version})")
        campaign = with_dates(campaign, await self.dates(campaign_id))
        if cached is None or cached[0] < row.version:
            self._definitions.parsed[campaign_id] = (row.version, campaign)
        return campaign

    async def stored(self, campaign_id: str, *, lock: bool = False) -> StoredCampaign | None:
        query = _STORED_LOCKED if lock else _STORED
        row = (await self._conn.execute(query, {"campaign_id": campaign_id})).first()
        if row is None:
            return None
        return StoredCampaign(CampaignInfo(row.id, row.name, row.version, row.digest, row.loaded_at), row.definition)

    async def put(self, campaign: Campaign, text: str, version: int, now: datetime) -> None:
        """Version 1 inserts the campaign (AlreadyExists when another process inserted it at the
        same moment); a later version replaces the stored definition."""
        values = {
            "name": campaign.name,
            "definition": text,
            "digest": campaign.digest,
            "version": version,
            "loaded_at": now,
        }
        if version > 1:
            await self._conn.execute(_UPDATE, {"b_id": campaign.id, **values})
            return
        try:
            await self._conn.execute(_INSERT, {"id": campaign.id, **values})
        except IntegrityError as exc:
            if unique_violation(exc, "campaigns"):
                raise AlreadyExists(campaign.id) from None
            raise

    async def dates(self, campaign_id: str) -> list[StageDate]:
        rows = await self._conn.execute(_DATES, {"campaign_id": campaign_id})
        return [StageDate(d.stage, d.deadline, d.closes_at) for d in rows]

    async def set_date(self, campaign_id: str, date: StageDate, by: int | None, at: datetime) -> None:
        await self._conn.execute(_DROP_DATE, {"campaign_id": campaign_id, "stage": date.stage})
        values = {
            "campaign_id": campaign_id,
            "stage": date.stage,
            "deadline": date.deadline,
            "closes_at": date.time,
            "set_by": by,
            "set_at": at,
        }
        await self._conn.execute(insert(StageDateRow), values)
        await self._conn.execute(_BUMP, {"b_id": campaign_id})

    async def all(self) -> list[CampaignInfo]:
        return [CampaignInfo(r.id, r.name, r.version, r.digest, r.loaded_at) for r in await self._conn.execute(_ALL)]


__all__ = ["Definitions", "SqlCampaigns"]
