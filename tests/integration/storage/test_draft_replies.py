"""The draft keeps which chat message answered which question (``drafts.replies``, for edited
messages), on SQLite and PostgreSQL; a draft stored before that column existed still loads."""

from __future__ import annotations

from sqlalchemy import update

from app import drafts
from app.ports import Ports
from core.records import Draft, Replies
from storage.db import Database
from storage.models import DraftRow

ZZ = "zhengzhou-2024"


async def test_the_replies_come_back_as_they_were_saved(ports: Ports) -> None:
    replies = Replies({11: "name", 13: "id_number"}, 13, "ethnicity")
    await drafts.save(ports, Draft(1601, ZZ, "medal", {"name": "李秀英"}, step="ethnicity", replies=replies))
    loaded = await drafts.load(ports, 1601)
    assert loaded is not None and loaded.replies == replies


async def test_a_draft_stored_before_replies_were_kept_loads_with_none_known(ports: Ports, db: Database) -> None:
    await drafts.save(ports, Draft(1602, ZZ, "medal", {"name": "李秀英"}, step="id_number"))
    async with db.engine.begin() as conn:  # as the upgrade leaves an older row: the column NULL
        await conn.execute(update(DraftRow).where(DraftRow.tg_id == 1602).values(replies=None))
    loaded = await drafts.load(ports, 1602)
    assert loaded is not None and loaded.replies == Replies() and loaded.answers == {"name": "李秀英"}
