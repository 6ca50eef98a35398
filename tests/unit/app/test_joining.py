"""Invitations and joining: the office invites a unit's clerk (or a colleague) with a single-use
code that expires; ``/start <code>`` registers the Telegram user with the invitation's role and unit."""

from __future__ import annotations

import pytest

from app import joining, queries
from bot.settings import Settings
from core.records import UserInfo
from core.refusals import CampaignUnknown, InviteInvalid, InviteRole, UnitUnknown

from .story import AIRPORT, JINSHUI, ZZ, World


async def test_a_clerk_joins_with_their_unit_and_the_code_is_used_up(zz: World) -> None:
    code = await zz.once(joining.create_invite(zz.ports, ZZ, AIRPORT, "clerk"))
    assert len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum()  # fits a /start link

    clerk = await zz.once(joining.join(zz.ports, f" {code}\n", 901, "en"))  # pasted with spaces around
    assert clerk == UserInfo(901, "clerk", ZZ, AIRPORT, "en")
    assert await zz.nothing_written(queries.users(zz.ports, ZZ, unit=AIRPORT)) == [clerk]
    assert await zz.rejected(joining.join(zz.ports, code, 902, "zh")) == InviteInvalid("used")
    assert await zz.nothing_written(queries.users(zz.ports, ZZ)) == [clerk]


async def test_an_office_colleague_joins_without_a_unit(zz: World) -> None:
    code = await zz.once(joining.create_invite(zz.ports, ZZ, None, "office", created_by=1))
    colleague = await zz.once(joining.join(zz.ports, code, 903, "zh"))
    assert colleague == UserInfo(903, "office", ZZ, None, "zh")
    assert await zz.nothing_written(queries.users(zz.ports, ZZ, role="office")) == [colleague]


async def test_an_invitation_expires_after_its_days(zz: World) -> None:
    late = await zz.once(joining.create_invite(zz.ports, ZZ, AIRPORT, "clerk", ttl_days=14))
    on_time = await zz.once(joining.create_invite(zz.ports, ZZ, AIRPORT, "clerk", ttl_days=14))
    zz.clock.advance(days=14, seconds=-1)
    await zz.once(joining.join(zz.ports, on_time, 904, "zh"))
    zz.clock.advance(seconds=1)
    assert await zz.rejected(joining.join(zz.ports, late, 905, "zh")) == InviteInvalid("expired")
    assert await zz.rejected(joining.join(zz.ports, "not-a-code", 906, "zh")) == InviteInvalid("unknown")


async def test_a_clerk_invitation_names_a_unit_and_an_office_one_none(zz: World) -> None:
    assert await zz.rejected(joining.create_invite(zz.ports, ZZ, None, "clerk")) == InviteRole("clerk", None)
    assert await zz.rejected(joining.create_invite(zz.ports, ZZ, AIRPORT, "office")) == InviteRole("office", AIRPORT)
    nowhere = joining.create_invite(zz.ports, ZZ, "没有这个单位", "clerk")
    assert await zz.rejected(nowhere) == UnitUnknown("没有这个单位")
    assert await zz.rejected(joining.create_invite(zz.ports, "nowhere-2024", None, "office")) == CampaignUnknown(
        "nowhere-2024"
    )


async def test_joining_again_moves_the_user_to_the_new_invitation_s_unit(zz: World) -> None:
    first = await zz.clerk(AIRPORT, 907)
    second = await zz.clerk(JINSHUI, 907, language="en")
    assert (first.unit, second.unit, second.language) == (AIRPORT, JINSHUI, "en")
    assert await zz.nothing_written(queries.users(zz.ports, ZZ)) == [second]


async def test_the_language_is_remembered_for_a_registered_user_only(zz: World) -> None:
    clerk = await zz.clerk(AIRPORT, 908)
    await zz.once(joining.set_language(zz.ports, 908, "en"))
    await zz.once(joining.set_language(zz.ports, 909, "en"))  # not registered: nothing to keep
    assert await zz.nothing_written(queries.users(zz.ports, ZZ)) == [UserInfo(908, "clerk", ZZ, AIRPORT, "en")]
    assert clerk.language == "zh"
    context = await zz.nothing_written(queries.context(zz.ports, 908))
    assert context is not None and context[0].language == "en"
    assert await zz.nothing_written(queries.context(zz.ports, 909)) is None


async def test_the_ids_listed_in_the_settings_are_office_staff_without_an_invitation(zz: World) -> None:
    """NOMINEE_OFFICE_IDS: a newcomer is registered as office staff, a clerk listed there becomes
    office staff (said in the audit log), one seated already is left alone."""
    clerk = await zz.clerk(AIRPORT, 911)
    assert await zz.once(joining.seat_office(zz.ports, ZZ, [910, 911, 910])) == [910, 911]
    office = await zz.nothing_written(queries.users(zz.ports, ZZ, role="office"))
    assert {(u.tg_id, u.unit, u.language) for u in office} == {(910, None, "zh"), (911, None, clerk.language)}
    assert await zz.once(joining.seat_office(zz.ports, ZZ, [910, 911])) == []
    assert await zz.rejected(joining.seat_office(zz.ports, "no-such-campaign", [912])) == CampaignUnknown(
        "no-such-campaign"
    )


def test_the_office_ids_setting_takes_ids_separated_by_commas_or_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOMINEE_OFFICE_IDS", "123, 456 789")
    assert Settings(_env_file=None).office_ids == (123, 456, 789)
    monkeypatch.delenv("NOMINEE_OFFICE_IDS")
    assert Settings(_env_file=None).office_ids == ()
