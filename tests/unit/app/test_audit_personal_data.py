"""The audit log says that an ID or phone number changed, never what it is (item 13 of issue 9)."""

from __future__ import annotations

from app import queries
from tests.nominees import id_number, person, team

from .story import JINSHUI, World


async def test_the_history_holds_phone_numbers_masked_as_the_chat_shows_them(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3601)
    first = await zz.saved(me, "medal", person(51, "一线产业工人", phone="13912345678"))
    await zz.saved(me, "medal", person(51, "一线产业工人", phone="+852-91234567"), nominee_id=first.id)

    _, history = await zz.nothing_written(queries.nominee(zz.ports, me, first.id))
    assert history[0].changes["phone"] == (None, "139****5678")
    assert history[0].changes["id_number"] == (None, "*" * 18)
    assert history[1].changes["phone"] == ("139****5678", "+852-****4567")
    stored = repr(zz.db.state.audit)  # the audit log itself, as the database would keep it
    for secret in ("13912345678", "91234567", id_number(51)):
        assert secret not in stored


async def test_a_teams_landline_is_masked_in_the_history_too(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3602)
    saved = await zz.saved(me, "pioneer", team(52, phone="0371-67883217"))
    _, history = await zz.nothing_written(queries.nominee(zz.ports, me, saved.id))
    assert history[0].changes["phone"] == (None, "0371-****3217")
    assert "67883217" not in repr(zz.db.state.audit)
