"""The procedure checklist in the chat: a clerk opens a nominee's card, taps 办理程序, records the
approval by the workers' congress with a typed date and the unit's notice with 今天; the notice runs
for five working days and is complete only after them; /cancel records nothing; an old 今天 button
is outdated the next day; /submit warns about the open steps; the office's /dashboard counts them
per unit; the office records a step from its own card."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.chat.chat import Clock, Harness
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
APPROVAL = "职代会（职工大会）审议通过"


async def test_a_clerk_records_the_steps_from_the_card_and_submit_and_dashboard_show_the_open_ones(
    bot: Harness, clock: Clock
) -> None:
    clerk = await bot.clerk(12001, "金水区")  # 2024-03-15 (a Friday), 10:00 in Zhengzhou
    worker = await clerk.nominate(MEDAL, medal("铝工", id_number(12001)))  # 一线产业工人, state-owned

    (await clerk.command(f"/status {worker}")).expect("推荐程序：共5个步骤，已完成0个。")
    shown = await clerk.tap("办理程序")
    shown.expect(
        f"#{worker} 铝工 · 郑州市五一劳动奖章的推荐程序",
        f"○ {APPROVAL} — 未办理（须在“报送初审材料”前完成）",
        "○ 单位公示 — 未办理（须在“报送初审材料”前完成）",
        "○ 公安部门意见 — 未办理（须在“报送复审材料”前完成）",
        "○ 市级公示 — 未办理",
    )
    assert "组织人事部门意见" not in shown.text and "审计部门意见" not in shown.text  # not for a frontline worker

    await clerk.tap(f"○ {APPROVAL}")
    clerk.expect("请按 YYYY-MM-DD 格式输入办理日期")
    assert clerk.buttons == ["今天（2024-03-15）", "取消"]
    (await clerk.send("下周一")).expect("请按 YYYY-MM-DD 格式输入日期")
    (await clerk.send("2024-03-18")).expect("2024-03-18尚未到来")
    recorded = await clerk.send("2024年3月12日")
    recorded.expect(f"已登记：{APPROVAL}，2024-03-12。", f"✓ {APPROVAL} — 已于2024-03-12办理")

    await clerk.tap("○ 单位公示")
    prompt = clerk.keyboard_message()
    (await clerk.tap("今天（2024-03-15）")).expect(
        "已登记：单位公示，2024-03-15。",
        "◔ 单位公示 — 自2024-03-15起公示，至2024-03-21期满（5个工作日）",  # 15, 18, 19, 20, 21 March
    )

    await clerk.tap("○ 公安部门意见")
    (await clerk.command("/cancel")).expect("未登记任何内容。")
    await clerk.send("2024-03-14")  # no longer a date for the step
    await clerk.command(f"/status {worker}")
    await clerk.tap("办理程序")
    await clerk.tap("○ 公安部门意见")
    (await clerk.command("/list")).expect(f"#{worker} 铝工")  # another command is carried out
    (await clerk.send("2024-03-14")).expect_not("已登记")
    (await clerk.command(f"/status {worker}")).expect("推荐程序：共5个步骤，已完成1个。")

    submitting = await clerk.command("/submit")  # a warning; submitting is still offered
    submitting.expect(
        "⚠ 1 名推荐对象尚有本次报送前应完成的程序步骤未完成（仍可提交）：",
        f"#{worker} 铝工 · 郑州市五一劳动奖章：单位公示",
    )
    assert APPROVAL not in submitting.text
    await clerk.tap("暂不提交")

    office = bot.chat(12002)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    pages = [(await office.command("/dashboard")).messages[0].text]
    while "下一页 ▶" in office.keyboard_message().buttons:
        pages.append((await office.tap("下一页 ▶", on=office.keyboard_message())).text)
    [steps] = [p for p in pages if "尚未完成的程序步骤" in p]
    assert "金水区：单位公示 1；公安部门意见 1；县（市、区）级公示 1；市级公示 1" in steps
    assert "郑东新区：" not in steps

    await office.command(f"/status {worker}")  # the office's card has the checklist too
    await office.tap("办理程序")
    await office.tap("○ 公安部门意见")
    (await office.tap("今天（2024-03-15）")).expect(
        "已登记：公安部门意见，2024-03-15。", "✓ 公安部门意见 — 已于2024-03-15办理"
    )
    (await office.tap("« 返回推荐对象详情")).expect("状态：已保存")

    clock.now = datetime(2024, 3, 21, 2, 0, tzinfo=UTC)  # the notice's last day: still running
    (await clerk.tap("今天", on=prompt)).expect()
    assert "此消息已过期" in clerk.last.alert  # shown on the 15th: "today" was that day
    await clerk.command(f"/status {worker}")
    (await clerk.tap("办理程序")).expect("◔ 单位公示 — 自2024-03-15起公示，至2024-03-21期满")
    clock.now = datetime(2024, 3, 22, 2, 0, tzinfo=UTC)  # the day after: complete
    await clerk.command(f"/status {worker}")
    clerk.expect("推荐程序：共5个步骤，已完成3个。")
    (await clerk.tap("办理程序")).expect("✓ 单位公示 — 公示期2024-03-15至2024-03-21，已期满")
