"""/submit: the unit's list goes to the office after a completeness check, and is locked."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.people import medal, team
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
PIONEER = "工人先锋号"
LOCKED = "本单位推荐名单已提交并锁定，不能再填报或修改。仅办公室可重新开放，请联系郑州市总工会劳动和经济工作部"


async def test_a_complete_list_is_asked_first_and_not_yet_changes_nothing(bot: Harness) -> None:
    clerk = await bot.clerk(8001, "长铝公司")  # 先锋号 1 = 企业班组 1; 奖章 1 = 一线产业工人 1
    await clerk.nominate(PIONEER, team("长铝电解一班"))
    await clerk.nominate(MEDAL, medal("铝工", id_number(8001)))
    await clerk.command("/submit")
    clerk.expect("确定将本单位推荐名单提交办公室吗？提交后名单将被锁定，仅办公室可重新开放。")
    assert clerk.buttons == ["确定提交", "暂不提交"]
    await clerk.tap("暂不提交")
    clerk.expect("未提交，您可以继续编辑。")
    await clerk.command("/new")
    clerk.expect("请选择推荐对象申报的奖项")


async def test_a_unit_that_entered_no_one_is_told_plainly_before_submitting_an_empty_list(bot: Harness) -> None:
    clerk = await bot.clerk(8002, "长铝公司")
    await clerk.command("/submit")
    clerk.expect("本单位尚未填报任何推荐对象，现在提交即表示本单位本次不推荐。")
    await clerk.tap("暂不提交")
    clerk.expect("未提交，您可以继续编辑。")


async def test_submitting_is_refused_with_the_gaps_then_accepted_and_the_list_is_locked(bot: Harness) -> None:
    unit = "市文教卫工会"  # 奖章 4 = 一线科教 2 + 2 free; 先锋号 2
    clerk = await bot.clerk(8101, unit)
    head = await clerk.nominate(MEDAL, medal("何总", id_number(8101), "企业负责人"))
    await clerk.nominate(MEDAL, medal("教师甲", id_number(8102), "一线科教人员"))

    await clerk.command("/submit")  # checked at once, before any question
    clerk.expect(
        "名单暂不能提交，原因如下：",
        f"何总，企业负责人（#{head}）须同时推荐 1 名同类别一线职工作为备选"
        "（一线产业工人或其他一线职工和专业技术人员），否则取消该名额。",
        "另有以下预留名额尚未填报（提交时可放弃）：",
        "郑州市五一劳动奖章：一线科教预留名额尚有 1 个未填报。",
    )
    assert clerk.buttons == ["为何总填报备选人员"]
    await clerk.command("/list")
    clerk.expect("何总 · 郑州市五一劳动奖章 · 已保存")  # nothing was locked

    await clerk.nominate(MEDAL, medal("教师乙", id_number(8103), "一线科教人员"))
    await clerk.command("/submit")
    await clerk.tap("为何总填报备选人员")
    await clerk.tap("其他一线职工和专业技术人员")
    await clerk.fill(medal("何备选", id_number(8104)))
    await clerk.tap("✔ 确认保存")

    await clerk.command("/submit")
    await clerk.tap("确定提交")
    clerk.expect("本单位推荐名单已提交办公室，现已锁定。谢谢！")

    (await clerk.command(f"/edit {head}")).expect(LOCKED)
    (await clerk.command(f"/withdraw {head}")).expect(LOCKED)
    await clerk.command(f"/status {head}")
    clerk.expect("状态：已提交办公室", "已提交")
    assert "✎ 修改" not in clerk.buttons and "撤回" not in clerk.buttons
    locked = await clerk.command("/new")  # said at once, no award buttons to tap in vain
    locked.expect(
        "本单位推荐名单已提交并锁定，不能再填报或修改。仅办公室可重新开放，请联系郑州市总工会劳动和经济工作部"
    )
    assert locked.buttons == []
    await clerk.command("/list")
    clerk.expect("何总 · 郑州市五一劳动奖章 · 已提交办公室", "何备选 · 郑州市五一劳动奖章 · 备选 · 已提交办公室")


async def test_a_unit_without_a_candidate_for_a_reserved_place_submits_giving_it_up_and_the_office_sees_it(
    bot: Harness,
) -> None:
    unit = "市文教卫工会"  # 奖章 4 = 一线科教 2 + 2 free; 先锋号 2, nothing reserved
    clerk = await bot.clerk(8201, unit)
    await clerk.nominate(MEDAL, medal("职工甲", id_number(8201), "其他一线职工和专业技术人员"))

    await clerk.command("/submit")
    clerk.expect(
        "本单位以下预留名额尚未填报：",
        "郑州市五一劳动奖章：一线科教预留名额尚有 2 个未填报。",
        "视为放弃相应名额",
        "确定提交名单并放弃上述名额吗？",
    )
    assert clerk.buttons == ["提交并放弃上述名额", "暂不提交"]
    question = clerk.keyboard_message()

    # Meanwhile a colleague finds one teacher: the places given up are no longer those shown.
    colleague = await bot.clerk(8202, unit)
    await colleague.nominate(MEDAL, medal("教师丙", id_number(8202), "一线科教人员"))
    await clerk.tap("提交并放弃上述名额", on=question)
    clerk.expect("一线科教预留名额尚有 1 个未填报。", "确定提交名单并放弃上述名额吗？")
    clerk.expect_not("已提交办公室")

    await clerk.tap("提交并放弃上述名额")
    clerk.expect(
        "本单位推荐名单已提交办公室，现已锁定。谢谢！",
        "放弃的名额（办公室可见）：",
        "• 郑州市五一劳动奖章：一线科教 1 个名额",
    )
    (await clerk.command("/quota")).expect(
        "本单位推荐名单已提交并锁定", "放弃的名额（办公室可见）：", "• 郑州市五一劳动奖章：一线科教 1 个名额"
    )

    office = bot.chat(8203)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    await office.command("/list")
    office.expect(
        f"{unit} · #",
        "提交时放弃的预留名额",
        f"{unit}（2024-03-15 10:00 提交）：",
        "• 郑州市五一劳动奖章：一线科教 1 个名额",
    )


async def test_after_the_deadline_every_change_says_at_once_that_entry_is_closed_and_whom_to_ask(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(8301, "金水区")
    nominee = await clerk.nominate(MEDAL, medal("早到", id_number(8301)))
    bot.clock.advance(days=6)  # 21 March: the entry deadline (20 March) has passed
    for command in ("/new", f"/edit {nominee}", f"/withdraw {nominee}", "/submit"):
        said = await clerk.command(command)
        said.expect(
            "填报已于 2024-03-20 截止，本单位推荐名单不能再填报或修改。",
            "请联系郑州市总工会劳动和经济工作部（杨柳琳、江丹阳，67883217）。",
        )
        assert said.buttons == [], f"{command} offered buttons after the deadline"
    card = await clerk.command(f"/status {nominee}")
    card.expect("早到")  # reading goes on
    assert not {"✎ 修改", "撤回"} & set(card.buttons), "the card offers changes after the deadline"
