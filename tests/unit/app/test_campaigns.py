"""``campaign load``: the first load, an unchanged reload, a reload refused because it would break
nominees already saved (nothing changes), and an accepted reload that recounts every place."""

from __future__ import annotations

from app import campaigns, joining, nominees, queries
from core.campaign import Campaign
from core.loader import builtin_text, load_builtin, parse
from core.records import CampaignInfo
from core.refusals import UnitUnknown
from core.reload import LoadReport
from tests.nominees import person

from .story import AIRPORT, CHALCO, JINSHUI, ZZ, World

ORIGINAL = builtin_text(ZZ)


def edited(*changes: tuple[str, str]) -> tuple[Campaign, str]:
    """The built-in definition with ``(old, new)`` text replacements, as the office would edit it."""
    text = ORIGINAL
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return parse(text), text


def medal(unit: str, pioneer: str, allocation: str) -> str:
    return f'name = "{unit}"\nquotas.pioneer = {pioneer}\nquotas.medal = {allocation}'


ONE_TEAM = "{ cap = 1, enterprise = 1 }"
ONE_WORKER = "{ cap = 1, industrial = 1 }"
CADRE_POOL = 'cap = 4\nwhere = { category = ["机关和事业单位科级领导干部"] }'
# 宇通公司's one 奖章 place goes to 郑煤集团 (the table still adds up to 120).
MOVE_A_PLACE = (
    (medal("郑煤集团", ONE_TEAM, ONE_WORKER), medal("郑煤集团", ONE_TEAM, "{ cap = 2, industrial = 1 }")),
    (medal("宇通公司", ONE_TEAM, ONE_WORKER), medal("宇通公司", ONE_TEAM, "0")),
)
HUANGJINYE = '[[units]]\nname = "黄金叶"\nquotas.pioneer = 0\nquotas.medal = { cap = 1, industrial = 1 }\n'
# 黄金叶 leaves the table; its 奖章 place goes to 新闻单位.
RETIRE_HUANGJINYE = (
    (HUANGJINYE, ""),
    (medal("新闻单位", "0", "{ cap = 1, frontline = 1 }"), medal("新闻单位", "0", "{ cap = 2, frontline = 1 }")),
)


async def test_the_first_load_creates_the_units_and_their_places_from_the_table() -> None:
    world = World()
    campaign = load_builtin(ZZ)
    report = await world.once(campaigns.load(world.ports, campaign, text=ORIGINAL))
    assert report == LoadReport(ZZ, "created", 1)
    assert await world.nothing_written(campaigns.listed(world.ports)) == [
        CampaignInfo(ZZ, campaign.name, 1, campaign.digest, world.clock.now)
    ]
    units = await world.nothing_written(queries.unit_states(world.ports, ZZ))
    assert len(units) == 37 and all(u.active and u.submitted_at is None for u in units)

    office = await world.office()
    caps = {"medal": 0, "pioneer": 0}
    for unit in units:
        for award in caps:
            caps[award] += (await world.places(office, award, unit.name)).cap or 0
    assert caps == {"medal": 120, "pioneer": 80}  # the table's two columns
    assert await world.consistent()


async def test_ensure_builtin_loads_on_first_use_and_a_stored_copy_wins() -> None:
    world = World()
    first = await world.once(campaigns.ensure_builtin(world.ports, ZZ))
    assert first.unit("郑煤集团").quotas["medal"].cap == 1
    changed, text = edited(*MOVE_A_PLACE)
    assert (await world.once(campaigns.load(world.ports, changed, text=text))).status == "updated"
    again = await world.nothing_written(campaigns.ensure_builtin(world.ports, ZZ))
    assert again.unit("郑煤集团").quotas["medal"].cap == 2


async def test_two_processes_loading_the_built_in_at_once_both_get_it() -> None:
    world = World()
    # The other process loads it between this one's look and its write.
    world.db.interleave("campaigns.put", lambda: world.once(campaigns.ensure_builtin(world.ports, ZZ)))
    before = world.db.commits
    campaign = await campaigns.ensure_builtin(world.ports, ZZ)
    assert campaign.digest == load_builtin(ZZ).digest
    assert world.db.commits == before + 1  # the other process's load only
    assert [c.version for c in await world.nothing_written(campaigns.listed(world.ports))] == [1]


async def test_an_unchanged_reload_writes_nothing(zz: World) -> None:
    report = await zz.nothing_written(campaigns.load(zz.ports, load_builtin(ZZ), text=ORIGINAL))
    assert report == LoadReport(ZZ, "unchanged", 1)


async def test_a_reload_lowering_a_used_cap_is_refused_with_its_blockers_and_changes_nothing(zz: World) -> None:
    chalco = await zz.clerk(CHALCO, 1301)
    jinshui = await zz.clerk(JINSHUI, 1302)
    await zz.saved(chalco, "medal", person(91, "一线产业工人"))
    await zz.saved(jinshui, "medal", person(92, "机关和事业单位科级领导干部"))

    # 长铝公司 gives its taken 奖章 place to 郑煤集团, and the 科级 pool shrinks to 0 under a cadre.
    changed, text = edited(
        (medal(CHALCO, ONE_TEAM, ONE_WORKER), medal(CHALCO, ONE_TEAM, "0")),
        (medal("郑煤集团", ONE_TEAM, ONE_WORKER), medal("郑煤集团", ONE_TEAM, "{ cap = 2, industrial = 1 }")),
        (CADRE_POOL, CADRE_POOL.replace("cap = 4", "cap = 0")),
    )
    report = await zz.nothing_written(campaigns.load(zz.ports, changed, text=text))
    assert (report.status, report.version) == ("refused", 1)
    assert {(b.code, b.path) for b in report.blockers} == {
        ("cap_below_used", f"units[{CHALCO}].quotas.medal"),
        ("limit_below_used", "pool:section_cadre"),
    }
    assert {c.what for c in report.changes} >= {"allocation", "pool_cap"}

    assert (await zz.nothing_written(campaigns.current(zz.ports, ZZ))).unit(CHALCO).quotas["medal"].cap == 1
    assert (await zz.places(chalco, "medal")).cap == 1
    assert (await zz.pools(jinshui))["pool:section_cadre"] == (1, 4)


async def test_a_reload_removing_a_unit_with_nominees_is_refused(zz: World) -> None:
    me = await zz.clerk("黄金叶", 1401)  # 奖章 1 (产业工人 1), no 先锋号
    await zz.saved(me, "medal", person(95, "一线产业工人"))
    changed, text = edited(*RETIRE_HUANGJINYE)
    report = await zz.nothing_written(campaigns.load(zz.ports, changed, text=text))
    assert report.status == "refused"
    assert [(b.code, b.params) for b in report.blockers] == [("unit_has_nominees", {"unit": "黄金叶", "count": 1})]
    assert (await zz.places(me, "medal")).used == 1


async def test_an_accepted_reload_moves_places_and_retires_a_unit_without_nominees(zz: World) -> None:
    retired = await zz.clerk("黄金叶", 1501)
    unused = await zz.once(joining.create_invite(zz.ports, ZZ, "黄金叶", "clerk"))
    changed, text = edited(*MOVE_A_PLACE, *RETIRE_HUANGJINYE)
    report = await zz.once(campaigns.load(zz.ports, changed, text=text))
    assert (report.status, report.version) == ("updated", 2)
    assert {c.path for c in report.changes} == {
        "units[郑煤集团].quotas.medal",
        "units[宇通公司].quotas.medal",
        "units[黄金叶]",
        "units[新闻单位].quotas.medal",
    }
    office = await zz.office()
    assert (await zz.places(office, "medal", "郑煤集团")).cap == 2
    assert (await zz.places(office, "medal", "宇通公司")).cap == 0
    states = {u.name: u.active for u in await zz.nothing_written(queries.unit_states(zz.ports, ZZ))}
    assert states["黄金叶"] is False and states["郑煤集团"] is True
    assert await zz.rejected(nominees.save(zz.ports, retired, "medal", person(96, "一线产业工人"))) == UnitUnknown(
        "黄金叶"
    )
    assert await zz.rejected(joining.join(zz.ports, unused, 1502, "zh")) == UnitUnknown("黄金叶")
    assert (await zz.nothing_written(campaigns.load(zz.ports, changed, text=text))).status == "unchanged"
    assert await zz.consistent()


async def test_an_accepted_reload_recounts_the_places_nominees_already_hold(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 1601)
    airport = await zz.clerk(AIRPORT, 1602)
    head = await zz.saved(jinshui, "medal", person(97, "企业负责人"))
    await zz.saved(airport, "medal", person(98, "机关和事业单位科级领导干部"))

    # The office widens the 科级 pool to enterprise heads too: the head saved before counts in it.
    widened = CADRE_POOL.replace('["机关和事业单位科级领导干部"]', '["机关和事业单位科级领导干部", "企业负责人"]')
    changed, text = edited((CADRE_POOL, widened))
    report = await zz.once(campaigns.load(zz.ports, changed, text=text))
    assert report.status == "updated" and [c.path for c in report.changes] == ["pools.section_cadre"]
    pools = await zz.pools(jinshui)
    assert pools["pool:section_cadre"] == (2, 4) and pools["pool:enterprise_head"] == (1, 7)
    assert await zz.consistent()

    # The head's claims were rewritten: withdrawing it gives back both pools' places.
    await zz.once(nominees.withdraw(zz.ports, jinshui, head.id))
    pools = await zz.pools(jinshui)
    assert pools["pool:section_cadre"] == (1, 4) and pools["pool:enterprise_head"] == (0, 7)
    assert await zz.consistent()
