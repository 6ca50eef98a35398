"""Changing the unit's list: /edit N (through the summary card), /withdraw N (after a
confirmation), and the alternate an enterprise head needs."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.conftest import ZHENGZHOU
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"


async def test_a_saved_nominee_is_changed_through_its_summary_card(bot: Harness) -> None:
    clerk = await bot.clerk(7001, "高新技术开发区")
    nominee = await clerk.nominate(MEDAL, medal("周建华", id_number(7001)))
    (await clerk.command("/edit")).expect("请提供推荐对象编号，例如：/edit 12。发送 /list 可查看编号。")

    await clerk.command(f"/edit {nominee}")
    clerk.expect(f"正在修改 #{nominee}。请修改相关内容后点击“确认保存”。", "请核对填报信息", "姓名：周建华")
    await clerk.tap("✎ 人员类别")
    clerk.expect("第 1/21 步 · 人员类别", "郑州市五一劳动奖章：已用 1/6")  # its own place counted
    await clerk.tap("◀ 返回核对页")  # a question opened from the card leads back to it
    clerk.expect("请核对填报信息", "姓名：周建华")
    await clerk.tap("✎ 工作单位及职务")
    clerk.expect("当前填写：郑州某电子科技有限公司 装配车间班长")
    await clerk.send("郑州某电子科技有限公司 总装车间主任")
    clerk.expect("请核对填报信息", "工作单位及职务（职级）：郑州某电子科技有限公司 总装车间主任")
    (await clerk.tap("✔ 确认保存")).expect(f"已修改：#{nominee} 周建华")

    await clerk.command(f"/status {nominee}")
    clerk.expect("状态：已保存（占用名额）", "总装车间主任", "办理记录", "已创建", "已修改")
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6")  # still one place: its own


async def test_editing_is_started_from_the_record_and_a_full_units_nominee_keeps_its_own_place(bot: Harness) -> None:
    clerk = await bot.clerk(7101, "长铝公司")  # 奖章 1: its only place is the nominee's own
    nominee = await clerk.nominate(MEDAL, medal("杨铝生", id_number(7101)))
    await clerk.command(f"/status {nominee}")
    await clerk.tap("✎ 修改")
    clerk.expect(f"正在修改 #{nominee}。")
    await clerk.tap("✎ 身份证号码")
    fresh = id_number(7102)
    await clerk.send(fresh)
    (await clerk.tap("✔ 确认保存")).expect(f"已修改：#{nominee} 杨铝生")


async def test_cancelling_an_edit_leaves_the_saved_nominee_as_it_was(bot: Harness) -> None:
    clerk = await bot.clerk(7201, "郑东新区")
    nominee = await clerk.nominate(MEDAL, medal("钱学民", id_number(7201)))
    await clerk.command(f"/edit {nominee}")
    await clerk.tap("✎ 姓名")
    await clerk.send("钱某某")
    await clerk.command("/cancel")
    clerk.expect(f"您正在修改 #{nominee}（郑州市五一劳动奖章 · 钱某某）。", "放弃修改")
    clerk.expect_not("草稿")  # an edit, not a draft
    assert clerk.buttons == ["暂停，保留修改", "放弃修改", "继续填写"]
    await clerk.tap("暂停，保留修改")
    clerk.expect(f"对 #{nominee}（郑州市五一劳动奖章 · 钱某某）的修改已保留。如需继续修改，请发送 /new。")
    (await clerk.command("/new")).expect(
        f"您对 #{nominee}（郑州市五一劳动奖章 · 钱某某）的修改尚未完成，停留在信息核对页。"
    )
    await clerk.command(f"/edit {nominee}")  # the paused changes are offered, not replaced
    clerk.expect(f"您对 #{nominee}（郑州市五一劳动奖章 · 钱某某）的修改尚未完成")
    await clerk.tap("继续填写")
    clerk.expect("请核对填报信息", "姓名：钱某某")
    await clerk.command("/cancel")
    await clerk.tap("放弃修改")
    clerk.expect(f"已取消修改，已保存的推荐对象 #{nominee} 未作改动。")
    await clerk.command(f"/status {nominee}")
    clerk.expect("钱学民")
    clerk.expect_not("钱某某", "已修改")


async def test_a_draft_must_be_finished_before_another_nominee_is_edited(bot: Harness) -> None:
    clerk = await bot.clerk(7301, "郑东新区")
    nominee = await clerk.nominate(MEDAL, medal("钱学民", id_number(7301)))
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    said = await clerk.command(f"/edit {nominee}")
    said.expect("请先完成或删除当前草稿。您有一份未完成的草稿（郑州市五一劳动奖章）")
    assert said.buttons == ["继续填写", "删除草稿"]  # either, right there
    await clerk.tap("删除草稿")
    await clerk.tap("放弃草稿")  # asked first: an old offer never deletes a later draft
    (await clerk.command(f"/edit {nominee}")).expect(f"正在修改 #{nominee}")


async def test_withdrawing_asks_first_then_frees_the_place(bot: Harness) -> None:
    clerk = await bot.clerk(7401, "高新技术开发区")
    nominee = await clerk.nominate(MEDAL, medal("周建华", id_number(7401)))
    (await clerk.command("/withdraw")).expect("请提供推荐对象编号，例如：/withdraw 12。发送 /list 可查看编号。")

    await clerk.command(f"/withdraw {nominee}")
    clerk.expect(f"确定撤回 #{nominee} 周建华 · 郑州市五一劳动奖章 吗？撤回后其占用的名额将予以释放。")
    assert clerk.buttons == ["确定撤回", "不撤回"]  # never a bare 否
    await clerk.tap("不撤回")
    clerk.expect("状态：已保存（占用名额）")
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6，剩余 5 个")

    await clerk.command(f"/withdraw {nominee}")
    await clerk.tap("确定撤回")
    clerk.expect("已撤回，其占用的名额已释放", "郑州市五一劳动奖章：已用 0/6，剩余 6 个")
    await clerk.command(f"/status {nominee}")
    clerk.expect("状态：已撤回", "办理记录", "已撤回")
    assert clerk.buttons == ["📄 查看全文"]  # nothing to change; the whole deeds can still be read
    (await clerk.command(f"/edit {nominee}")).expect("该推荐对象已不能修改（状态：已撤回）")
    (await clerk.command(f"/withdraw {nominee}")).expect("该推荐对象已不能修改（状态：已撤回）")

    # the person may be nominated again, by this unit or another
    await clerk.nominate(MEDAL, medal("周建华", id_number(7401)))


async def test_a_nominee_is_withdrawn_from_its_record(bot: Harness) -> None:
    clerk = await bot.clerk(7451, "高新技术开发区")
    nominee = await clerk.nominate(MEDAL, medal("周建国", id_number(7451)))
    await clerk.command("/list")
    await clerk.tap("周建国")
    await clerk.tap("撤回")
    clerk.expect(f"确定撤回 #{nominee} 周建国 · 郑州市五一劳动奖章 吗？")
    await clerk.tap("确定撤回")
    clerk.expect("已撤回，其占用的名额已释放")
    (await clerk.command("/list")).expect_not("周建国")  # the list holds the nominees still in the running


async def test_a_question_the_office_made_required_later_is_asked_when_the_nominee_is_edited(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(7461, "高新技术开发区")
    nominee = await clerk.nominate(MEDAL, medal("周建设", id_number(7461)))  # 职称 skipped: optional
    text = bot.world.builtin_text(ZHENGZHOU)
    optional = 'label = "职称"\nlabel_en = "Professional title"\ntype = "text"\nrequired = false\n'
    assert optional in text
    await bot.world.load_definition(text.replace(optional, optional.replace("required = false\n", "")))

    await clerk.command(f"/status {nominee}")
    clerk.expect("状态：已保存（占用名额）", "未填写：职称")
    await clerk.command(f"/edit {nominee}")
    clerk.expect("尚有 1 项未填写")
    assert "✔ 确认保存" not in clerk.buttons
    await clerk.tap("继续填写")
    clerk.expect("职称")
    await clerk.send("高级工程师")
    clerk.expect("职称级别")  # a title brings its level, asked before the card
    await clerk.tap("副高级")
    clerk.expect("请核对填报信息", "职称：高级工程师", "职称级别：副高级")
    await clerk.tap("✔ 确认保存")
    await clerk.command(f"/status {nominee}")
    clerk.expect("职称：高级工程师", "已修改")
    clerk.expect_not("未填写")


async def test_an_enterprise_head_gets_an_alternate_who_takes_no_place(bot: Harness) -> None:
    unit = "市能源生物医药工会"  # 奖章 3 = 一线产业工人 2 + 1 free
    clerk = await bot.clerk(7501, unit)
    for k in range(2):
        await clerk.nominate(MEDAL, medal("能源" + "甲乙"[k], id_number(7510 + k)))
    head = await clerk.nominate(MEDAL, medal("孔总", id_number(7501), "企业负责人"))
    saved = clerk.last
    saved.expect(
        "孔总 · 郑州市五一劳动奖章。",
        "本单位剩余 0 个名额",
        "须同时推荐 1 名备选人员，其人员类别须为“一线产业工人”或“其他一线职工和专业技术人员”",
    )
    assert saved.buttons == ["立即填报备选人员"]
    listed = await clerk.command("/list")
    listed.expect(f"#{head} 孔总 · 郑州市五一劳动奖章 · 已保存（占用名额） · ⚠ 尚未推荐备选人员")
    assert listed.text.count("⚠") == 1  # the frontline workers need none

    card = next(m for m in clerk.messages() if saved.shown and m.message_id == saved.shown.message_id)
    await clerk.tap("立即填报备选人员", on=card)

    clerk.expect("郑州市五一劳动奖章 · 备选", "第 1/21 步")
    # only the kinds an alternate may be, and none marked: an alternate takes no place
    assert clerk.buttons == ["一线产业工人", "其他一线职工和专业技术人员", "取消"]
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("孔备选", id_number(7502)))
    clerk.expect("郑州市五一劳动奖章 · 备选")
    (await clerk.tap("✔ 确认保存")).expect("孔备选 · 郑州市五一劳动奖章。")

    alternate = int(clerk.text.split("已保存：#")[1].split()[0])
    await clerk.command(f"/status {alternate}")
    clerk.expect(f"#{alternate} 孔备选 · 郑州市五一劳动奖章", f"#{head} 的备选人员")
    await clerk.command("/list")
    clerk.expect("孔备选 · 郑州市五一劳动奖章 · 备选")
    clerk.expect_not("⚠")  # the enterprise head has its alternate now
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 3/3，剩余 0 个")

    # withdrawing the head takes the alternate with it: the clerk is told before confirming
    (await clerk.command(f"/withdraw {head}")).expect(
        f"其备选人员 #{alternate} 孔备选 · 郑州市五一劳动奖章 · 备选 将一并撤回。"
    )
    (await clerk.tap("确定撤回")).expect(f"其备选人员 #{alternate} 孔备选 · 郑州市五一劳动奖章 · 备选 已一并撤回。")
    (await clerk.command(f"/status {alternate}")).expect("已撤回")


async def test_withdrawing_an_alternate_says_it_holds_no_place_and_its_nominee_needs_another(bot: Harness) -> None:
    clerk = await bot.clerk(7502, "金水区")
    head = await clerk.nominate(MEDAL, medal("何总", id_number(7503), "企业负责人"))
    await clerk.tap("立即填报备选人员")
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("何备选", id_number(7504)))
    await clerk.tap("✔ 确认保存")
    alternate = int(clerk.text.split("已保存：#")[1].split()[0])

    said = await clerk.command(f"/withdraw {alternate}")
    said.expect(f"备选人员不占名额；撤回后 #{head} 须另行推荐备选人员，否则取消其名额。")
    said.expect_not("释放")
    (await clerk.tap("确定撤回")).expect(f"#{head} 须另行推荐备选人员：发送 /status {head} 可填报。")
    (await clerk.command(f"/status {head}")).expect("已保存")
    assert "填报备选人员" in clerk.buttons


async def test_the_alternate_is_offered_on_the_heads_record_once_the_draft_is_done(bot: Harness) -> None:
    clerk = await bot.clerk(7601, "金水区")
    head = await clerk.nominate(MEDAL, medal("何总", id_number(7601), "企业负责人"))
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    await clerk.command(f"/status {head}")
    assert "填报备选人员" in clerk.buttons
    await clerk.tap("填报备选人员")  # another draft is open: it comes first
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 2/21 步。")
    await clerk.tap("删除草稿")
    await clerk.tap("放弃")

    await clerk.command(f"/status {head}")
    await clerk.tap("填报备选人员")
    clerk.expect("郑州市五一劳动奖章 · 备选", "第 1/21 步")


async def test_once_the_alternate_is_entered_the_heads_record_no_longer_offers_one(bot: Harness) -> None:
    clerk = await bot.clerk(7701, "金水区")
    head = await clerk.nominate(MEDAL, medal("何总", id_number(7701), "企业负责人"))
    await clerk.tap("立即填报备选人员")
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("何备选", id_number(7702)))
    (await clerk.tap("✔ 确认保存")).expect("何备选 · 郑州市五一劳动奖章。")
    await clerk.command(f"/status {head}")
    assert "填报备选人员" not in clerk.buttons


async def test_an_old_button_to_enter_an_alternate_that_exists_is_refused_at_once(bot: Harness) -> None:
    clerk = await bot.clerk(7751, "金水区")
    await clerk.nominate(MEDAL, medal("何总", id_number(7751), "企业负责人"))
    offer = clerk.keyboard_message()
    await clerk.tap("立即填报备选人员", on=offer)
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("何备选", id_number(7752)))
    await clerk.tap("✔ 确认保存")
    # the offer under the head's saved message is still on screen: tapping it again says so at once
    (await clerk.tap("立即填报备选人员", on=offer)).expect("该推荐对象已有备选人员。")
    assert clerk.question is None


async def test_an_alternate_is_not_listed_as_holding_a_place(bot: Harness) -> None:
    clerk = await bot.clerk(7801, "金水区")
    await clerk.nominate(MEDAL, medal("何总", id_number(7801), "企业负责人"))
    await clerk.tap("立即填报备选人员")
    await clerk.tap("一线产业工人")
    await clerk.fill(medal("何备选", id_number(7802)))
    await clerk.tap("✔ 确认保存")
    await clerk.command("/list")
    line = next(line for line in clerk.text.splitlines() if "何备选" in line)
    assert "占用名额" not in line, line
