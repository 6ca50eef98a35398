"""Places: categories that cannot be added are marked ✕ and explained; a nominee that would break
the unit's quota, its reserved places, a city-wide pool or the rule that nobody is nominated
twice is refused at the save, with the rule that blocks it — and the draft stays to be changed."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.conftest import ZHENGZHOU
from tests.chat.people import medal, organisation
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
NOT_SAVED = "未保存。"


async def test_a_clerk_of_jinshui_nominates_a_migrant_worker_when_only_reserved_places_are_left(
    bot: Harness,
) -> None:
    # 金水区: 6 medals, of which 一线产业工人 1, 一线科教 2, 非公新业态农民工 2 — and 1 free place
    clerk = await bot.clerk(5001, "金水区")
    await clerk.nominate(MEDAL, medal("何总", id_number(5001), "企业负责人"))  # takes the free place

    migrant = medal("马大勇", id_number(5002), "农民工")  # of a state-owned employer
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    assert "农民工" in clerk.buttons  # not marked: a migrant worker of a non-public employer still fits
    await clerk.fill(migrant)
    refused = await clerk.tap("✔ 确认保存")
    refused.expect(
        NOT_SAVED,
        "郑州市五一劳动奖章：本单位共 6 个名额，已占用 1 个。",
        "尚待填报的预留名额：一线产业工人 1 个、一线科教 2 个、非公新业态农民工 2 个；剩余不限类别名额：0 个。",
        "请核对填报信息",
    )
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6，剩余 5 个")

    await clerk.command("/new")
    await clerk.tap("继续填写")
    await clerk.tap("✎ 单位性质")
    await clerk.tap("非公")  # the same worker at a non-public employer: a reserved place is his
    (await clerk.tap("✔ 确认保存")).expect("马大勇 · 郑州市五一劳动奖章。")


async def test_a_second_migrant_worker_is_marked_and_explained_at_the_category(bot: Harness) -> None:
    # 航空港: 6 medals, of which 一线产业工人 4, 一线科教 1 — and 1 free place
    colleague = await bot.clerk(5101, "航空港经济综合试验区")
    await colleague.nominate(MEDAL, medal("马大勇", id_number(5101), "农民工"))

    clerk = await bot.clerk(5102, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    assert "✕ 农民工" in clerk.buttons and "✕ 企业负责人" in clerk.buttons
    assert "一线产业工人" in clerk.buttons and "一线科教人员" in clerk.buttons
    await clerk.tap("✕ 农民工")
    clerk.expect(
        "郑州市五一劳动奖章：本单位共 6 个名额，已占用 1 个。",
        "尚待填报的预留名额：一线产业工人 4 个、一线科教 1 个；剩余不限类别名额：0 个。",
        "“农民工”不属于上述预留类别",
    )
    assert clerk.progress == (1, 21)
    await clerk.send("农民工")  # typed instead of tapped: the same answer
    clerk.expect("剩余不限类别名额：0 个", "第 1/21 步")
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")


async def test_a_full_unit_and_a_unit_without_places_are_told_so_at_the_award(bot: Harness) -> None:
    clerk = await bot.clerk(5201, "长铝公司")  # 奖章 1 (一线产业工人 1)
    await clerk.nominate(MEDAL, medal("杨铝生", id_number(5201)))
    await clerk.command("/new")
    assert "郑州市五一劳动奖章 · 剩余 0/1" in clerk.buttons
    await clerk.tap(MEDAL)
    clerk.expect("郑州市五一劳动奖章：本单位 1 个名额已全部占用。")

    tobacco = await bot.clerk(5202, "黄金叶")  # 先锋号 0
    await tobacco.command("/new")
    assert "郑州市工人先锋号 · 剩余 0/0" in tobacco.buttons
    await tobacco.tap("工人先锋号")
    tobacco.expect("本单位无郑州市工人先锋号名额。")
    await tobacco.command("/quota")
    tobacco.expect("郑州市工人先锋号：无名额。")


async def test_two_clerks_of_one_unit_want_its_last_place_and_the_second_save_is_refused(bot: Harness) -> None:
    first = await bot.clerk(5301, "长铝公司")
    second = await bot.clerk(5302, "长铝公司")
    for clerk, n in ((first, 5301), (second, 5302)):
        await clerk.command("/new")
        await clerk.tap(MEDAL)
        await clerk.fill(medal("杨铝" + "甲乙"[n % 2], id_number(n)))
    (await first.tap("✔ 确认保存")).expect("已保存：#1")
    refused = await second.tap("✔ 确认保存")
    refused.expect(NOT_SAVED, "郑州市五一劳动奖章：本单位 1 个名额已全部占用。", "请核对填报信息")
    await second.command("/new")
    second.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在信息核对页。")  # nothing is lost


async def test_a_used_up_city_pool_is_explained_on_its_category_and_refused_at_the_save(bot: Harness) -> None:
    cadre = "机关和事业单位科级领导干部"  # the city has 4 places for section-level cadres
    units = ["郑东新区", "经济技术开发区", "高新技术开发区", "巩义市", "登封市"]
    clerks = [await bot.clerk(5401 + k, unit) for k, unit in enumerate(units)]
    for k, clerk in enumerate(clerks[:3]):
        await clerk.nominate(MEDAL, medal("袁" + "一二三"[k], id_number(5401 + k), cadre))
    late = clerks[4]  # at the summary while there was still a place
    await late.command("/new")
    await late.tap(MEDAL)
    await late.fill(medal("袁五号", id_number(5405), cadre))
    await clerks[3].nominate(MEDAL, medal("袁三号", id_number(5404), cadre))  # the fourth and last

    refused = await late.tap("✔ 确认保存")
    refused.expect(NOT_SAVED, "全市“科级领导干部”名额（全市共 4 个）已用完，不能再添加此类推荐对象。")

    clerk = await bot.clerk(5410, "中原区")
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章 — 科级领导干部：已用 4/4，剩余 0 个")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    assert f"✕ {cadre}" in clerk.buttons and "企业负责人" in clerk.buttons
    await clerk.tap(f"✕ {cadre}")
    clerk.expect("全市“科级领导干部”名额（全市共 4 个）已用完，不能再添加此类推荐对象。")
    assert clerk.progress == (1, 21)


async def test_a_person_nominated_by_another_unit_is_refused_at_the_id_step_with_that_unit(bot: Harness) -> None:
    taken = id_number(5501)
    await (await bot.clerk(5501, "郑东新区")).nominate(MEDAL, medal("黄建民", taken))

    clerk = await bot.clerk(5502, "中原区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("黄建民", taken), until="身份证号码")
    refused = await clerk.send(taken)
    refused.expect("该人员已由“郑东新区”在本次评选中推荐。", "身份证号码")
    refused.expect_not("第 1 号")  # another unit's nominee: its number is none of this clerk's business
    assert clerk.question == "身份证号码"  # asked again, nothing typed before it lost

    fresh = id_number(5502)
    await clerk.fill(medal("黄建民", fresh))
    (await clerk.tap("✔ 确认保存")).expect("黄建民 · 郑州市五一劳动奖章。")


async def test_a_person_already_in_the_clerks_own_list_is_refused_at_the_id_step_with_its_number(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(5503, "郑东新区")
    number = await clerk.nominate(MEDAL, medal("黄建民", id_number(5503)))
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("黄建国", id_number(5503)), until="身份证号码")
    (await clerk.send(id_number(5503))).expect(f"该人员已作为本单位第 {number} 号推荐对象填报")
    assert clerk.question == "身份证号码"


async def test_an_edit_keeps_the_nominees_own_id_number(bot: Harness) -> None:
    clerk = await bot.clerk(5504, "郑东新区")
    number = await clerk.nominate(MEDAL, medal("黄建民", id_number(5504)))
    await clerk.command(f"/edit {number}")
    await clerk.tap("✎ 身份证号码")
    await clerk.send(id_number(5507))  # a slip
    await clerk.tap("✎ 身份证号码")
    (await clerk.send(id_number(5504))).expect("请核对填报信息")  # back to its own: held by this very nominee
    (await clerk.tap("✔ 确认保存")).expect("黄建民")


async def test_a_person_nominated_by_another_unit_after_the_id_step_is_refused_at_the_save(bot: Harness) -> None:
    taken = id_number(5505)
    clerk = await bot.clerk(5505, "中原区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("黄建民", taken))  # free when typed
    await (await bot.clerk(5506, "郑东新区")).nominate(MEDAL, medal("黄建民", taken))  # taken meanwhile
    refused = await clerk.tap("✔ 确认保存")
    refused.expect(NOT_SAVED, "该人员已由“郑东新区”在本次评选中推荐。", "请核对填报信息")


async def test_a_third_certificate_exceeds_what_one_unit_may_nominate(bot: Harness) -> None:
    clerk = await bot.clerk(5601, "郑东新区")  # 奖状: competitive, at most 2 per unit
    await clerk.nominate("五一劳动奖状", organisation("郑州智能装备制造有限公司"))
    await clerk.nominate("五一劳动奖状", organisation("郑东新区城市运营集团"))
    await clerk.command("/new")
    assert "郑州市五一劳动奖状 · 可推荐 0/2" in clerk.buttons
    await clerk.tap("五一劳动奖状")
    clerk.expect("郑州市五一劳动奖状为差额推荐：每个单位最多可推荐 2 个，本单位已推荐 2 个。")
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖状：已推荐 2 个，最多可推荐 2 个（差额推荐）。")


async def test_a_hard_rule_the_office_adds_while_a_clerk_is_at_the_summary_refuses_the_save(bot: Harness) -> None:
    rule = (
        '[[eligibility]]\nkey = "no_skill"\nawards = ["medal"]\nkind = "hard"\nwhen = { skill_level = ["无"] }\n'
        'message = "无技术等级的人员不得申报奖章。"\nmessage_en = "No medal without a skill level."\n\n'
    )
    clerk = await bot.clerk(5701, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("张无级", id_number(5701)) | {"技术等级": "无"})
    text = bot.world.builtin_text(ZHENGZHOU)
    first_rule = text.index("[[eligibility]]")
    await bot.world.load_definition(text[:first_rule] + rule + text[first_rule:])

    refused = await clerk.tap("✔ 确认保存")
    refused.expect(NOT_SAVED, "不符合推荐条件：无技术等级的人员不得申报奖章。", "请核对填报信息")
    await clerk.tap("✎ 技术等级")
    await clerk.tap("高级工")
    (await clerk.tap("✔ 确认保存")).expect("张无级 · 郑州市五一劳动奖章。")
