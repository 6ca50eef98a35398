"""/submit: the unit's list goes to the office after a completeness check, and is locked."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
LOCKED = "该推荐对象已不能修改（状态：已提交办公室）"


async def test_submitting_is_asked_first_and_not_yet_changes_nothing(bot: Harness) -> None:
    clerk = await bot.clerk(8001, "市文教卫工会")
    await clerk.command("/submit")
    clerk.expect("确定将本单位推荐名单提交办公室吗？提交后名单将被锁定，仅办公室可重新开放。")
    assert clerk.buttons == ["确定提交", "暂不提交"]
    await clerk.tap("暂不提交")
    clerk.expect("未提交，您可以继续编辑。")
    await clerk.command("/new")
    clerk.expect("请选择推荐对象申报的奖项")


async def test_submitting_is_refused_with_the_gaps_then_accepted_and_the_list_is_locked(bot: Harness) -> None:
    unit = "市文教卫工会"  # 奖章 4 = 一线科教 2 + 2 free; 先锋号 2
    clerk = await bot.clerk(8101, unit)
    head = await clerk.nominate(MEDAL, medal("何总", id_number(8101), "企业负责人"))
    await clerk.nominate(MEDAL, medal("教师甲", id_number(8102), "一线科教人员"))

    await clerk.command("/submit")
    await clerk.tap("确定提交")
    clerk.expect(
        "名单暂不能提交，原因如下：",
        "郑州市五一劳动奖章：一线科教预留名额尚有 1 个未填报。",
        f"何总（#{head}）须同时推荐 1 名同类别一线职工作为备选。",
    )
    await clerk.command("/list")
    clerk.expect("何总 · 郑州市五一劳动奖章 · 已保存")  # nothing was locked

    await clerk.nominate(MEDAL, medal("教师乙", id_number(8103), "一线科教人员"))
    await clerk.command(f"/status {head}")
    await clerk.tap("填报备选人员")
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
    await clerk.command("/new")
    await clerk.tap("工人先锋号")
    clerk.expect("本单位推荐名单已提交并锁定")
    await clerk.command("/list")
    clerk.expect("何总 · 郑州市五一劳动奖章 · 已提交办公室", "何备选 · 郑州市五一劳动奖章 · 备选 · 已提交办公室")
