"""What clerks and the office ask: /quota, /list (a clerk sees only their unit), /status with the
history, the campaign's standing, and the counters' invariant check."""

from __future__ import annotations

from datetime import timedelta

from app import nominees, queries
from core.quota import ReservedStatus
from core.refusals import UnitUnknown
from tests.nominees import id_number, person, team

from .story import AIRPORT, JINSHUI, ZZ, World


async def test_quota_shows_jinshui_its_reserved_places_the_free_one_and_the_city_pools(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3001)
    await zz.saved(me, "medal", person(1, "一线科教人员"))

    quota = await zz.nothing_written(queries.unit_quota(zz.ports, me))
    assert quota.unit == JINSHUI
    medal, pioneer = (next(a for a in quota.awards if a.award == key) for key in ("medal", "pioneer"))
    assert (medal.cap, medal.used, medal.needed, medal.free) == (6, 1, 4, 1)
    assert [(r.kind, r.count, r.filled, r.needed) for r in medal.reserved] == [
        ("industrial", 1, 0, 1),
        ("scitech", 2, 1, 1),
        ("np_migrant", 2, 0, 2),
    ]
    assert pioneer.reserved == (ReservedStatus("nonpublic", "非公", "non-public", 1, 0, 1),)
    assert [(p.limit.key, p.used, p.limit.cap) for p in quota.pools] == [
        ("award:medal", 1, 120),
        ("pool:section_cadre", 0, 4),
        ("pool:enterprise_head", 0, 7),
        ("award:pioneer", 0, 80),
    ]
    # The office asks for a unit by name and sees the same; without one there is nothing to show.
    office = await zz.office(3002)
    assert await zz.nothing_written(queries.unit_quota(zz.ports, office, JINSHUI)) == quota
    assert await zz.rejected(queries.unit_quota(zz.ports, office)) == UnitUnknown(None)


async def test_a_clerk_lists_only_their_own_unit_page_by_page(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 3101)
    airport = await zz.clerk(AIRPORT, 3102)
    office = await zz.office(3103)
    mine = [await zz.saved(jinshui, "medal", person(n, "一线科教人员" if n < 2 else "一线产业工人")) for n in range(3)]
    await zz.saved(jinshui, "pioneer", team(1, ownership="非公"))
    theirs = await zz.saved(airport, "medal", person(9, "一线产业工人"))
    await zz.once(nominees.withdraw(zz.ports, jinshui, mine[0].id))

    first, total = await zz.nothing_written(queries.nominees(zz.ports, jinshui, 0, 2))
    second, _ = await zz.nothing_written(queries.nominees(zz.ports, jinshui, 2, 2))
    assert total == 3 and [n.id for n in first + second] == [mine[1].id, mine[2].id, mine[2].id + 1]
    assert all(n.unit == JINSHUI for n in first + second)
    # A clerk's ``unit`` is always their own; the office sees the campaign or one unit.
    assert (await zz.nothing_written(queries.nominees(zz.ports, jinshui, unit=AIRPORT)))[1] == 3
    assert (await zz.nothing_written(queries.nominees(zz.ports, office)))[1] == 4
    assert (await zz.nothing_written(queries.nominees(zz.ports, office, unit=AIRPORT)))[0] == [theirs]
    assert (await zz.nothing_written(queries.nominees(zz.ports, office, include_withdrawn=True)))[1] == 5


async def test_a_nominee_s_record_comes_with_its_history_oldest_first(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3201)
    saved_at = zz.clock.now
    cadre = await zz.saved(me, "medal", person(31, "机关和事业单位科级领导干部"))
    zz.clock.advance(hours=1)
    await zz.saved(me, "medal", person(31, "一线产业工人"), nominee_id=cadre.id)
    zz.clock.advance(hours=1)
    await zz.once(nominees.withdraw(zz.ports, me, cadre.id))

    info, history = await zz.nothing_written(queries.nominee(zz.ports, me, cadre.id))
    assert (info.status, info.version, info.answers["category"]) == ("withdrawn", 3, "一线产业工人")
    assert [(h.action, h.actor, h.at) for h in history] == [
        ("created", me.tg_id, saved_at),
        ("edited", me.tg_id, saved_at + timedelta(hours=1)),
        ("withdrawn", me.tg_id, saved_at + timedelta(hours=2)),
    ]
    assert history[0].changes["name"] == (None, "张31")
    assert history[1].changes == {
        "category": ("机关和事业单位科级领导干部", "一线产业工人"),
        "cadre_level": ("科级", "无"),
    }
    assert history[2].changes == {"status": ("saved", "withdrawn")}


async def test_the_standing_counts_every_place_against_the_city_wide_proportions(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 3301)
    airport = await zz.clerk(AIRPORT, 3302)
    await zz.saved(jinshui, "medal", person(1, "一线产业工人"))
    await zz.saved(airport, "medal", person(2, "一线产业工人"))
    head = await zz.saved(jinshui, "medal", person(3, "企业负责人"))
    await zz.saved(jinshui, "medal", person(4, "一线产业工人"), alternate_for=head.id)  # holds no place

    standing = await zz.nothing_written(queries.standing(zz.ports, ZZ))
    assert {a.award: a.count for a in standing.awards} == {"certificate": 0, "medal": 3, "pioneer": 0}
    by_key = {p.key: p for p in standing.proportions}
    industrial = by_key["medal_industrial"]
    assert (industrial.count, industrial.required, industrial.met, industrial.reachable) == (2, 42, False, True)
    heads = by_key["medal_head"]
    assert (heads.bound, heads.count, heads.required, heads.met) == ("max", 1, 7, True)  # ≤ 6 % of 120 → 7
    assert by_key["medal_frontline"].required == 66  # ≥ 55 % of 120
    assert {s.limit.key: s.used for s in standing.limits}["pool:enterprise_head"] == 1


async def test_verify_counters_finds_a_counter_that_drifted_from_its_nominees(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3401)
    await zz.saved(me, "medal", person(1, "一线产业工人"))
    assert await zz.consistent()

    # A place taken behind the use cases' back (say, by hand in the database).
    async with zz.db.write() as tx:
        await tx.units.get(ZZ, JINSHUI, lock=True)
        assert await tx.counters.take_unit(ZZ, JINSHUI, "medal")
        assert await tx.counters.take_limit(ZZ, "pool:section_cadre")
        await tx.commit()
    assert await zz.nothing_written(queries.verify_counters(zz.ports, ZZ)) == [
        f"unit {JINSHUI}/medal: counter 2, claims 1, nominees 1",
        "pool:section_cadre: counter 1, claims 0, nominees 0",
    ]


async def test_the_history_says_an_id_number_changed_but_never_holds_one(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 3501)
    typo = await zz.saved(me, "medal", person(41, "一线产业工人"))
    await zz.saved(me, "medal", person(41, "一线产业工人", id_number=id_number(42)), nominee_id=typo.id)

    _, history = await zz.nothing_written(queries.nominee(zz.ports, me, typo.id))
    assert history[1].changes["id_number"] == ("*" * 18, "*" * 18)
    stored = repr(zz.db.state.audit)  # the audit log itself, as the database would keep it
    assert id_number(41) not in stored and id_number(42) not in stored
