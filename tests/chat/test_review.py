"""The office reviews the units' lists in the chat: /review (a unit chosen with buttons, its list
by award), a nominee's whole record with its photo, 通过 / 退回 with a typed reason, the final
results, an alternate promoted in place of its enterprise head, a unit's list reopened, /audit N.
The unit's clerks are told at once; clerks are refused the office's commands with the reason."""

from __future__ import annotations

from aiogram.methods import SendMessage, SendPhoto

from tests.chat.chat import Chat, Harness
from tests.chat.conftest import ZHENGZHOU
from tests.chat.people import medal
from tests.chat.session import Said
from tests.chat.test_exports import last_document
from tests.nominees import id_number
from tests.sheets import body, read_both

MEDAL = "五一劳动奖章"
UNIT = "市能源生物医药工会"  # 奖章 3 = 一线产业工人 2 + 1 free


async def office_member(bot: Harness, tg_id: int) -> Chat:
    office = bot.chat(tg_id, name="办公室")
    await office.command(f"/start {await bot.world.invite(ZHENGZHOU, None)}")
    office.expect("办公室工作人员", "/review")
    return office


def told(bot: Harness, clerk: Chat) -> str:
    """The newest message in the clerk's chat (what the bot sent there unasked)."""
    said: list[Said] = [s for s in bot.session.said if s.chat_id == clerk.tg_id and s.kind == "message"]
    return said[-1].text


async def submit(clerk: Chat) -> None:
    """/submit, confirmed (giving up the reserved places the unit cannot fill, when asked)."""
    await clerk.command("/submit")
    await clerk.tap("提交并放弃上述名额" if "提交并放弃上述名额" in clerk.buttons else "确定提交")
    clerk.expect("本单位推荐名单已提交办公室")


async def handed_in(bot: Harness, clerk: Chat) -> tuple[int, int, int]:
    """The clerk enters two frontline workers, an enterprise head and its alternate, and submits:
    (the first worker, the head, the alternate)."""
    worker = await clerk.nominate(MEDAL, medal("能源甲", id_number(9101)))
    await clerk.nominate(MEDAL, medal("能源乙", id_number(9102)) | {"是否为涉敏": "是"})  # 涉敏: never published
    head = await clerk.nominate(MEDAL, medal("孔总", id_number(9103), "企业负责人"))
    await clerk.tap("立即填报备选人员")
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("孔备选", id_number(9104)))
    saved = await clerk.tap("✔ 确认保存")
    alternate = int(saved.text.split("已保存：#")[1].split()[0])
    await submit(clerk)
    return worker, head, alternate


async def open_unit(office: Chat) -> None:
    said = await office.command("/review")
    said.expect("审核", "待审核", "请选择单位")
    await office.tap(f"{UNIT} · 待审 4/4 · 已提交")
    office.expect(f"{UNIT}", "推荐名单已于", "【郑州市五一劳动奖章】", "孔备选 · #")
    office.expect("提交时放弃的预留名额", "• 郑州市工人先锋号：企业班组 2 个名额")  # given up at /submit


async def test_a_return_a_resubmission_an_acceptance_and_an_alternate_in_its_head_s_place(bot: Harness) -> None:
    clerk = await bot.clerk(9101, UNIT)
    worker, head, alternate = await handed_in(bot, clerk)
    office = await office_member(bot, 9109)
    await open_unit(office)

    # the record: every answer, the places it holds, the latest history; its photo above it
    photos_before = sum(isinstance(r, SendPhoto) for r in bot.session.requests)
    await office.tap(f"#{worker} 能源甲")
    assert sum(isinstance(r, SendPhoto) for r in bot.session.requests) == photos_before + 1
    office.expect("姓名：能源甲", f"推荐单位：{UNIT}", "占用名额", f"{UNIT}郑州市五一劳动奖章名额", "变更记录")
    office.expect("• 全市郑州市五一劳动奖章名额（共 120 个）之一")  # the city-wide total, said as such
    assert "✔ 初审通过" in office.buttons and "↩ 退回修改" in office.buttons
    card = office.keyboard_message()

    # 退回 asks for the reason; the clerk reads it at once
    await office.tap("↩ 退回修改")
    office.expect("请输入退回理由")
    said = await office.send("事迹材料过于简略，请补充近三年主要业绩。")
    said.expect(f"#{worker} 能源甲 · 郑州市五一劳动奖章：已退回推荐单位修改。", "已通知该单位填报人（1 人）。")
    said.expect("状态：已退回", "办公室意见：事迹材料过于简略")
    notice = told(bot, clerk)
    assert f"贵单位推荐对象 #{worker} 能源甲" in notice and "现状态为“已退回”" in notice, notice
    assert "理由：事迹材料过于简略，请补充近三年主要业绩。" in notice and f"/edit {worker}" in notice, notice

    # the clerk corrects it and hands it in again: back to the office
    await clerk.command(f"/edit {worker}")
    await clerk.tap("✎ 工作单位及职务")
    await clerk.send("郑州某能源公司 运行值班长")
    (await clerk.tap("✔ 确认保存")).expect(f"已修改：#{worker} 能源甲")
    await submit(clerk)
    (await clerk.command(f"/status {worker}")).expect("状态：已提交办公室")
    (await office.command(f"/audit {worker}")).expect(
        "办公室 · 已退回 · 已提交办公室 → 已退回 · 事迹材料过于简略",
        f"{UNIT}填报人 · 已修改 · 修改：工作单位及职务（职级）\n",
        f"{UNIT}填报人 · 已提交 · 已退回 → 已提交办公室",
    )

    # the office's old record is out of date: the press says so and shows it as it is now
    stale = await office.tap("✔ 初审通过", on=card)
    assert "已被他人" in stale.alert, stale.alert
    stale.expect("状态：已提交办公室")
    said = await office.tap("✔ 初审通过", on=card)  # now shown as it is
    said.expect(
        f"#{worker} 能源甲 · 郑州市五一劳动奖章：已初审通过。", "已通知该单位填报人（1 人）。", "状态：初审通过"
    )
    assert "现状态为“初审通过”" in told(bot, clerk)

    # the 公示 list the office exports names the accepted worker, never the 涉敏 nominee
    await office.command("/export_all")
    (await office.tap("公示名单")).expect("公示名单-全市.xlsx")
    published = [row for rows in read_both(last_document(bot)[1]).values() for row in body(rows)]
    names = {cell for row in published for cell in row}
    assert "能源甲" in names and "孔总" in names and "能源乙" not in names, published

    # the enterprise head is not approved: its alternate takes the place
    await office.command(f"/status {head}")
    await office.command("/review")
    await office.tap(f"{UNIT} · 待审 3/4")
    await office.tap(f"#{head} 孔总")
    office.expect("孔总", "备选人员", f"#{alternate} 孔备选")
    await office.tap(f"⇪ 由备选人员 #{alternate} 递补")
    office.expect(f"将递补 #{head} 的名额", "确定吗？")
    said = await office.tap("⇪ 确定由备选人员递补")
    said.expect(
        f"#{head} 孔总 · 郑州市五一劳动奖章 未通过，由其备选人员 #{alternate} 孔备选", "已通知该单位填报人（1 人）。"
    )
    said.expect(f"{UNIT}郑州市五一劳动奖章名额", "备选人员递补，占用名额")
    notice = told(bot, clerk)
    assert f"#{head} 孔总" in notice and f"#{alternate} 孔备选" in notice and "递补" in notice, notice

    listed = await clerk.command("/list")
    listed.expect(
        f"#{head} 孔总 · 郑州市五一劳动奖章 · 未通过", f"#{alternate} 孔备选 · 郑州市五一劳动奖章 · 已提交办公室"
    )
    status = await clerk.command(f"/status {head}")
    status.expect("未通过，由备选人员递补")

    # the whole history, as the office reads it
    audit = await office.command(f"/audit {head}")
    audit.expect(
        f"#{head} 孔总 · 郑州市五一劳动奖章 完整变更记录",
        f"{UNIT}填报人 · 已创建\n",
        "办公室 · 未通过，由备选人员递补 · 已提交办公室 → 未通过",
    )


async def test_clerks_are_refused_the_office_s_commands_with_the_reason_and_their_menu_has_none(bot: Harness) -> None:
    await bot.start()
    clerk = await bot.clerk(9201, UNIT)
    for command in ("/review", "/audit 1"):
        said = await clerk.command(command)
        said.expect("为办公室工作人员审核各单位推荐名单所用，填报人无此权限")
    assert "review" not in bot.session.commands[""] and "audit" not in bot.session.commands["en"]
    assert bot.session.chat_commands.get(clerk.tg_id) is None

    office = await office_member(bot, 9202)
    menu = bot.session.chat_commands[office.tg_id]
    assert list(menu[""]) == [
        "review", "list", "status", "audit", "dashboard", "export_all", "deadlines", "deadline", "remind",
        "lang", "help", "cancel",
    ]  # fmt: skip
    assert "dashboard" not in bot.session.commands[""] and "export_all" not in bot.session.commands[""]
    assert menu["en"]["review"] == "Review the units' lists"
    (await office.command("/new")).expect("办公室工作人员可用命令", "/review")


async def test_returning_can_be_cancelled_and_a_failed_notice_does_not_stop_the_decision(bot: Harness) -> None:
    clerk = await bot.clerk(9301, UNIT)
    colleague = await bot.clerk(9302, UNIT)
    worker, _head, _alternate = await handed_in(bot, clerk)
    office = await office_member(bot, 9309)
    await open_unit(office)
    await office.tap(f"#{worker} 能源甲")
    card = office.keyboard_message()
    await office.tap("↩ 退回修改")
    (await office.command("/cancel")).expect("未退回，未作任何更改。")
    (await office.send("随便说说")).expect_not("已退回")
    await office.tap("↩ 退回修改", on=card)
    (await office.command("/deadlines")).expect("时间安排")  # another command runs and ends the return
    (await office.send("随便说说")).expect_not("已退回")
    await office.command("/review")
    await office.tap(f"{UNIT} · 待审 4/4")
    await office.tap(f"#{worker} 能源甲")
    await office.tap("↩ 退回修改")
    await office.tap("✖ 不退回")
    office.expect("状态：已提交办公室")

    bot.session.fail_next(SendMessage, "Forbidden: bot was blocked by the user", status=403)
    await office.tap("✔ 初审通过")  # the first clerk's notice fails (403): the second one's arrives
    office.expect("已初审通过", "已通知该单位 2 名填报人中的 1 人（其余无法送达）。")
    assert "现状态为“初审通过”" in told(bot, colleague)
    assert "初审通过" not in told(bot, clerk)


async def test_the_office_reopens_a_unit_s_list_after_confirming_and_its_clerks_may_change_it_again(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(9401, UNIT)
    worker, _head, _alternate = await handed_in(bot, clerk)
    office = await office_member(bot, 9409)
    await open_unit(office)
    await office.tap("重新开放本单位名单")
    office.expect(f"确定重新开放{UNIT}的全部推荐名单吗？")
    said = await office.tap("确定重新开放")
    said.expect(f"{UNIT}推荐名单已重新开放，4 名已提交的推荐对象可再次修改。", "已通知该单位填报人（1 人）。")
    said.expect("推荐名单尚未提交")
    assert "推荐名单已重新开放" in told(bot, clerk)
    (await clerk.command(f"/edit {worker}")).expect(f"正在修改 #{worker}")
    # a button of a unit no longer in the definition (or forged) is outdated, not an error
    said = await office.press(office.keyboard_message(), "rl:999:0")
    assert "过期" in said.alert, said.alert


async def test_the_office_sees_the_reason_given_for_a_soft_rule_and_opens_a_record_from_list_and_status(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(9501, "金水区")
    reason = "获奖后主持完成新一代封装产线改造，有新的突出贡献。"
    nominee = await clerk.nominate(MEDAL, medal("赵志刚", id_number(9501)) | {"是否已获得过": "是", "推荐理由": reason})
    await submit(clerk)
    office = await office_member(bot, 9509)

    said = await office.command(f"/status {nominee}")
    said.expect(
        "须说明理由的情形", "⚠ 已获得郑州市五一劳动奖、工人先锋号荣誉称号的，如无新的突出贡献，原则上不重复授予。"
    )
    said.expect(f"说明理由：{reason}")
    assert "✔ 初审通过" in said.buttons
    await office.command("/list")
    said = await office.tap(f"#{nominee} 赵志刚")
    said.expect("须说明理由的情形", "推荐单位：金水区")
    assert "↩ 退回修改" in said.buttons


async def test_office_staff_listed_in_the_settings_get_the_office_menu_at_start_and_review_without_an_invitation(
    bot: Harness,
) -> None:
    await bot.world.seat_office(ZHENGZHOU, 9601)
    await bot.start()
    assert list(bot.session.chat_commands[9601][""])[:1] == ["review"]
    office = bot.chat(9601)
    (await office.command("/review")).expect("请选择单位")


async def test_an_english_speaking_office_reviews_and_the_chinese_clerk_is_told_in_chinese(bot: Harness) -> None:
    clerk = await bot.clerk(9701, UNIT)
    worker, _head, _alternate = await handed_in(bot, clerk)
    office = bot.chat(9709, name="Office", language="en")
    (await office.command(f"/start {await bot.world.invite(ZHENGZHOU, None)}")).expect("office staff", "/review")
    (await office.command("/review")).expect("await a decision", "Choose a unit")
    await office.tap(f"{UNIT} · 4/4 to review · submitted")
    await office.tap(f"#{worker} 能源甲")
    office.expect("Places held", "History")
    await office.tap("↩ Return")
    office.expect("Please type the reason for the clerks")
    said = await office.send("请补充近三年主要业绩。")
    said.expect("returned to the unit for correction", "The unit's clerks were told (1).")
    notice = told(bot, clerk)
    assert "办公室通知" in notice and "理由：请补充近三年主要业绩。" in notice, notice
