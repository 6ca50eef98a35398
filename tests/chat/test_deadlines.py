"""Stages and deadlines in the chat: after Zhangjiakou's deadline (2 April 2024) a clerk cannot add
a nominee; the office reopens the unit until a day it types (the clerk is told, and can, until
that day ends; then the refusal names that day); a past day is refused, /cancel leaves it closed. The
office sets Zhengzhou's second review, left "to be announced" by the notice, with /deadline; a
clerk's /remind or /deadline is for the office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.chat.chat import Chat, Clock, Harness
from tests.chat.test_review import told
from tests.chat.test_zhangjiakou import ZHANGJIAKOU
from tests.chat.world import World
from tests.nominees import QIAODONG, zhangjiakou_units


async def reopening_asked(office: Chat) -> None:
    """/review → the unit → 重新开放本单位名单 → until a day: the office is asked to type it."""
    await office.command("/review")
    await office.tap(QIAODONG)
    (await office.tap("重新开放本单位名单")).expect(f"确定重新开放{QIAODONG}的全部推荐名单吗？", "开放至指定日期")
    (await office.tap("重新开放至指定日期…")).expect(f"请输入{QIAODONG}推荐名单开放的最后一日", "含当日")


async def test_after_zhangjiakous_deadline_the_office_reopens_a_unit_until_a_day_it_types(
    bot: Harness, world: World, clock: Clock
) -> None:
    await world.load_definition(world.builtin_text(ZHANGJIAKOU) + zhangjiakou_units())
    clerk = await bot.clerk(10101, QIAODONG, ZHANGJIAKOU)
    office = bot.chat(10102)
    await office.command(f"/start {await world.invite(ZHANGJIAKOU, None)}")

    clock.now = datetime(2024, 4, 2, 15, 30, tzinfo=UTC)  # 23:30 on 2 April in Zhangjiakou: still open
    (await clerk.command("/new")).expect("请选择推荐对象申报的奖项")
    assert "张家口市劳动模范 · 剩余 3/3" in clerk.last.buttons

    clock.now = datetime(2024, 4, 3, 1, 0, tzinfo=UTC)  # 09:00 on 3 April
    (await clerk.command("/new")).expect("填报已于 2024-04-02 截止", "仅办公室可重新开放")

    await reopening_asked(office)
    (await office.command("/cancel")).expect("未重新开放，未作任何更改。")
    (await office.send("2024-04-09")).expect_not("确定将")  # the typing has ended: no confirmation
    (await clerk.command("/new")).expect("填报已于 2024-04-02 截止")  # still closed

    await reopening_asked(office)
    (await office.command("/deadlines")).expect("2024-04-02")  # another command runs and ends the typing
    (await office.send("2024-04-09")).expect_not("确定将")

    await reopening_asked(office)
    (await office.send("2024-04-02")).expect("2024-04-02已过，请填写今后的日期。")
    (await office.send("2099-05-06")).expect("2099年法定节假日安排尚未掌握")
    (await office.send("2024-04-09 17:00")).expect("请按 YYYY-MM-DD")
    (await office.send("2024年4月9日")).expect(
        f"确定将{QIAODONG}的全部推荐名单重新开放至 2024-04-09（Asia/Shanghai时间）吗？", "2024-04-09 结束即再次关闭"
    )
    said = await office.tap("确定重新开放至 2024-04-09")
    said.expect(
        f"{QIAODONG}推荐名单已重新开放至 2024-04-09",
        "已通知该单位填报人（1 人）",
        "办公室已重新开放至 2024-04-09（含当日）",
    )
    assert "推荐名单已重新开放至 2024-04-09（含当日，Asia/Shanghai时间）" in told(bot, clerk)
    (await office.command("/review")).expect("请选择单位")
    assert any(b.startswith(QIAODONG) and b.endswith("开放至 2024-04-09") for b in office.last.buttons)

    (await clerk.command("/deadlines")).expect("办公室已将本单位推荐名单重新开放至 2024-04-09，当日（含）前可继续填报")
    (await clerk.command("/new")).expect("请选择推荐对象申报的奖项")
    await reopening_asked(office)  # a confirmation left unanswered
    (await office.send("2024-04-09")).expect("确定将")
    confirmation = office.keyboard_message()

    clock.now = datetime(2024, 4, 9, 16, 0, tzinfo=UTC)  # the 10th has begun in Zhangjiakou
    (await clerk.command("/new")).expect("填报已于 2024-04-09 截止", "仅办公室可重新开放")
    (await clerk.command("/deadlines")).expect("填报已于 2024-04-09 截止")
    said = await office.tap("确定重新开放至 2024-04-09", on=confirmation)  # an old confirmation: refused
    assert "2024-04-09已过" in said.alert, said.alert
    said = await office.press(confirmation, "ro:until:0:20249999")  # a garbled one is outdated
    assert "过期" in said.alert, said.alert


async def test_the_office_sets_the_second_review_date_and_a_clerk_sees_it(bot: Harness, world: World) -> None:
    clerk = await bot.clerk(10201, "金水区")
    office = bot.chat(10202)
    await office.command(f"/start {await world.invite('zhengzhou-2024', None)}")

    (await office.command("/deadline")).expect("请选择需要设定或调整截止时间的阶段")
    await office.tap("报送复审材料 · 另行通知")
    office.last.expect("请输入“报送复审材料”的截止日期")
    (await office.send("2024年5月32日")).expect("请按 YYYY-MM-DD")
    (await office.send("2099-05-06")).expect("2099年法定节假日安排尚未掌握")
    (await office.send("2024-05-18 17:00")).expect(
        "是否将“报送复审材料”截止时间设定为2024-05-18 17:00（Asia/Shanghai时间）？",
        "注意：2024-05-18不是法定工作日",
    )
    (await office.send("2024-05-20 17:00")).expect("设定为2024-05-20 17:00")
    (await office.tap("确认")).expect("已设定：报送复审材料截止时间为2024-05-20 17:00。正在通知全部填报人。")

    (await clerk.command("/deadlines")).expect("报送复审材料：2024-05-20")
    (await clerk.command("/deadline")).expect("/remind 和 /deadline 仅供办公室使用")
    (await clerk.command("/remind")).expect("/remind 和 /deadline 仅供办公室使用")


@pytest.mark.parametrize("command", ["/remind"])
async def test_the_office_chooses_whom_to_remind(bot: Harness, world: World, command: str) -> None:
    office = bot.chat(10302)
    await office.command(f"/start {await world.invite('zhengzhou-2024', None)}")
    (await office.command(command)).expect("立即提醒", "已完成的单位不会收到提醒")
    assert any(b.startswith("全部未完成单位（") for b in office.last.buttons)
    # this test bot runs no scheduler (NOMINEE_REMINDERS=off in effect): it says so
    (await office.tap("金水区")).expect("本机器人进程未开启提醒功能")


async def test_the_office_names_the_unit_to_remind(bot: Harness, world: World) -> None:
    office = bot.chat(10402)
    await office.command(f"/start {await world.invite('zhengzhou-2024', None)}")
    (await office.command("/remind 不存在的单位")).expect("没有名为“不存在的单位”的单位。")
    (await office.command("/remind 金水区")).expect("本机器人进程未开启提醒功能")


async def test_another_command_while_a_date_is_asked_is_carried_out(bot: Harness, world: World) -> None:
    office = bot.chat(10502)
    await office.command(f"/start {await world.invite('zhengzhou-2024', None)}")
    await office.command("/deadline")
    await office.tap("报送复审材料 · 另行通知")
    (await office.command("/deadlines")).expect("报送复审材料：时间另行通知")
    (await office.send("2024-05-20")).expect_not("是否将")
