"""Never losing work: after a long pause or a restart of the bot the clerk is first offered to
continue the draft; buttons of older messages are taken when they still belong to the current
question and called outdated otherwise; an older summary card never saves."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
OUTDATED = "此消息已过期，请在最新的消息中操作。"
OFFER = "您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 4/21 步。是否从中断处继续填报？"


async def test_after_a_long_pause_the_next_message_first_offers_to_continue(bot: Harness) -> None:
    clerk = await bot.clerk(9001, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("郭守信", id_number(9001)), until="民族")

    bot.clock.advance(minutes=45)  # lunch
    offer = await clerk.send("回族")
    offer.expect(OFFER)
    assert offer.buttons == ["继续填写", "删除草稿"]
    await clerk.tap("继续填写")
    clerk.expect("第 4/21 步 · 民族")  # 回族 was not taken unseen
    await clerk.send("回族")
    clerk.expect("第 5/21 步 · 政治面貌")


async def test_a_short_pause_is_no_interruption(bot: Harness) -> None:
    clerk = await bot.clerk(9101, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("郭守信", id_number(9101)), until="民族")
    bot.clock.advance(minutes=20)
    await clerk.send("回族")
    clerk.expect("第 5/21 步 · 政治面貌")


async def test_after_a_restart_the_clerk_continues_and_old_buttons_are_judged_by_their_question(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(9201, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    answers = medal("郭守信", id_number(9201))
    await clerk.fill(answers, until="民族")
    ethnicity_prompt = clerk.keyboard_message()
    name_prompt = next(m for m in clerk.messages() if "第 2/21 步 · 姓名" in m.text)  # the award menu, edited

    await bot.restart()

    await clerk.send("回族")
    clerk.expect(OFFER)
    assert clerk.buttons == ["继续填写", "删除草稿"]
    # a button from before the restart: outdated when its question has passed…
    assert (await clerk.tap("◀ 上一步", on=name_prompt)).alert == OUTDATED
    # …taken when it still is the current question
    await clerk.tap("回族", on=ethnicity_prompt)
    clerk.expect("第 5/21 步 · 政治面貌")

    await clerk.command("/new")
    clerk.expect("停留在第 5/21 步")
    await clerk.tap("继续填写")
    clerk.expect("第 5/21 步 · 政治面貌")
    await clerk.fill(answers)
    clerk.expect("姓名：郭守信", "民族：回族")
    (await clerk.tap("✔ 确认保存")).expect("郭守信 · 郑州市五一劳动奖章。", "本单位剩余 5 个名额")


async def test_a_summary_left_before_a_restart_is_offered_again_and_its_card_saves_once(bot: Harness) -> None:
    clerk = await bot.clerk(9301, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("韩梅", id_number(9301, female=True)))
    card = clerk.keyboard_message()

    await bot.restart()

    await clerk.command("/new")
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在信息核对页。")
    offer = clerk.keyboard_message()
    confirm = card.button("确认保存").data
    assert confirm is not None
    saved = await clerk.press(card, confirm)  # the card from before the restart is still current
    assert saved.notice == "正在核验并保存…"
    saved.expect("韩梅 · 郑州市五一劳动奖章。")
    assert (await clerk.press(card, confirm)).alert == OUTDATED  # tapped twice: saved once
    await clerk.command("/list")
    assert clerk.text.count("韩梅") == 1

    # the offer, answered after the draft is gone
    keep, discard = offer.button("继续填写").data, offer.button("删除草稿").data
    assert keep is not None and discard is not None
    (await clerk.press(offer, discard)).expect("该草稿已不存在。")
    (await clerk.press(offer, keep)).expect("该草稿已不存在。")


async def test_an_older_summary_card_cannot_save_answers_it_does_not_show(bot: Harness) -> None:
    clerk = await bot.clerk(9401, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("钱学军", id_number(9401)))
    old_card = clerk.keyboard_message()
    await clerk.tap("✎ 姓名")
    await clerk.send("钱学民")
    clerk.expect("请核对填报信息", "姓名：钱学民")

    assert (await clerk.tap("✔ 确认保存", on=old_card)).alert == OUTDATED  # the old card still reads 钱学军
    (await clerk.command("/list")).expect("本单位尚未填报推荐对象")
    (await clerk.tap("✔ 确认保存")).expect("已保存：#1 钱学民")


async def test_an_old_offer_to_continue_cannot_delete_a_later_draft_in_one_tap(bot: Harness) -> None:
    clerk = await bot.clerk(9501, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    old_offer = (await clerk.command("/new")).shown  # not answered: the clerk just goes on typing
    assert old_offer is not None
    await clerk.send("冯老师")
    clerk.expect("第 3/21 步 · 身份证号码")
    await clerk.command("/cancel")
    await clerk.tap("放弃")
    await clerk.command("/new")  # another nominee
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    await clerk.send("陈工")

    offer = next(m for m in clerk.messages() if m.message_id == old_offer.message_id)
    await clerk.tap("删除草稿", on=offer)
    clerk.expect("您正在填报：")  # asked, not deleted
    await clerk.tap("继续填写")
    clerk.expect("第 3/21 步 · 身份证号码")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：陈工")
