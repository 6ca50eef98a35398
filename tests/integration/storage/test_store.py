"""The clerk's and the office's stories against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.loader import builtin_text, parse
from core.ports import Draft, ServiceError
from storage.models import UnitQuotaRow
from storage.service import Store

from .conftest import Clock
from .helpers import clerk, office, person, team

ZZ = "zhengzhou-2024"
AIRPORT = "航空港经济综合试验区"
JINSHUI = "金水区"
ZHENGDONG = "郑东新区"
CHALCO = "长铝公司"  # 奖章 1 (一线产业工人 1), 先锋号 1 (企业班组 1)


@pytest.fixture
async def zz(store: Store) -> Store:
    await store.ensure_builtin(ZZ)
    return store


async def unit_used(engine: AsyncEngine, unit: str, award: str) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    select(UnitQuotaRow.used).where(UnitQuotaRow.unit == unit, UnitQuotaRow.award == award)
                )
            ).scalar_one()
        )


async def test_a_migrant_worker_takes_the_free_place_and_a_second_is_refused(zz: Store) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 101)
    first = await zz.save_nominee(me, "medal", person(1, "农民工"))
    assert first.ok and first.nominee is not None
    assert first.nominee.status == "saved" and first.nominee.unit == AIRPORT

    second = await zz.save_nominee(me, "medal", person(2, "农民工"))
    assert not second.ok
    (refusal,) = second.refusals
    assert refusal.rule == "reserved"
    assert refusal.params["cap"] == 6 and refusal.params["used"] == 1 and refusal.params["free"] == 0
    # The refusal says what is still open: 4 产业工人 and 1 科教.
    assert {(kind, need) for kind, _name, _en, need in refusal.params["open"]} == {("industrial", 4), ("scitech", 1)}

    quota = await zz.unit_quota(me)
    medal = next(a for a in quota.awards if a.award == "medal")
    assert (medal.cap, medal.used, medal.free) == (6, 1, 0)
    assert await zz.verify_counters(ZZ) == []


async def test_precheck_greys_out_what_no_longer_fits(zz: Store, clock: Clock) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 111)
    assert (await zz.precheck(me, "medal", {})).ok
    saved = await zz.save_nominee(me, "medal", person(1, "农民工"))
    assert saved.nominee is not None
    assert [r.rule for r in (await zz.precheck(me, "medal", {"category": "农民工"})).refusals] == ["reserved"]
    assert (await zz.precheck(me, "medal", {"category": "一线产业工人"})).ok
    # Editing the 农民工 itself: its own place is left out, so it may stay a 农民工.
    assert (await zz.precheck(me, "medal", {"category": "农民工"}, exclude=saved.nominee.id)).ok
    clock.now = datetime(2024, 3, 21, tzinfo=UTC)
    closed = await zz.precheck(me, "medal", {})
    assert [(r.rule, r.params["code"]) for r in closed.refusals] == [("closed", "unit.closed")]


async def test_a_person_nominated_by_jinshui_cannot_be_nominated_by_zhengdong(zz: Store) -> None:
    jinshui = await clerk(zz, ZZ, JINSHUI, 201)
    zhengdong = await clerk(zz, ZZ, ZHENGDONG, 202)
    assert (await zz.save_nominee(jinshui, "medal", person(7, "一线产业工人"))).ok

    again = await zz.save_nominee(zhengdong, "medal", person(7, "一线产业工人", name="张七"))
    assert [r.rule for r in again.refusals] == ["duplicate"]
    assert again.refusals[0].params["unit"] == JINSHUI
    # Under another category the ID number still identifies the same person.
    assert (await zz.save_nominee(jinshui, "medal", person(7, "一线科教人员"))).refusals[0].rule == "duplicate"
    # The same organisation twice is refused as well (names normalised: full-width, case, spaces).
    assert (await zz.save_nominee(jinshui, "pioneer", team(1, ownership="非公"))).ok
    dup = await zz.save_nominee(zhengdong, "pioneer", team(1, parent_org="郑州第１机械厂 "))
    assert dup.refusals[0].rule == "duplicate" and dup.refusals[0].params["unit"] == JINSHUI


async def test_withdraw_frees_the_place(zz: Store, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 101)
    saved = await zz.save_nominee(me, "medal", person(1, "农民工"))
    assert saved.nominee is not None and await unit_used(engine, AIRPORT, "medal") == 1

    withdrawn = await zz.withdraw(me, saved.nominee.id)
    assert withdrawn.status == "withdrawn"
    assert await unit_used(engine, AIRPORT, "medal") == 0
    # The free place is free again, and so is the person.
    assert (await zz.save_nominee(me, "medal", person(2, "农民工"))).ok
    assert (await zz.save_nominee(me, "medal", person(1, "一线产业工人"))).ok
    assert await zz.verify_counters(ZZ) == []
    listed, total = await zz.nominees(me)
    assert total == 2 and all(n.status == "saved" for n in listed)
    _, history = await zz.nominee(me, saved.nominee.id)
    assert [h.action for h in history] == ["created", "withdrawn"]
    assert history[1].changes == {"status": ("saved", "withdrawn")}


async def test_submit_is_refused_with_gaps_then_succeeds_and_locks(zz: Store) -> None:
    me = await clerk(zz, ZZ, CHALCO, 301)
    gaps = await zz.submit(me)
    assert {(g.rule, g.params["award"], g.params["kind"]) for g in gaps} == {
        ("reserved_open", "medal", "industrial"),
        ("reserved_open", "pioneer", "enterprise"),
    }
    worker = await zz.save_nominee(me, "medal", person(11, "一线产业工人"))
    assert worker.nominee is not None
    assert [g.params["award"] for g in await zz.submit(me)] == ["pioneer"]
    assert (await zz.save_nominee(me, "pioneer", team(11))).ok

    assert await zz.submit(me) == []
    listed, _ = await zz.nominees(me)
    assert {n.status for n in listed} == {"submitted"}
    # Locked: no new nominee, no edit, no withdrawal, no second submit.
    with pytest.raises(ServiceError) as caught:
        await zz.save_nominee(me, "certificate", {})
    assert caught.value.code == "unit.submitted"
    with pytest.raises(ServiceError) as caught:
        await zz.withdraw(me, worker.nominee.id)
    assert caught.value.code == "nominee.locked"
    with pytest.raises(ServiceError) as caught:
        await zz.submit(me)
    assert caught.value.code == "unit.submitted"

    # The office reopens the list: the nominees are editable again.
    boss = await office(zz, ZZ)
    assert await zz.reopen(boss, CHALCO) == 2
    edited = await zz.save_nominee(
        me, "medal", person(11, "一线产业工人", deeds="改写后的事迹。" * 20), nominee_id=worker.nominee.id
    )
    assert edited.ok and edited.nominee is not None and edited.nominee.status == "saved"
    _, history = await zz.nominee(me, worker.nominee.id)
    assert [h.action for h in history] == ["created", "submitted", "reopened", "edited"]
    assert set(history[-1].changes) == {"deeds"}


async def test_a_list_with_an_enterprise_head_needs_an_alternate(zz: Store, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, "新闻单位", 401)  # 奖章 1, reserved 一线职工 1
    head = await zz.save_nominee(me, "medal", person(21, "企业负责人"))
    assert head.refusals and head.refusals[0].rule == "reserved"  # the one place is reserved

    me = await clerk(zz, ZZ, JINSHUI, 403)  # 奖章 6: 产业工人 1, 科教 2, 非公农民工 2, 1 free
    head = await zz.save_nominee(me, "medal", person(22, "企业负责人"))
    assert head.nominee is not None
    gaps = await zz.submit(me)
    assert any(g.rule == "alternate_missing" and g.params["nominee"] == head.nominee.id for g in gaps)

    with pytest.raises(ServiceError) as caught:  # an alternate must be a frontline worker
        await zz.save_nominee(me, "medal", person(23, "农民工"), alternate_for=head.nominee.id)
    assert caught.value.code == "alternate.category"
    alt = await zz.save_nominee(me, "medal", person(23, "一线产业工人"), alternate_for=head.nominee.id)
    assert alt.ok and alt.nominee is not None and alt.nominee.alternate_for == head.nominee.id
    assert await unit_used(engine, JINSHUI, "medal") == 1  # the alternate holds no place
    with pytest.raises(ServiceError) as caught:
        await zz.save_nominee(me, "medal", person(24, "一线产业工人"), alternate_for=head.nominee.id)
    assert caught.value.code == "alternate.exists"
    assert not any(g.rule == "alternate_missing" for g in await zz.submit(me))

    standing = await zz.standing(ZZ)
    pool = next(lim for lim in standing.limits if lim.limit.key == "pool:enterprise_head")
    assert pool.used == 1
    # Withdrawing the head withdraws its alternate and frees the pool place.
    await zz.withdraw(me, head.nominee.id)
    listed, total = await zz.nominees(me)
    assert total == 0 and listed == []
    assert await zz.verify_counters(ZZ) == []


async def test_an_edit_moves_the_counters_when_the_category_changes(zz: Store, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, JINSHUI, 501)
    cadre = await zz.save_nominee(me, "medal", person(31, "机关和事业单位科级领导干部"))
    assert cadre.nominee is not None
    limits = {lim.limit.key: lim.used for lim in (await zz.unit_quota(me)).pools}
    assert limits["pool:section_cadre"] == 1 and limits["award:medal"] == 1

    edited = await zz.save_nominee(me, "medal", person(31, "一线产业工人"), nominee_id=cadre.nominee.id)
    assert edited.ok
    limits = {lim.limit.key: lim.used for lim in (await zz.unit_quota(me)).pools}
    assert limits["pool:section_cadre"] == 0 and limits["award:medal"] == 1
    assert await unit_used(engine, JINSHUI, "medal") == 1
    assert await zz.verify_counters(ZZ) == []
    # The edit is checked with the nominee itself left out: its own ID is not a duplicate.
    _, history = await zz.nominee(me, cadre.nominee.id)
    assert history[-1].changes["category"] == ("机关和事业单位科级领导干部", "一线产业工人")


async def test_pools_are_city_wide(zz: Store) -> None:
    clerks = [
        await clerk(zz, ZZ, unit, 600 + i) for i, unit in enumerate([JINSHUI, AIRPORT, "中原区", "二七区", "管城区"])
    ]
    # 科级 4 in the whole city: four units each take one; the fifth is refused by the pool.
    for i, me in enumerate(clerks[:4]):
        assert (await zz.save_nominee(me, "medal", person(40 + i, "机关和事业单位科级领导干部"))).ok
    fifth = await zz.save_nominee(clerks[4], "medal", person(49, "机关和事业单位科级领导干部"))
    assert [r.rule for r in fifth.refusals] == ["limit_full"]
    assert fifth.refusals[0].params["limit"] == "pool:section_cadre" and fifth.refusals[0].params["cap"] == 4


async def test_hard_eligibility_and_missing_answers_are_rechecked(zz: Store) -> None:
    me = await clerk(zz, ZZ, JINSHUI, 701)
    refused = await zz.save_nominee(me, "medal", person(51, "一线产业工人", union_ok="否"))
    assert [r.rule for r in refused.refusals] == ["ineligible"]
    assert refused.refusals[0].params["rule"] == "union_conditions"
    incomplete = person(52, "一线产业工人")
    del incomplete["deeds"]
    with pytest.raises(ServiceError) as caught:
        await zz.save_nominee(me, "medal", incomplete)
    assert caught.value.code == "nominee.incomplete" and caught.value.params["fields"] == ["deeds"]
    with pytest.raises(ServiceError) as caught:  # a soft rule fired without a written reason
        await zz.save_nominee(me, "medal", person(53, "一线产业工人", county_honour="否"))
    assert caught.value.params["fields"] == ["reason.no_county_honour"]


async def test_competitive_award_allows_two_per_unit(zz: Store) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 801)
    org = {
        "legal_rep": "王五",
        "staff_count": 300,
        "org_type": "企业",
        "ownership": "非公",
        "key_industry": "是",
        "competition": "是",
        "union_ok": "是",
        "violation_5y_org": "否",
        "highest_honour": None,
        "honour_level": "无",
        "same_award": "否",
        "county_honour": "是",
        "phone": "037165551234",
        "deeds": "事迹" * 60,
        "sensitive": "否",
    }
    assert (await zz.save_nominee(me, "certificate", {**org, "org_name": "甲公司"})).ok
    assert (await zz.save_nominee(me, "certificate", {**org, "org_name": "乙公司"})).ok
    third = await zz.save_nominee(me, "certificate", {**org, "org_name": "丙公司"})
    assert [r.rule for r in third.refusals] == ["per_unit_limit"] and third.refusals[0].params["max"] == 2


async def test_invites_are_single_use_and_expire(zz: Store, clock: Clock) -> None:
    code = await zz.create_invite(ZZ, AIRPORT, "clerk")
    assert len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum()
    user = await zz.join(code, 901, "en")
    assert (user.role, user.unit, user.language) == ("clerk", AIRPORT, "en")
    assert await zz.get_user(901) == user
    with pytest.raises(ServiceError) as caught:
        await zz.join(code, 902, "zh")
    assert (caught.value.code, caught.value.params["reason"]) == ("invite.invalid", "used")

    late = await zz.create_invite(ZZ, AIRPORT, "clerk", ttl_days=14)
    clock.now += timedelta(days=14, seconds=1)
    with pytest.raises(ServiceError) as caught:
        await zz.join(late, 903, "zh")
    assert caught.value.params["reason"] == "expired"
    with pytest.raises(ServiceError) as caught:
        await zz.join("not-a-code", 904, "zh")
    assert caught.value.params["reason"] == "unknown"
    with pytest.raises(ServiceError):
        await zz.create_invite(ZZ, "没有这个单位", "clerk")
    await zz.set_language(901, "zh")
    assert (await zz.get_user(901)) == user.__class__(901, "clerk", ZZ, AIRPORT, "zh")


async def test_after_the_deadline_the_list_is_closed_until_the_office_reopens_it(zz: Store, clock: Clock) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 1001)
    boss = await office(zz, ZZ, 1002)
    clock.now = datetime(2024, 3, 20, 15, 59, tzinfo=UTC)  # 23:59 on the 20th in Shanghai: still open
    assert (await zz.save_nominee(me, "medal", person(61, "一线产业工人"))).ok
    clock.now = datetime(2024, 3, 20, 16, 0, tzinfo=UTC)  # midnight in Shanghai
    with pytest.raises(ServiceError) as caught:
        await zz.save_nominee(me, "medal", person(62, "一线产业工人"))
    assert caught.value.code == "unit.closed" and caught.value.params["deadline"] == "2024-03-20"
    with pytest.raises(ServiceError) as caught:  # a clerk cannot reopen
        await zz.reopen(me, AIRPORT)
    assert caught.value.code == "forbidden.office_only"
    await zz.reopen(boss, AIRPORT)
    assert (await zz.save_nominee(me, "medal", person(62, "一线产业工人"))).ok


async def test_office_review_frees_and_retakes_places(zz: Store, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, CHALCO, 1101)
    boss = await office(zz, ZZ, 1102)
    worker = await zz.save_nominee(me, "medal", person(71, "一线产业工人"))
    await zz.save_nominee(me, "pioneer", team(71))
    assert worker.nominee is not None and await zz.submit(me) == []
    nid = worker.nominee.id

    with pytest.raises(ServiceError) as caught:
        await zz.review(me, nid, "accept")
    assert caught.value.code == "forbidden.office_only"
    with pytest.raises(ServiceError) as caught:
        await zz.review(boss, nid, "return")
    assert caught.value.code == "review.note_required"
    assert (await zz.review(boss, nid, "accept")).status == "accepted"
    with pytest.raises(ServiceError) as caught:
        await zz.review(boss, nid, "accept")
    assert caught.value.code == "review.transition"
    assert (await zz.review(boss, nid, "not_approve")).status == "not_approved"
    assert await unit_used(engine, CHALCO, "medal") == 0
    assert (await zz.review(boss, nid, "reopen")).status == "submitted"
    assert await unit_used(engine, CHALCO, "medal") == 1
    returned = await zz.review(boss, nid, "return", "照片不清晰")
    assert returned.status == "returned" and returned.note == "照片不清晰"
    # The clerk corrects it (the list stays submitted) and hands it in again.
    fixed = await zz.save_nominee(me, "medal", person(71, "一线产业工人", photo="1" * 64), nominee_id=nid)
    assert fixed.ok and fixed.nominee is not None and fixed.nominee.status == "returned"
    assert await zz.submit(me) == []
    info, history = await zz.nominee(boss, nid)
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
    assert await zz.verify_counters(ZZ) == []


async def test_clerks_see_only_their_own_unit(zz: Store) -> None:
    a = await clerk(zz, ZZ, AIRPORT, 1201)
    b = await clerk(zz, ZZ, JINSHUI, 1202)
    boss = await office(zz, ZZ, 1203)
    saved = await zz.save_nominee(a, "medal", person(81, "一线产业工人"))
    assert saved.nominee is not None
    with pytest.raises(ServiceError) as caught:
        await zz.nominee(b, saved.nominee.id)
    assert caught.value.code == "nominee.not_found"
    with pytest.raises(ServiceError):
        await zz.withdraw(b, saved.nominee.id)
    assert (await zz.nominees(b))[1] == 0
    assert (await zz.nominees(boss))[1] == 1
    assert (await zz.nominees(boss, unit=JINSHUI))[1] == 0


async def test_a_changed_definition_that_lowers_a_used_cap_is_refused_with_a_report(zz: Store) -> None:
    me = await clerk(zz, ZZ, CHALCO, 1301)
    cadres = await clerk(zz, ZZ, JINSHUI, 1302)
    assert (await zz.save_nominee(me, "medal", person(91, "一线产业工人"))).ok
    assert (await zz.save_nominee(cadres, "medal", person(92, "机关和事业单位科级领导干部"))).ok
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
    report = await zz.load_campaign(parse(changed), text=changed)
    assert report.status == "refused" and report.version == 1
    assert {(b.code, b.path) for b in report.blockers} == {
        ("cap_below_used", f"units[{CHALCO}].quotas.medal"),
        ("limit_below_used", "pool:section_cadre"),
    }
    assert {c.what for c in report.changes} >= {"allocation", "pool_cap"}
    assert any("长铝公司" in line and "REFUSED" not in line for line in report.lines())
    assert (await zz.campaign(ZZ)).unit(CHALCO).quotas["medal"].cap == 1  # nothing was written

    # A safe change: move a place between two units without nominees; counters follow.
    safe = original.replace(
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "郑煤集团"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 2, industrial = 1 }',
    ).replace(
        'name = "宇通公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = { cap = 1, industrial = 1 }',
        'name = "宇通公司"\nquotas.pioneer = { cap = 1, enterprise = 1 }\nquotas.medal = 0',
    )
    report = await zz.load_campaign(parse(safe), text=safe)
    assert report.status == "updated" and report.version == 2, report.lines()
    assert {c.path for c in report.changes} == {"units[郑煤集团].quotas.medal", "units[宇通公司].quotas.medal"}
    assert (await zz.load_campaign(parse(safe), text=safe)).status == "unchanged"
    assert (await zz.campaign(ZZ)).unit("郑煤集团").quotas["medal"].cap == 2
    assert await zz.verify_counters(ZZ) == []


async def test_a_removed_unit_with_nominees_is_refused(zz: Store) -> None:
    me = await clerk(zz, ZZ, "黄金叶", 1401)  # 奖章 1 (产业工人 1), no 先锋号
    assert (await zz.save_nominee(me, "medal", person(95, "一线产业工人"))).ok
    original = builtin_text(ZZ)
    block = '[[units]]\nname = "黄金叶"\nquotas.pioneer = 0\nquotas.medal = { cap = 1, industrial = 1 }\n'
    assert block in original
    changed = original.replace(block, "").replace(
        'name = "新闻单位"\nquotas.pioneer = 0\nquotas.medal = { cap = 1, frontline = 1 }',
        'name = "新闻单位"\nquotas.pioneer = 0\nquotas.medal = { cap = 2, frontline = 1 }',
    )
    report = await zz.load_campaign(parse(changed), text=changed)
    assert [b.code for b in report.blockers] == ["unit_has_nominees"]
    assert report.blockers[0].params == {"unit": "黄金叶", "count": 1}


async def test_drafts_files_and_reminders(zz: Store, tmp_path) -> None:
    assert await zz.load_draft(1501) is None
    draft = Draft(1501, ZZ, "medal", {"category": "农民工", "name": "李四"}, step="id_number", in_summary=True)
    await zz.save_draft(draft)
    await zz.save_draft(Draft(1501, ZZ, "medal", {**draft.answers, "ethnicity": "回族"}, step="political"))
    loaded = await zz.load_draft(1501)
    assert loaded is not None and loaded.step == "political" and loaded.answers["ethnicity"] == "回族"
    assert loaded.updated_at is not None and loaded.updated_at.tzinfo is not None
    await zz.drop_draft(1501)
    assert await zz.load_draft(1501) is None

    ref = await zz.store_file(b"\xff\xd8jpeg bytes", "image/jpeg", "照片.jpg", 1501)
    assert ref == await zz.store_file(b"\xff\xd8jpeg bytes", "image/jpeg", "again.jpg", 1502)
    info = await zz.file(ref)
    assert info is not None and info.path.read_bytes() == b"\xff\xd8jpeg bytes" and info.filename == "照片.jpg"
    assert str(info.path).startswith(str(tmp_path / "files"))

    assert await zz.claim_reminder(ZZ, AIRPORT, "initial", "3d", 1501)
    assert not await zz.claim_reminder(ZZ, AIRPORT, "initial", "3d", 1501)
    assert await zz.claim_reminder(ZZ, AIRPORT, "initial", "1d", 1501)


async def test_two_clerks_sending_the_same_photo_at_once_both_keep_it(zz: Store) -> None:
    data = b"\xff\xd8" + bytes(range(256)) * 400
    refs = await asyncio.gather(*(zz.store_file(data, "image/jpeg", f"{i}.jpg", 1700 + i) for i in range(12)))
    assert len(set(refs)) == 1
    info = await zz.file(refs[0])
    assert info is not None and info.path.read_bytes() == data
    assert [p.name for p in info.path.parent.iterdir()] == [info.path.name]  # no temporary file left


async def test_the_audit_log_is_append_only(zz: Store, engine: AsyncEngine) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 1601)
    assert (await zz.save_nominee(me, "medal", person(99, "一线产业工人"))).ok
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE audit_log SET action = 'forged'"))
