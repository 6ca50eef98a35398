"""A clerk's nominees: saving with its typed refusals, editing, alternates, withdrawing, the
prechecks behind the category buttons, and what another unit's clerk may not touch.

Numbers from 郑工办〔2024〕6号's allocation table (DOMAIN.md): 航空港 奖章 6 = 一线产业工人 4 +
一线科教 1 + 1 free; 金水区 奖章 6 = 一线产业工人 1 + 一线科教 2 + 非公新业态农民工 2 + 1 free;
city-wide 科级 4 and 企业负责人 7; 奖状 1–2 per unit.
"""

from __future__ import annotations

from app import nominees, prechecks, queries
from core.errors import Ineligible
from core.loader import load_builtin
from core.refusals import (
    AlternateInvalid,
    AwardUnknown,
    ClerkOnly,
    Decision,
    Duplicate,
    LimitFull,
    NoAllocation,
    NomineeChanged,
    NomineeIncomplete,
    NomineeLocked,
    NomineeNotFound,
    OpenReserved,
    PerUnitLimit,
    ReservedFull,
    UnitFull,
    UserUnknown,
)
from tests.nominees import organisation, person, team

from .story import AIRPORT, FREE_PLACE_UNITS, JINSHUI, ZHENGDONG, ZZ, World

INDUSTRIAL = OpenReserved("industrial", "一线产业工人", "frontline industrial workers", 4)
SCITECH = OpenReserved("scitech", "一线科教", "frontline science/education", 1)
SECTION_CADRES_FULL = LimitFull("medal", "pool:section_cadre", "pool", "科级领导干部", "section-level cadres", 4, 4)
CADRE = "机关和事业单位科级领导干部"
HEAD = "企业负责人"


async def test_a_migrant_worker_takes_the_airport_free_place_and_a_second_is_told_what_is_still_open(
    zz: World,
) -> None:
    me = await zz.clerk(AIRPORT, 101)
    first = await zz.saved(me, "medal", person(1, "农民工"))
    assert (first.status, first.unit, first.award, first.alternate_for) == ("saved", AIRPORT, "medal", None)

    # The 5 reserved places (4 产业工人, 1 科教) would no longer fit beside a second 农民工.
    assert await zz.refused(me, "medal", person(2, "农民工")) == (
        ReservedFull("medal", "农民工", cap=6, used=1, free=0, open=(INDUSTRIAL, SCITECH)),
    )
    places = await zz.places(me, "medal")
    assert (places.cap, places.used, places.free) == (6, 1, 0)
    assert await zz.consistent()


async def test_once_the_free_place_is_gone_only_the_reserved_kinds_fit_and_then_the_unit_is_full(zz: World) -> None:
    me = await zz.clerk(AIRPORT, 102)
    await zz.saved(me, "medal", person(1, "农民工"))
    for n in range(2, 6):
        await zz.saved(me, "medal", person(n, "一线产业工人"))

    # A fifth 产业工人 would leave no place for the 科教 the table reserves.
    assert await zz.refused(me, "medal", person(6, "一线产业工人")) == (
        ReservedFull("medal", "一线产业工人", cap=6, used=5, free=0, open=(SCITECH,)),
    )
    # The refused save gave its place back: the 科教 still gets it.
    await zz.saved(me, "medal", person(7, "一线科教人员"))
    assert await zz.refused(me, "medal", person(8, "一线科教人员")) == (UnitFull("medal", cap=6, used=6),)
    assert await zz.consistent()


async def test_the_city_has_four_section_level_cadres_whichever_unit_asks(zz: World) -> None:
    for i, unit in enumerate(FREE_PLACE_UNITS[:4]):
        clerk = await zz.clerk(unit, 200 + i)
        await zz.saved(clerk, "medal", person(200 + i, CADRE))

    fifth = await zz.clerk(FREE_PLACE_UNITS[5], 205)  # 管城区: its free place is still open
    assert await zz.refused(fifth, "medal", person(205, CADRE)) == (SECTION_CADRES_FULL,)
    assert (await zz.pools(fifth))["pool:section_cadre"] == (4, 4)
    # The free place itself is still there for anyone else.
    await zz.saved(fifth, "medal", person(206, "其他一线职工和专业技术人员"))


async def test_the_city_has_seven_enterprise_heads(zz: World) -> None:
    for i, unit in enumerate(FREE_PLACE_UNITS[:7]):
        clerk = await zz.clerk(unit, 300 + i)
        await zz.saved(clerk, "medal", person(300 + i, HEAD))

    eighth = await zz.clerk(FREE_PLACE_UNITS[7], 307)  # 登封市
    assert await zz.refused(eighth, "medal", person(307, HEAD)) == (
        LimitFull("medal", "pool:enterprise_head", "pool", "企业负责人", "enterprise heads", 7, 7),
    )
    assert (await zz.pools(eighth))["pool:enterprise_head"] == (7, 7)


async def test_a_unit_without_medal_places_is_told_so_before_anything_else(zz: World) -> None:
    me = await zz.clerk("轻金属研究院", 402)  # 先锋号 1, 奖章 0
    assert await zz.refused(me, "medal", person(402, "一线产业工人")) == (NoAllocation("medal"),)
    view = await zz.nothing_written(prechecks.category_view(zz.ports, me, "medal", [{"category": "一线产业工人"}, {}]))
    assert view.decisions == [Decision((NoAllocation("medal"),))] * 2
    assert view.places is not None and (view.places.cap, view.places.left) == (0, 0)


async def test_a_unit_nominates_at_most_two_organisations_for_the_certificate(zz: World) -> None:
    me = await zz.clerk(AIRPORT, 401)
    await zz.saved(me, "certificate", organisation("甲公司"))
    await zz.saved(me, "certificate", organisation("乙公司"))
    assert await zz.refused(me, "certificate", organisation("丙公司")) == (PerUnitLimit("certificate", 2, 2),)
    places = await zz.places(me, "certificate")
    assert (places.competitive, places.cap, places.used) == (True, 2, 2)


async def test_a_person_nominated_by_jinshui_cannot_be_nominated_again_and_zhengdong_is_told_who_holds_them(
    zz: World,
) -> None:
    jinshui = await zz.clerk(JINSHUI, 501)
    zhengdong = await zz.clerk(ZHENGDONG, 502)
    first = await zz.saved(jinshui, "medal", person(7, "一线产业工人"))

    again = person(7, "一线产业工人", name="张七")
    assert await zz.refused(zhengdong, "medal", again) == (Duplicate(JINSHUI, "medal"),)  # no number of theirs
    # Under another category, and by the same unit, the ID number still identifies the person:
    # the unit's own clerk is told its number.
    assert await zz.refused(jinshui, "medal", person(7, "一线科教人员")) == (Duplicate(JINSHUI, "medal", first.id),)
    # An organisation is the same one in full-width digits and with a trailing space.
    await zz.saved(jinshui, "pioneer", team(1, ownership="非公"))
    assert await zz.refused(zhengdong, "pioneer", team(1, parent_org="郑州第１机械厂 ")) == (
        Duplicate(JINSHUI, "pioneer"),
    )


async def test_a_hard_eligibility_rule_refuses_the_nominee_with_the_notice_s_words(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 601)
    rules = {rule.key: rule for rule in load_builtin(ZZ).eligibility}
    union = rules["union_conditions"]
    assert await zz.refused(me, "medal", person(51, "一线产业工人", union_ok="否")) == (
        Ineligible("union_conditions", union.message, union.message_en),
    )
    competition = rules["no_competition"]
    assert await zz.refused(me, "pioneer", team(51, competition="否")) == (
        Ineligible("no_competition", competition.message, competition.message_en),
    )
    assert (await zz.places(me, "medal")).used == 0


async def test_missing_answers_and_a_soft_rule_without_its_reason_are_not_saved(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 602)
    incomplete = person(52, "一线产业工人")
    del incomplete["deeds"]
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", incomplete)) == NomineeIncomplete(("deeds",))

    # No county-level honour: allowed only with a written reason (原则上).
    without_honour = person(53, "一线产业工人", county_honour="否")
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", without_honour)) == NomineeIncomplete(
        ("reason.no_county_honour",)
    )
    await zz.saved(me, "medal", {**without_honour, "reason.no_county_honour": "该同志获省级技术能手称号。"})


async def test_an_edit_that_changes_the_category_moves_the_city_wide_counters(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 701)
    cadre = await zz.saved(me, "medal", person(31, CADRE))
    pools = await zz.pools(me)
    assert pools["pool:section_cadre"] == (1, 4) and pools["award:medal"] == (1, 120)

    edited = await zz.saved(me, "medal", person(31, "一线产业工人"), nominee_id=cadre.id)
    assert (edited.id, edited.status, edited.version) == (cadre.id, "saved", 2)
    assert edited.answers["category"] == "一线产业工人"
    pools = await zz.pools(me)
    assert pools["pool:section_cadre"] == (0, 4) and pools["award:medal"] == (1, 120)
    assert (await zz.places(me, "medal")).used == 1  # the unit's place stays with it
    _, history = await zz.nothing_written(queries.nominee(zz.ports, me, cadre.id))
    assert [h.action for h in history] == ["created", "edited"]
    assert history[-1].changes["category"] == (CADRE, "一线产业工人")
    assert await zz.consistent()


async def test_an_edit_into_a_full_pool_is_refused_and_the_nominee_stays_as_it_was(zz: World) -> None:
    for i, unit in enumerate(FREE_PLACE_UNITS[:4]):
        await zz.saved(await zz.clerk(unit, 710 + i), "medal", person(710 + i, CADRE))
    me = await zz.clerk(FREE_PLACE_UNITS[5], 715)
    worker = await zz.saved(me, "medal", person(715, "一线产业工人"))

    assert await zz.refused(me, "medal", person(715, CADRE), nominee_id=worker.id) == (SECTION_CADRES_FULL,)
    info, history = await zz.nothing_written(queries.nominee(zz.ports, me, worker.id))
    assert info.answers["category"] == "一线产业工人" and [h.action for h in history] == ["created"]
    assert (await zz.pools(me))["pool:section_cadre"] == (4, 4)
    assert await zz.consistent()


async def test_a_cadre_edited_while_the_pool_is_full_keeps_their_own_pool_place(zz: World) -> None:
    clerks = [await zz.clerk(unit, 720 + i) for i, unit in enumerate(FREE_PLACE_UNITS[:4])]
    cadres = [await zz.saved(c, "medal", person(720 + i, CADRE)) for i, c in enumerate(clerks)]
    me, mine = clerks[0], cadres[0]

    # The chat's buttons: a new cadre no longer fits, the edited one may stay a cadre.
    another = await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {"category": CADRE}))
    assert SECTION_CADRES_FULL in another.refusals  # (and 金水区's free place is taken, too)
    assert (
        await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {"category": CADRE}, exclude=mine.id))
    ).ok
    rewritten = person(720, CADRE, deeds="改写后的事迹。" * 20)
    await zz.saved(me, "medal", rewritten, nominee_id=mine.id)
    assert (await zz.pools(me))["pool:section_cadre"] == (4, 4)
    assert await zz.consistent()


async def test_an_enterprise_head_s_alternate_takes_no_place_and_must_be_a_frontline_worker(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 801)
    head = await zz.saved(me, "medal", person(22, HEAD))

    wrong = nominees.save(zz.ports, me, "medal", person(23, "农民工"), alternate_for=head.id)
    assert await zz.rejected(wrong) == AlternateInvalid(head.id, "category")
    alternate = await zz.saved(me, "medal", person(23, "一线产业工人"), alternate_for=head.id)
    assert alternate.alternate_for == head.id and alternate.status == "saved"
    assert (await zz.places(me, "medal")).used == 1  # only the head holds a place
    assert (await zz.pools(me))["pool:enterprise_head"] == (1, 7)

    second = nominees.save(zz.ports, me, "medal", person(24, "一线产业工人"), alternate_for=head.id)
    assert await zz.rejected(second) == AlternateInvalid(head.id, "exists")
    # A frontline worker needs no alternate, and there is no nominee 999.
    worker = await zz.saved(me, "medal", person(25, "一线科教人员"))
    assert await zz.rejected(
        nominees.save(zz.ports, me, "medal", person(26, "一线产业工人"), alternate_for=worker.id)
    ) == AlternateInvalid(worker.id, "not_needed")
    assert await zz.rejected(
        nominees.save(zz.ports, me, "medal", person(26, "一线产业工人"), alternate_for=999)
    ) == AlternateInvalid(999, "principal_gone")
    # The alternate is a person like any other: nobody else may nominate them.
    zhengdong = await zz.clerk(ZHENGDONG, 802)
    assert await zz.refused(zhengdong, "medal", person(23, "一线产业工人")) == (Duplicate(JINSHUI, "medal"),)
    assert await zz.consistent()


async def test_a_clerk_is_told_before_an_edit_whether_the_nominee_may_still_be_changed(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 807)
    mine = await zz.saved(me, "medal", person(34, "一线产业工人"))
    assert (await zz.nothing_written(nominees.editable(zz.ports, me, mine.id))).id == mine.id
    await zz.once(nominees.withdraw(zz.ports, me, mine.id))
    assert await zz.rejected(nominees.editable(zz.ports, me, mine.id)) == NomineeLocked("withdrawn")
    airport = await zz.clerk(AIRPORT, 808)
    assert await zz.rejected(nominees.editable(zz.ports, airport, mine.id)) == NomineeNotFound(mine.id)


async def test_a_clerk_is_told_before_the_questions_whether_a_nominee_may_get_an_alternate(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 805)
    head = await zz.saved(me, "medal", person(31, HEAD))
    assert (await zz.nothing_written(nominees.alternate_principal(zz.ports, me, head.id))).id == head.id
    worker = await zz.saved(me, "medal", person(32, "一线科教人员"))
    assert await zz.rejected(nominees.alternate_principal(zz.ports, me, worker.id)) == AlternateInvalid(
        worker.id, "not_needed"
    )
    await zz.saved(me, "medal", person(33, "一线产业工人"), alternate_for=head.id)
    assert await zz.rejected(nominees.alternate_principal(zz.ports, me, head.id)) == AlternateInvalid(head.id, "exists")
    airport = await zz.clerk(AIRPORT, 806)
    assert await zz.rejected(nominees.alternate_principal(zz.ports, airport, head.id)) == NomineeNotFound(head.id)


async def test_another_unit_s_head_cannot_be_given_an_alternate(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 811)
    airport = await zz.clerk(AIRPORT, 812)
    head = await zz.saved(jinshui, "medal", person(27, HEAD))
    foreign = nominees.save(zz.ports, airport, "medal", person(28, "一线产业工人"), alternate_for=head.id)
    assert await zz.rejected(foreign) == AlternateInvalid(head.id, "principal_gone")


async def test_withdrawing_a_head_frees_the_places_and_withdraws_the_alternate_with_it(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 901)
    head = await zz.saved(me, "medal", person(22, HEAD))
    alternate = await zz.saved(me, "medal", person(23, "一线产业工人"), alternate_for=head.id)

    withdrawn = await zz.once(nominees.withdraw(zz.ports, me, head.id))
    assert (withdrawn.id, withdrawn.status) == (head.id, "withdrawn")
    assert await zz.nothing_written(queries.nominees(zz.ports, me)) == ([], 0)
    listed, total = await zz.nothing_written(queries.nominees(zz.ports, me, include_withdrawn=True))
    assert total == 2 and {n.status for n in listed} == {"withdrawn"}
    assert (await zz.places(me, "medal")).used == 0
    assert (await zz.pools(me))["pool:enterprise_head"] == (0, 7)
    for nominee in (head, alternate):
        _, history = await zz.nothing_written(queries.nominee(zz.ports, me, nominee.id))
        assert [h.action for h in history] == ["created", "withdrawn"]
        assert history[1].changes == {"status": ("saved", "withdrawn")}
    # Both people may be nominated again, by anyone.
    zhengdong = await zz.clerk(ZHENGDONG, 902)
    await zz.saved(zhengdong, "medal", person(22, HEAD))
    await zz.saved(me, "medal", person(23, "一线产业工人"))
    assert await zz.consistent()


async def test_the_category_buttons_grey_out_what_no_longer_fits(zz: World) -> None:
    me = await zz.clerk(AIRPORT, 1001)
    campaign = load_builtin(ZZ)
    categories = campaign.award("medal").categories
    choices = [{"category": c} for c in categories]

    fresh = await zz.nothing_written(prechecks.category_view(zz.ports, me, "medal", choices))
    assert all(d.ok for d in fresh.decisions)
    assert fresh.places is not None and (fresh.places.cap, fresh.places.used, fresh.places.free) == (6, 0, 1)
    assert (await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {}))).ok

    migrant = await zz.saved(me, "medal", person(1, "农民工"))
    view = await zz.nothing_written(prechecks.category_view(zz.ports, me, "medal", choices))
    fitting = {c for c, d in zip(categories, view.decisions, strict=True) if d.ok}
    assert fitting == {"一线产业工人", "一线科教人员"}  # the reserved kinds; the free place is taken
    assert view.places is not None and (view.places.used, view.places.free) == (1, 0)
    refused = dict(zip(categories, view.decisions, strict=True))["农民工"]
    assert refused == Decision((ReservedFull("medal", "农民工", 6, 1, 0, (INDUSTRIAL, SCITECH)),))

    # Editing the 农民工: their own place is left out of the buttons, so every category fits again;
    # the places shown are the unit's as they stand, the 农民工's own included.
    editing = await zz.nothing_written(prechecks.category_view(zz.ports, me, "medal", choices, exclude=migrant.id))
    assert all(d.ok for d in editing.decisions)
    assert editing.places is not None and (editing.places.used, editing.places.free) == (1, 0)


async def test_an_alternate_s_category_buttons_are_never_greyed_out(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 1011)
    head = await zz.saved(me, "medal", person(22, HEAD))
    alternate = await zz.saved(me, "medal", person(23, "一线产业工人"), alternate_for=head.id)
    for i, unit in enumerate(FREE_PLACE_UNITS[1:7]):  # the other six heads: the pool is full
        await zz.saved(await zz.clerk(unit, 1012 + i), "medal", person(1012 + i, HEAD))
    view = await zz.nothing_written(
        prechecks.category_view(zz.ports, me, "medal", [{"category": HEAD}, {}], exclude=alternate.id)
    )
    assert view.decisions == [Decision(), Decision()] and view.places is None


async def test_another_unit_s_nominee_is_not_found_for_a_clerk(zz: World) -> None:
    airport = await zz.clerk(AIRPORT, 1101)
    jinshui = await zz.clerk(JINSHUI, 1102)
    theirs = await zz.saved(airport, "medal", person(81, "一线产业工人"))

    not_found = NomineeNotFound(theirs.id)
    assert await zz.rejected(queries.nominee(zz.ports, jinshui, theirs.id)) == not_found
    assert await zz.rejected(nominees.withdraw(zz.ports, jinshui, theirs.id)) == not_found
    edit = nominees.save(zz.ports, jinshui, "medal", person(81, "一线产业工人"), nominee_id=theirs.id)
    assert await zz.rejected(edit) == not_found
    assert await zz.rejected(prechecks.precheck(zz.ports, jinshui, "medal", {}, exclude=theirs.id)) == not_found
    assert await zz.rejected(nominees.withdraw(zz.ports, jinshui, 999)) == NomineeNotFound(999)


async def test_requests_that_make_no_sense_are_rejected_with_the_problem(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 1201)
    office = await zz.office(1202)
    worker = await zz.saved(me, "medal", person(91, "一线产业工人"))

    assert await zz.rejected(nominees.save(zz.ports, office, "medal", person(92, "一线产业工人"))) == ClerkOnly()
    assert await zz.rejected(nominees.save(zz.ports, me, "laomo", person(92, "一线产业工人"))) == AwardUnknown("laomo")
    assert await zz.rejected(prechecks.precheck(zz.ports, me, "laomo", {})) == AwardUnknown("laomo")
    moved = nominees.save(zz.ports, me, "pioneer", team(91), nominee_id=worker.id)
    assert await zz.rejected(moved) == NomineeChanged(worker.id)
    stranger = type(me)(4242, "clerk", ZZ, JINSHUI, "zh")
    assert await zz.rejected(nominees.save(zz.ports, stranger, "medal", person(93, "一线产业工人"))) == UserUnknown()


async def test_a_clerk_who_loses_the_race_for_a_person_is_told_who_holds_them(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 1301)
    zhengdong = await zz.clerk(ZHENGDONG, 1302)
    # Both check the ID number at the same moment; 金水区's save commits first.
    zz.db.interleave("nominees.add", lambda: zz.saved(jinshui, "medal", person(7, "一线产业工人")))

    before = zz.db.commits
    outcome = await nominees.save(zz.ports, zhengdong, "medal", person(7, "一线产业工人"))
    assert outcome.nominee is None and outcome.refusals == (Duplicate(JINSHUI, "medal"),)
    assert zz.db.commits == before + 1  # 金水区's save only
    assert (await zz.places(zhengdong, "medal")).used == 0
    assert (await zz.places(jinshui, "medal")).used == 1
    assert await zz.consistent()


async def test_a_clerk_who_loses_the_race_to_a_nomination_withdrawn_at_once_gets_the_person(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 1401)
    zhengdong = await zz.clerk(ZHENGDONG, 1402)
    rival: list[int] = []

    async def jinshui_saves_then_changes_its_mind() -> None:
        rival.append((await zz.saved(jinshui, "medal", person(7, "一线产业工人"))).id)
        # …and withdraws the person before 郑东新区 learns who held them.
        zz.db.interleave("db.read", lambda: zz.once(nominees.withdraw(zz.ports, jinshui, rival[0])))

    zz.db.interleave("nominees.add", jinshui_saves_then_changes_its_mind)
    before = zz.db.commits
    outcome = await nominees.save(zz.ports, zhengdong, "medal", person(7, "一线产业工人"))
    assert outcome.nominee is not None and outcome.nominee.unit == ZHENGDONG  # saved on the second try
    assert zz.db.commits == before + 3  # 金水区's save and withdrawal, then 郑东新区's save
    assert (await zz.places(zhengdong, "medal")).used == 1
    assert (await zz.places(jinshui, "medal")).used == 0
    assert await zz.consistent()
