"""The clerk's and the office's stories through the use cases against a real database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import campaigns, drafts, joining, prechecks, queries, reminders, review, submission
from app import nominees as nominees_uc
from app.ports import Ports
from core.errors import Ineligible
from core.loader import builtin_text, parse
from core.records import Draft, UserInfo
from core.refusals import (
    AlternateInvalid,
    AlternateMissing,
    Duplicate,
    Gap,
    InviteInvalid,
    LimitFull,
    NomineeIncomplete,
    NomineeLocked,
    NomineeNotFound,
    OfficeOnly,
    PerUnitLimit,
    PromoteInvalid,
    Rejected,
    ReservedFull,
    ReservedOpen,
    ReviewNoteRequired,
    ReviewTransition,
    UnitClosed,
    UnitSubmitted,
    UnitUnknown,
    blocking,
    given_up,
    places_digest,
)
from storage.models import UnitQuotaRow
from tests.nominees import organisation, person, team

from .conftest import Clock
from .helpers import clerk, office

ZZ = "zhengzhou-2024"
AIRPORT = "航空港经济综合试验区"
JINSHUI = "金水区"
ZHENGDONG = "郑东新区"
CHALCO = "长铝公司"  # 奖章 1 (一线产业工人 1), 先锋号 1 (企业班组 1)
DEADLINE = date(2024, 3, 20)


@pytest.fixture
async def zz(ports: Ports) -> Ports:
    await campaigns.ensure_builtin(ports, ZZ)
    return ports


async def unit_used(engine: AsyncEngine, unit: str, award: str) -> int:
    async with engine.connect() as conn:
        query = select(UnitQuotaRow.used).where(UnitQuotaRow.unit == unit, UnitQuotaRow.award == award)
        return int((await conn.execute(query)).scalar_one())


async def rejected(call: object) -> object:
    """The problem a use case was rejected with."""
    assert asyncio.iscoroutine(call)
    with pytest.raises(Rejected) as caught:
        await call
    return caught.value.problem


def open_reserved(gaps: Sequence[Gap]) -> set[tuple[str, str]]:
    """(award, kind) of each gap, every one of them an open reserved sub-quota."""
    assert all(isinstance(g, ReservedOpen) for g in gaps), gaps
    return {(g.award, g.kind) for g in gaps if isinstance(g, ReservedOpen)}


async def test_a_migrant_worker_takes_the_free_place_and_a_second_is_refused(zz: Ports) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 101)
    first = await nominees_uc.save(zz, me, "medal", person(1, "农民工"))
    assert first.ok and first.nominee is not None
    assert first.nominee.status == "saved" and first.nominee.unit == AIRPORT

    second = await nominees_uc.save(zz, me, "medal", person(2, "农民工"))
    assert not second.ok
    (refusal,) = second.refusals
    assert isinstance(refusal, ReservedFull)
    assert (refusal.cap, refusal.used, refusal.free) == (6, 1, 0)
    # The refusal says what is still open: 4 产业工人 and 1 科教.
    assert {(o.kind, o.count) for o in refusal.open} == {("industrial", 4), ("scitech", 1)}

    quota = await queries.unit_quota(zz, me)
    medal = next(a for a in quota.awards if a.award == "medal")
    assert (medal.cap, medal.used, medal.free) == (6, 1, 0)
    assert await queries.verify_counters(zz, ZZ) == []


async def test_precheck_greys_out_what_no_longer_fits(zz: Ports, clock: Clock) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 111)
    assert (await prechecks.precheck(zz, me, "medal", {})).ok
    saved = await nominees_uc.save(zz, me, "medal", person(1, "农民工"))
    assert saved.nominee is not None
    refused = await prechecks.precheck(zz, me, "medal", {"category": "农民工"})
    assert [type(r) for r in refused.refusals] == [ReservedFull]
    assert (await prechecks.precheck(zz, me, "medal", {"category": "一线产业工人"})).ok
    # Editing the 农民工 itself: its own place is left out, so it may stay a 农民工.
    assert (await prechecks.precheck(zz, me, "medal", {"category": "农民工"}, exclude=saved.nominee.id)).ok
    clock.now = datetime(2024, 3, 21, tzinfo=UTC)
    closed = await prechecks.precheck(zz, me, "medal", {})
    assert closed.refusals == (UnitClosed(AIRPORT, "initial", DEADLINE),)


async def test_a_person_nominated_by_jinshui_cannot_be_nominated_by_zhengdong(zz: Ports) -> None:
    jinshui = await clerk(zz, ZZ, JINSHUI, 201)
    zhengdong = await clerk(zz, ZZ, ZHENGDONG, 202)
    first = (await nominees_uc.save(zz, jinshui, "medal", person(7, "一线产业工人"))).nominee
    assert first is not None

    again = await nominees_uc.save(zz, zhengdong, "medal", person(7, "一线产业工人", name="张七"))
    assert again.refusals == (Duplicate(JINSHUI, "medal"),)
    # Under another category the ID number still identifies the same person (its number told to its unit).
    other = await nominees_uc.save(zz, jinshui, "medal", person(7, "一线科教人员"))
    assert other.refusals == (Duplicate(JINSHUI, "medal", first.id),)
    # The same organisation twice is refused as well (names normalised: full-width, case, spaces).
    assert (await nominees_uc.save(zz, jinshui, "pioneer", team(1, ownership="非公"))).ok
    dup = await nominees_uc.save(zz, zhengdong, "pioneer", team(1, parent_org="郑州第１机械厂 "))
    assert dup.refusals == (Duplicate(JINSHUI, "pioneer"),)


async def test_withdraw_frees_the_place(zz: Ports, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 101)
    saved = await nominees_uc.save(zz, me, "medal", person(1, "农民工"))
    assert saved.nominee is not None and await unit_used(engine, AIRPORT, "medal") == 1

    withdrawn = await nominees_uc.withdraw(zz, me, saved.nominee.id)
    assert withdrawn.status == "withdrawn"
    assert await unit_used(engine, AIRPORT, "medal") == 0
    # The free place is free again, and so is the person.
    assert (await nominees_uc.save(zz, me, "medal", person(2, "农民工"))).ok
    assert (await nominees_uc.save(zz, me, "medal", person(1, "一线产业工人"))).ok
    assert await queries.verify_counters(zz, ZZ) == []
    listed, total = await queries.nominees(zz, me)
    assert total == 2 and all(n.status == "saved" for n in listed)
    _, history = await queries.nominee(zz, me, saved.nominee.id)
    assert [h.action for h in history] == ["created", "withdrawn"]
    assert history[1].changes == {"status": ("saved", "withdrawn")}


async def test_submit_is_refused_with_gaps_then_succeeds_and_locks(zz: Ports) -> None:
    me = await clerk(zz, ZZ, CHALCO, 301)
    assert open_reserved(await submission.submit(zz, me)) == {("medal", "industrial"), ("pioneer", "enterprise")}
    worker = await nominees_uc.save(zz, me, "medal", person(11, "一线产业工人"))
    assert worker.nominee is not None
    assert open_reserved(await submission.submit(zz, me)) == {("pioneer", "enterprise")}
    assert (await nominees_uc.save(zz, me, "pioneer", team(11))).ok

    assert await submission.submit(zz, me) == []
    listed, _ = await queries.nominees(zz, me)
    assert {n.status for n in listed} == {"submitted"}
    # Locked: no new nominee, no edit, no withdrawal, no second submit.
    assert await rejected(nominees_uc.save(zz, me, "certificate", {})) == UnitSubmitted(CHALCO)
    assert await rejected(nominees_uc.withdraw(zz, me, worker.nominee.id)) == NomineeLocked("submitted")
    assert await rejected(submission.submit(zz, me)) == UnitSubmitted(CHALCO)

    # The office reopens the list: the nominees are editable again.
    boss = await office(zz, ZZ)
    assert await review.reopen(zz, boss, CHALCO) == 2
    edited = await nominees_uc.save(
        zz, me, "medal", person(11, "一线产业工人", deeds="改写后的事迹。" * 20), nominee_id=worker.nominee.id
    )
    assert edited.ok and edited.nominee is not None and edited.nominee.status == "saved"
    _, history = await queries.nominee(zz, me, worker.nominee.id)
    assert [h.action for h in history] == ["created", "submitted", "reopened", "edited"]
    assert set(history[-1].changes) == {"deeds"}


async def test_the_reserved_places_given_up_are_stored_with_the_submission_until_reopened(zz: Ports) -> None:
    me = await clerk(zz, ZZ, CHALCO, 302)
    assert (await nominees_uc.save(zz, me, "pioneer", team(12))).ok  # no frontline industrial worker
    gaps = await submission.check(zz, me)
    places = given_up(gaps)
    assert open_reserved(gaps) == {("medal", "industrial")} and blocking(gaps) == []
    assert await submission.submit(zz, me) == gaps  # not without the clerk's confirmation

    assert await submission.submit(zz, me, places_digest(places)) == []
    boss = await office(zz, ZZ)
    state = await queries.unit_state(zz, boss, CHALCO)
    assert state.submitted_at is not None and state.given_up == tuple(places)
    assert await rejected(submission.check(zz, me)) == UnitSubmitted(CHALCO)

    await review.reopen(zz, boss, CHALCO)
    assert (await queries.unit_state(zz, me)).given_up == ()


async def test_a_list_with_an_enterprise_head_needs_an_alternate(zz: Ports, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, "新闻单位", 401)  # 奖章 1, reserved 一线职工 1
    head = await nominees_uc.save(zz, me, "medal", person(21, "企业负责人"))
    assert [type(r) for r in head.refusals] == [ReservedFull]  # the one place is reserved

    me = await clerk(zz, ZZ, JINSHUI, 403)  # 奖章 6: 产业工人 1, 科教 2, 非公农民工 2, 1 free
    head = await nominees_uc.save(zz, me, "medal", person(22, "企业负责人"))
    assert head.nominee is not None
    hid = head.nominee.id
    assert any(isinstance(g, AlternateMissing) and g.nominee == hid for g in await submission.submit(zz, me))

    # An alternate must be a frontline worker.
    wrong = nominees_uc.save(zz, me, "medal", person(23, "农民工"), alternate_for=hid)
    assert await rejected(wrong) == AlternateInvalid(hid, "category")
    alt = await nominees_uc.save(zz, me, "medal", person(23, "一线产业工人"), alternate_for=hid)
    assert alt.ok and alt.nominee is not None and alt.nominee.alternate_for == hid
    assert await unit_used(engine, JINSHUI, "medal") == 1  # the alternate holds no place
    second = nominees_uc.save(zz, me, "medal", person(24, "一线产业工人"), alternate_for=hid)
    assert await rejected(second) == AlternateInvalid(hid, "exists")
    assert not any(isinstance(g, AlternateMissing) for g in await submission.submit(zz, me))

    standing = await queries.standing(zz, ZZ)
    pool = next(lim for lim in standing.limits if lim.limit.key == "pool:enterprise_head")
    assert pool.used == 1
    # Withdrawing the head withdraws its alternate and frees the pool place.
    await nominees_uc.withdraw(zz, me, hid)
    listed, total = await queries.nominees(zz, me)
    assert total == 0 and listed == []
    assert await queries.verify_counters(zz, ZZ) == []


async def test_an_edit_moves_the_counters_when_the_category_changes(zz: Ports, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, JINSHUI, 501)
    cadre = await nominees_uc.save(zz, me, "medal", person(31, "机关和事业单位科级领导干部"))
    assert cadre.nominee is not None
    limits = {lim.limit.key: lim.used for lim in (await queries.unit_quota(zz, me)).pools}
    assert limits["pool:section_cadre"] == 1 and limits["award:medal"] == 1

    edited = await nominees_uc.save(zz, me, "medal", person(31, "一线产业工人"), nominee_id=cadre.nominee.id)
    assert edited.ok
    limits = {lim.limit.key: lim.used for lim in (await queries.unit_quota(zz, me)).pools}
    assert limits["pool:section_cadre"] == 0 and limits["award:medal"] == 1
    assert await unit_used(engine, JINSHUI, "medal") == 1
    assert await queries.verify_counters(zz, ZZ) == []
    # The edit is checked with the nominee itself left out: its own ID is not a duplicate.
    _, history = await queries.nominee(zz, me, cadre.nominee.id)
    assert history[-1].changes["category"] == ("机关和事业单位科级领导干部", "一线产业工人")


async def test_pools_are_city_wide(zz: Ports) -> None:
    units = [JINSHUI, AIRPORT, "中原区", "二七区", "管城区"]
    clerks = [await clerk(zz, ZZ, unit, 600 + i) for i, unit in enumerate(units)]
    # 科级 4 in the whole city: four units each take one; the fifth is refused by the pool.
    for i, me in enumerate(clerks[:4]):
        assert (await nominees_uc.save(zz, me, "medal", person(40 + i, "机关和事业单位科级领导干部"))).ok
    fifth = await nominees_uc.save(zz, clerks[4], "medal", person(49, "机关和事业单位科级领导干部"))
    (refusal,) = fifth.refusals
    assert isinstance(refusal, LimitFull)
    assert (refusal.limit, refusal.cap, refusal.used) == ("pool:section_cadre", 4, 4)


async def test_hard_eligibility_and_missing_answers_are_rechecked(zz: Ports) -> None:
    me = await clerk(zz, ZZ, JINSHUI, 701)
    refused = await nominees_uc.save(zz, me, "medal", person(51, "一线产业工人", union_ok="否"))
    assert [(type(r), getattr(r, "rule", None)) for r in refused.refusals] == [(Ineligible, "union_conditions")]
    incomplete = person(52, "一线产业工人")
    del incomplete["deeds"]
    assert await rejected(nominees_uc.save(zz, me, "medal", incomplete)) == NomineeIncomplete(("deeds",))
    # A soft rule fired without a written reason.
    no_reason = nominees_uc.save(zz, me, "medal", person(53, "一线产业工人", county_honour="否"))
    assert await rejected(no_reason) == NomineeIncomplete(("reason.no_county_honour",))


async def test_competitive_award_allows_two_per_unit(zz: Ports) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 801)
    assert (await nominees_uc.save(zz, me, "certificate", organisation("甲公司"))).ok
    assert (await nominees_uc.save(zz, me, "certificate", organisation("乙公司"))).ok
    third = await nominees_uc.save(zz, me, "certificate", organisation("丙公司"))
    assert third.refusals == (PerUnitLimit("certificate", 2, 2),)


async def test_invites_are_single_use_and_expire(zz: Ports, clock: Clock) -> None:
    code = await joining.create_invite(zz, ZZ, AIRPORT, "clerk")
    assert len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum()
    user = await joining.join(zz, code, 901, "en")
    assert (user.role, user.unit, user.language) == ("clerk", AIRPORT, "en")
    found = await queries.context(zz, 901)
    assert found is not None and found[0] == user and found[1].id == ZZ
    assert await rejected(joining.join(zz, code, 902, "zh")) == InviteInvalid("used")

    late = await joining.create_invite(zz, ZZ, AIRPORT, "clerk", ttl_days=14)
    clock.now += timedelta(days=14, seconds=1)
    assert await rejected(joining.join(zz, late, 903, "zh")) == InviteInvalid("expired")
    assert await rejected(joining.join(zz, "not-a-code", 904, "zh")) == InviteInvalid("unknown")
    assert await rejected(joining.create_invite(zz, ZZ, "没有这个单位", "clerk")) == UnitUnknown("没有这个单位")
    await joining.set_language(zz, 901, "zh")
    found = await queries.context(zz, 901)
    assert found is not None and found[0] == UserInfo(901, "clerk", ZZ, AIRPORT, "zh")
    assert await queries.context(zz, 905) is None  # someone who never joined


async def test_after_the_deadline_the_list_is_closed_until_the_office_reopens_it(zz: Ports, clock: Clock) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 1001)
    boss = await office(zz, ZZ, 1002)
    clock.now = datetime(2024, 3, 20, 15, 59, tzinfo=UTC)  # 23:59 on the 20th in Shanghai: still open
    assert (await nominees_uc.save(zz, me, "medal", person(61, "一线产业工人"))).ok
    clock.now = datetime(2024, 3, 20, 16, 0, tzinfo=UTC)  # midnight in Shanghai
    late = nominees_uc.save(zz, me, "medal", person(62, "一线产业工人"))
    assert await rejected(late) == UnitClosed(AIRPORT, "initial", DEADLINE)
    assert await rejected(review.reopen(zz, me, AIRPORT)) == OfficeOnly()  # a clerk cannot reopen
    await review.reopen(zz, boss, AIRPORT)
    assert (await nominees_uc.save(zz, me, "medal", person(62, "一线产业工人"))).ok


async def test_office_review_frees_and_retakes_places(zz: Ports, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, CHALCO, 1101)
    boss = await office(zz, ZZ, 1102)
    worker = await nominees_uc.save(zz, me, "medal", person(71, "一线产业工人"))
    await nominees_uc.save(zz, me, "pioneer", team(71))
    assert worker.nominee is not None and await submission.submit(zz, me) == []
    nid = worker.nominee.id

    assert await rejected(review.review(zz, me, nid, "accept")) == OfficeOnly()
    assert await rejected(review.review(zz, boss, nid, "return")) == ReviewNoteRequired()
    assert (await review.review(zz, boss, nid, "accept")).status == "accepted"
    assert await rejected(review.review(zz, boss, nid, "accept")) == ReviewTransition("accepted", "accept")
    assert (await review.review(zz, boss, nid, "not_approve")).status == "not_approved"
    assert await unit_used(engine, CHALCO, "medal") == 0
    assert (await review.review(zz, boss, nid, "reopen")).status == "submitted"
    assert await unit_used(engine, CHALCO, "medal") == 1
    returned = await review.review(zz, boss, nid, "return", "照片不清晰")
    assert returned.status == "returned" and returned.note == "照片不清晰"
    # The clerk corrects it (the list stays submitted) and hands it in again.
    fixed = await nominees_uc.save(zz, me, "medal", person(71, "一线产业工人", photo="1" * 64), nominee_id=nid)
    assert fixed.ok and fixed.nominee is not None and fixed.nominee.status == "returned"
    assert await submission.submit(zz, me) == []
    info, history = await queries.nominee(zz, boss, nid)
    assert info.status == "submitted" and info.note is None
    assert [h.action for h in history] == [
        "created",
        "submitted",
        "accepted",
        "not_approved",
        "reopened",
        "returned",
        "edited",
        "submitted",
    ]
    assert history[5].note == "照片不清晰"
    assert await queries.verify_counters(zz, ZZ) == []


async def test_clerks_see_only_their_own_unit(zz: Ports) -> None:
    a = await clerk(zz, ZZ, AIRPORT, 1201)
    b = await clerk(zz, ZZ, JINSHUI, 1202)
    boss = await office(zz, ZZ, 1203)
    saved = await nominees_uc.save(zz, a, "medal", person(81, "一线产业工人"))
    assert saved.nominee is not None
    nid = saved.nominee.id
    assert await rejected(queries.nominee(zz, b, nid)) == NomineeNotFound(nid)
    assert await rejected(nominees_uc.withdraw(zz, b, nid)) == NomineeNotFound(nid)
    assert (await queries.nominees(zz, b))[1] == 0
    assert (await queries.nominees(zz, boss))[1] == 1
    assert (await queries.nominees(zz, boss, unit=JINSHUI))[1] == 0


async def test_a_changed_definition_that_lowers_a_used_cap_is_refused_with_a_report(zz: Ports) -> None:
    me = await clerk(zz, ZZ, CHALCO, 1301)
    cadres = await clerk(zz, ZZ, JINSHUI, 1302)
    assert (await nominees_uc.save(zz, me, "medal", person(91, "一线产业工人"))).ok
    assert (await nominees_uc.save(zz, cadres, "medal", person(92, "机关和事业单位科级领导干部"))).ok
    original = builtin_text(ZZ)

    # 长铝公司 gives its one medal place to 郑煤集团 although its place is taken, and the
    # 科级 pool shrinks to 0 although one cadre holds a place.
    changed = original.replace(
        'name = "长铝公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "长铝公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = 0',
    ).replace(
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 2, industrial = 1 }',
    )
    cadre_pool = 'cap = 4\nwhere = { category = ["机关和事业单位科级领导干部"] }'
    changed = changed.replace(cadre_pool, cadre_pool.replace("cap = 4", "cap = 0"))
    assert changed != original
    report = await campaigns.load(zz, parse(changed), text=changed)
    assert report.status == "refused" and report.version == 1
    assert {(b.code, b.path) for b in report.blockers} == {
        ("cap_below_used", f"units[{CHALCO}].quotas.medal"),
        ("limit_below_used", "pool:section_cadre"),
    }
    assert {c.what for c in report.changes} >= {"allocation", "pool_cap"}
    assert any("长铝公司" in line and "REFUSED" not in line for line in report.lines())
    assert (await campaigns.current(zz, ZZ)).unit(CHALCO).quotas["medal"].cap == 1  # nothing was written

    # A safe change: move a place between two units without nominees; counters follow.
    safe = original.replace(
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 2, industrial = 1 }',
    ).replace(
        'name = "宇通公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "宇通公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = 0',
    )
    report = await campaigns.load(zz, parse(safe), text=safe)
    assert report.status == "updated" and report.version == 2, report.lines()
    assert {c.path for c in report.changes} == {"units[郑煤集团].quotas.medal", "units[宇通公司].quotas.medal"}
    assert (await campaigns.load(zz, parse(safe), text=safe)).status == "unchanged"
    assert (await campaigns.current(zz, ZZ)).unit("郑煤集团").quotas["medal"].cap == 2
    assert await queries.verify_counters(zz, ZZ) == []


async def test_a_removed_unit_with_nominees_is_refused(zz: Ports) -> None:
    me = await clerk(zz, ZZ, "黄金叶", 1401)  # 奖章 1 (产业工人 1), no 先锋号
    assert (await nominees_uc.save(zz, me, "medal", person(95, "一线产业工人"))).ok
    original = builtin_text(ZZ)
    block = '[[units]]\nname = "黄金叶"\nquotas.pioneer = 0\nquotas.medal = { cap = 1, industrial = 1 }\n'
    assert block in original
    changed = original.replace(block, "").replace(
        'name = "新闻单位"\nquotas.pioneer = 0\nquotas.medal = { cap = 1, frontline = 1 }',
        'name = "新闻单位"\nquotas.pioneer = 0\nquotas.medal = { cap = 2, frontline = 1 }',
    )
    report = await campaigns.load(zz, parse(changed), text=changed)
    assert [b.code for b in report.blockers] == ["unit_has_nominees"]
    assert report.blockers[0].params == {"unit": "黄金叶", "count": 1}


async def test_drafts_files_and_reminders(zz: Ports, tmp_path: Path) -> None:
    assert await drafts.load(zz, 1501) is None
    draft = Draft(1501, ZZ, "medal", {"category": "农民工", "name": "李四"}, step="id_number", in_summary=True)
    await drafts.save(zz, draft)
    await drafts.save(zz, Draft(1501, ZZ, "medal", {**draft.answers, "ethnicity": "回族"}, step="political"))
    loaded = await drafts.load(zz, 1501)
    assert loaded is not None and loaded.step == "political" and loaded.answers["ethnicity"] == "回族"
    assert loaded.updated_at is not None and loaded.updated_at.tzinfo is not None
    await drafts.drop(zz, 1501)
    assert await drafts.load(zz, 1501) is None

    ref = await drafts.store_file(zz, b"\xff\xd8jpeg bytes", "image/jpeg", "照片.jpg", 1501)
    assert ref == await drafts.store_file(zz, b"\xff\xd8jpeg bytes", "image/jpeg", "again.jpg", 1502)
    info = await drafts.stored_file(zz, ref)
    assert info is not None and info.filename == "照片.jpg" and info.size == len(b"\xff\xd8jpeg bytes")
    assert await zz.files.read(ref) == b"\xff\xd8jpeg bytes"
    assert (tmp_path / "files" / ref[:2] / ref).read_bytes() == b"\xff\xd8jpeg bytes"
    assert await zz.files.read("0" * 64) is None and await drafts.stored_file(zz, "0" * 64) is None

    assert await reminders.claim(zz, ZZ, AIRPORT, "initial", "3d", 1501)
    assert not await reminders.claim(zz, ZZ, AIRPORT, "initial", "3d", 1501)
    assert await reminders.claim(zz, ZZ, AIRPORT, "initial", "1d", 1501)


async def test_two_clerks_sending_the_same_photo_at_once_both_keep_it(zz: Ports, tmp_path: Path) -> None:
    data = b"\xff\xd8" + bytes(range(256)) * 400
    refs = await asyncio.gather(*(drafts.store_file(zz, data, "image/jpeg", f"{i}.jpg", 1700 + i) for i in range(12)))
    assert len(set(refs)) == 1
    assert await zz.files.read(refs[0]) == data
    folder = tmp_path / "files" / refs[0][:2]
    assert [p.name for p in folder.iterdir()] == [refs[0]]  # no temporary file left


async def test_the_audit_log_is_append_only(zz: Ports, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 1601)
    assert (await nominees_uc.save(zz, me, "medal", person(99, "一线产业工人"))).ok
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE audit_log SET action = 'forged'"))


async def test_an_alternate_takes_its_head_s_place_on_the_database(zz: Ports, engine: AsyncEngine) -> None:
    """app.review.promote: the head not approved and its places moved to the alternate in one
    transaction; a second promotion of the same alternate is refused and changes nothing."""
    me = await clerk(zz, ZZ, JINSHUI, 1201)  # 奖章 6: 产业工人 1, 科教 2, 非公农民工 2, 1 free
    boss = await office(zz, ZZ, 1202)
    head = await nominees_uc.save(zz, me, "medal", person(81, "企业负责人"))
    assert head.nominee is not None
    alt = await nominees_uc.save(zz, me, "medal", person(82, "一线产业工人"), alternate_for=head.nominee.id)
    assert alt.nominee is not None
    gaps = await submission.submit(zz, me)  # the reserved places open: given up
    assert gaps and await submission.submit(zz, me, places_digest(given_up(gaps))) == []

    done = await review.promote(zz, boss, alt.nominee.id)

    assert done.principal.status == "not_approved" and done.alternate.alternate_for is None
    assert await unit_used(engine, JINSHUI, "medal") == 1  # the place moved, it was not freed
    standing = await queries.standing(zz, ZZ)
    pool = next(lim for lim in standing.limits if lim.limit.key == "pool:enterprise_head")
    assert pool.used == 0
    assert await queries.verify_counters(zz, ZZ) == []
    assert await rejected(review.promote(zz, boss, alt.nominee.id)) == PromoteInvalid(alt.nominee.id, "not_alternate")
    _info, history = await queries.nominee(zz, boss, head.nominee.id)
    assert [h.action for h in history][-1] == "replaced"
