"""The office's decisions on a handed-in nominee: the transitions, the places a decision gives
back or takes again, and the requests refused (a return needs a reason; only the office decides)."""

from __future__ import annotations

import itertools

import pytest

from app import nominees, queries, review, submission
from core.records import NomineeInfo, ReviewAction, UserInfo
from core.refusals import (
    LimitFull,
    NomineeChanged,
    NomineeNotFound,
    OfficeOnly,
    PromoteInvalid,
    Rejected,
    ReviewNoPlace,
    ReviewNoteRequired,
    ReviewTransition,
    UnitFull,
    UnitUnknown,
)
from tests.nominees import person, team

from .story import CHALCO, FREE_PLACE_UNITS, World

HEAD = "企业负责人"

STATUSES = ("saved", "submitted", "returned", "accepted", "approved", "not_approved", "withdrawn")
ACTIONS: tuple[ReviewAction, ...] = ("accept", "return", "approve", "not_approve", "reopen")
# DOMAIN.md "Status of a nominee": submitted → accepted (初审通过) or returned (with a reason);
# accepted → approved / not approved (final); a decision can be taken back (reopen → submitted).
ALLOWED = {
    ("submitted", "accept"): "accepted",
    ("submitted", "return"): "returned",
    ("accepted", "return"): "returned",
    ("accepted", "approve"): "approved",
    ("submitted", "not_approve"): "not_approved",
    ("accepted", "not_approve"): "not_approved",
    ("accepted", "reopen"): "submitted",
    ("approved", "reopen"): "submitted",
    ("not_approved", "reopen"): "submitted",
    ("returned", "reopen"): "submitted",
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(STATUSES, ACTIONS)))
def test_the_transitions_table(status: str, action: ReviewAction) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(Rejected) as caught:
            review.transition(status, action, "理由")
        assert caught.value.problem == ReviewTransition(status, action)
    else:
        assert review.transition(status, action, "理由") == expected


async def handed_in(zz: World, tg_id: int) -> tuple[UserInfo, NomineeInfo]:
    """长铝公司's clerk hands in its one 奖章 worker and its one 先锋号 team."""
    me = await zz.clerk(CHALCO, tg_id)
    worker = await zz.saved(me, "medal", person(tg_id, "一线产业工人"))
    await zz.saved(me, "pioneer", team(tg_id))
    assert await zz.once(submission.submit(zz.ports, me)) == []
    return me, worker


async def test_decisions_give_places_back_and_take_them_again(zz: World) -> None:
    me, worker = await handed_in(zz, 1101)
    office = await zz.office(1102)

    assert (await zz.once(review.review(zz.ports, office, worker.id, "accept"))).status == "accepted"
    assert (await zz.places(office, "medal", CHALCO)).used == 1
    assert (await zz.once(review.review(zz.ports, office, worker.id, "not_approve"))).status == "not_approved"
    assert (await zz.places(office, "medal", CHALCO)).used == 0
    assert (await zz.pools(me))["award:medal"] == (0, 120)
    assert (await zz.once(review.review(zz.ports, office, worker.id, "reopen"))).status == "submitted"
    assert (await zz.places(office, "medal", CHALCO)).used == 1
    assert (await zz.pools(me))["award:medal"] == (1, 120)
    assert (await zz.once(review.review(zz.ports, office, worker.id, "accept"))).status == "accepted"
    approved = await zz.once(review.review(zz.ports, office, worker.id, "approve"))
    assert (approved.status, approved.version) == ("approved", 7)
    assert (await zz.places(office, "medal", CHALCO)).used == 1

    _, history = await zz.nothing_written(queries.nominee(zz.ports, office, worker.id))
    assert [h.action for h in history] == [
        "created",
        "submitted",
        "accepted",
        "not_approved",
        "reopened",
        "accepted",
        "approved",
    ]
    assert history[3].changes == {"status": ("accepted", "not_approved")}
    assert all(h.actor == office.tg_id for h in history[2:])
    assert await zz.consistent()


async def test_a_decision_taken_back_after_the_place_was_given_away_is_refused(zz: World) -> None:
    me, worker = await handed_in(zz, 1201)
    office = await zz.office(1202)
    await zz.once(review.review(zz.ports, office, worker.id, "not_approve"))
    # The office opens the list again and the clerk gives the free place to somebody else.
    assert await zz.once(review.reopen(zz.ports, office, CHALCO)) == 1  # the team; the worker stays not approved
    await zz.saved(me, "medal", person(1203, "一线产业工人"))

    taken_back = review.review(zz.ports, office, worker.id, "reopen")
    assert await zz.rejected(taken_back) == ReviewNoPlace((UnitFull("medal", 1, 1),))
    info, _ = await zz.nothing_written(queries.nominee(zz.ports, office, worker.id))
    assert info.status == "not_approved"
    assert await zz.consistent()


async def test_a_return_needs_the_office_s_reason(zz: World) -> None:
    _me, worker = await handed_in(zz, 1301)
    office = await zz.office(1302)
    assert await zz.rejected(review.review(zz.ports, office, worker.id, "return")) == ReviewNoteRequired()
    assert await zz.rejected(review.review(zz.ports, office, worker.id, "return", "   ")) == ReviewNoteRequired()
    assert await zz.rejected(review.review(zz.ports, office, worker.id, "approve")) == ReviewTransition(
        "submitted", "approve"
    )
    returned = await zz.once(review.review(zz.ports, office, worker.id, "return", "缺少职代会意见"))
    assert (returned.status, returned.note) == ("returned", "缺少职代会意见")
    assert (await zz.places(office, "medal", CHALCO)).used == 1  # a returned nominee keeps its place


async def test_only_the_office_decides(zz: World) -> None:
    me, worker = await handed_in(zz, 1401)
    office = await zz.office(1402)
    assert await zz.rejected(review.review(zz.ports, me, worker.id, "accept")) == OfficeOnly()
    assert await zz.rejected(review.reopen(zz.ports, me, CHALCO)) == OfficeOnly()
    assert await zz.rejected(review.review(zz.ports, office, 999, "accept")) == NomineeNotFound(999)
    assert await zz.rejected(review.reopen(zz.ports, office, "没有这个单位")) == UnitUnknown("没有这个单位")


async def test_reopening_a_unit_makes_its_handed_in_nominees_editable(zz: World) -> None:
    me, worker = await handed_in(zz, 1501)
    office = await zz.office(1502)
    assert await zz.once(review.reopen(zz.ports, office, CHALCO)) == 2
    listed, _ = await zz.nothing_written(queries.nominees(zz.ports, me))
    assert {n.status for n in listed} == {"saved"}
    withdrawn = await zz.once(nominees.withdraw(zz.ports, me, worker.id))
    assert withdrawn.status == "withdrawn"
    assert (await zz.places(me, "medal")).used == 0


async def test_a_head_taken_back_after_the_city_s_last_head_place_went_elsewhere_is_refused(zz: World) -> None:
    culture = await zz.clerk("市文教卫工会", 1601)  # 奖章 4: 一线科教 2 + 2 free
    office = await zz.office(1602)
    await zz.saved(culture, "medal", person(1601, "一线科教人员"))
    await zz.saved(culture, "medal", person(1602, "一线科教人员"))
    head = await zz.saved(culture, "medal", person(1603, HEAD))
    await zz.saved(culture, "medal", person(1604, "一线产业工人"), alternate_for=head.id)
    assert await zz.once(submission.submit(zz.ports, culture)) == []
    for i, unit in enumerate(FREE_PLACE_UNITS[:6]):
        await zz.saved(await zz.clerk(unit, 1610 + i), "medal", person(1610 + i, HEAD))

    await zz.once(review.review(zz.ports, office, head.id, "not_approve"))
    assert (await zz.pools(culture))["pool:enterprise_head"] == (6, 7)
    await zz.saved(await zz.clerk(FREE_PLACE_UNITS[6], 1620), "medal", person(1620, HEAD))

    assert await zz.rejected(review.review(zz.ports, office, head.id, "reopen")) == ReviewNoPlace(
        (LimitFull("medal", "pool:enterprise_head", "pool", "企业负责人", "enterprise heads", 7, 7),)
    )
    assert (await zz.places(office, "medal", "市文教卫工会")).used == 2
    assert await zz.consistent()


async def culture_with_head(zz: World, base: int) -> tuple[UserInfo, NomineeInfo, NomineeInfo]:
    """市文教卫工会 (奖章 4: 一线科教 2 + 2 free) hands in two 科教 workers, an enterprise head and
    the head's alternate (a frontline worker): (the clerk, the head, the alternate)."""
    culture = await zz.clerk("市文教卫工会", base)
    await zz.saved(culture, "medal", person(base, "一线科教人员"))
    await zz.saved(culture, "medal", person(base + 1, "一线科教人员"))
    head = await zz.saved(culture, "medal", person(base + 2, HEAD))
    alternate = await zz.saved(culture, "medal", person(base + 3, "一线产业工人"), alternate_for=head.id)
    assert await zz.once(submission.submit(zz.ports, culture)) == []
    return culture, head, alternate


async def test_an_alternate_takes_the_place_of_its_head_who_is_not_approved_in_one_step(zz: World) -> None:
    culture, head, alternate = await culture_with_head(zz, 1701)
    office = await zz.office(1709)
    assert (await zz.places(office, "medal", "市文教卫工会")).used == 3
    assert (await zz.pools(culture))["pool:enterprise_head"] == (1, 7)
    accepted = await zz.once(review.review(zz.ports, office, head.id, "accept"))

    promoted = await zz.once(review.promote(zz.ports, office, alternate.id, version=alternate.version + 1))

    assert promoted.alternate.alternate_for is None and promoted.alternate.status == "submitted"
    assert promoted.principal.status == "not_approved" and promoted.principal.version == accepted.version + 1
    assert (await zz.places(office, "medal", "市文教卫工会")).used == 3  # the place moved, not freed
    pools = await zz.pools(culture)
    assert pools["pool:enterprise_head"] == (0, 7)  # a frontline worker takes no head's place
    assert pools["award:medal"][0] == 3
    assert await zz.consistent()
    head_card = await zz.nothing_written(queries.record(zz.ports, office, head.id))
    assert [(h.action, h.note) for h in head_card.history][-1] == ("replaced", f"#{alternate.id}")
    assert head_card.history[-1].changes == {"status": ("accepted", "not_approved")}
    alt_card = await zz.nothing_written(queries.record(zz.ports, office, alternate.id))
    assert [(h.action, h.note) for h in alt_card.history][-1] == ("promoted", f"#{head.id}")
    assert alt_card.info.alternate_for is None


async def test_an_alternate_stands_in_for_a_head_already_not_approved(zz: World) -> None:
    culture, head, alternate = await culture_with_head(zz, 1711)
    office = await zz.office(1719)
    await zz.once(review.review(zz.ports, office, head.id, "not_approve", version=head.version + 1))
    assert (await zz.places(office, "medal", "市文教卫工会")).used == 2

    await zz.once(review.promote(zz.ports, office, alternate.id))

    assert (await zz.places(office, "medal", "市文教卫工会")).used == 3
    assert (await zz.pools(culture))["pool:enterprise_head"] == (0, 7)
    assert await zz.consistent()
    # once promoted it is an alternate no more
    assert await zz.rejected(review.promote(zz.ports, office, alternate.id)) == PromoteInvalid(
        alternate.id, "not_alternate"
    )


async def test_an_alternate_cannot_stand_in_for_an_approved_head_nor_be_promoted_by_a_clerk(zz: World) -> None:
    culture, head, alternate = await culture_with_head(zz, 1721)
    office = await zz.office(1729)
    await zz.once(review.review(zz.ports, office, head.id, "accept"))
    await zz.once(review.review(zz.ports, office, head.id, "approve"))

    assert await zz.rejected(review.promote(zz.ports, office, alternate.id)) == PromoteInvalid(
        head.id, "principal", "approved"
    )
    assert await zz.rejected(review.promote(zz.ports, culture, alternate.id)) == OfficeOnly()
    assert await zz.rejected(review.promote(zz.ports, office, head.id)) == PromoteInvalid(head.id, "not_alternate")
    assert await zz.consistent()


async def test_a_returned_alternate_is_not_promoted(zz: World) -> None:
    _culture, head, alternate = await culture_with_head(zz, 1731)
    office = await zz.office(1739)
    await zz.once(review.review(zz.ports, office, alternate.id, "return", "请补充事迹"))
    assert await zz.rejected(review.promote(zz.ports, office, alternate.id)) == PromoteInvalid(
        alternate.id, "alternate", "returned"
    )
    assert (await zz.nothing_written(queries.record(zz.ports, office, head.id))).info.status == "submitted"


async def test_two_office_members_deciding_at_once_one_wins_the_other_is_told_it_changed(zz: World) -> None:
    _me, worker = await handed_in(zz, 1741)
    first, second = await zz.office(1742), await zz.office(1743)
    shown = (await zz.nothing_written(queries.record(zz.ports, first, worker.id))).info.version

    await zz.once(review.review(zz.ports, first, worker.id, "accept", version=shown))

    assert await zz.rejected(
        review.review(zz.ports, second, worker.id, "return", "材料不全", version=shown)
    ) == NomineeChanged(worker.id)
    assert await zz.rejected(review.promote(zz.ports, second, worker.id, version=shown)) == NomineeChanged(worker.id)


async def test_the_office_s_chooser_puts_the_units_awaiting_a_decision_first_and_a_unit_s_list_goes_by_award(
    zz: World,
) -> None:
    me, worker = await handed_in(zz, 1751)
    culture = await zz.clerk("市文教卫工会", 1752)
    await zz.saved(culture, "medal", person(1752, "一线科教人员"))  # saved, not handed in
    office = await zz.office(1759)

    overview = await zz.nothing_written(review.units(zz.ports, office))
    assert [(o.name, o.waiting, o.total) for o in overview[:2]] == [(CHALCO, 2, 2), ("市文教卫工会", 0, 1)]
    assert overview[0].submitted_at is not None and overview[1].submitted_at is None
    assert all(o.total == 0 for o in overview[2:])

    listing = await zz.nothing_written(review.unit_list(zz.ports, office, CHALCO))
    assert [n.award for n in listing.nominees] == ["medal", "pioneer"]  # the definition's order
    assert listing.nominees[0].id == worker.id
    assert await zz.rejected(review.unit_list(zz.ports, me, CHALCO)) == OfficeOnly()
    assert await zz.rejected(review.unit_list(zz.ports, office, "没有的单位")) == UnitUnknown("没有的单位")
