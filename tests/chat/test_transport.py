"""When Telegram is briefly unavailable: flood waits (429), server errors (5xx), dropped
connections, an update delivered twice. The bot retries (bot.session.Retry, run by the harness's
Bot as by production's, waiting on the test's clock); a clerk never sees both a success and an
apology, and never answers a question that did not reach them. When something fails for good
(every retry, or the bot's own disk), the apology says truthfully whether what the clerk just sent
was recorded."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage

from tests.chat.chat import Chat, Harness
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
FLOOD = "Too Many Requests: retry after {}"
SERVER = "Internal Server Error"
RECORDED = "您刚才的回答已记录，但下一步未能显示"
NOT_RECORDED = "您刚才发送的内容未能记录"
SHOWN_AGAIN = "您上一条回答已记录，但下一步未能送达"


async def at_the_name(bot: Harness, tg_id: int) -> Chat:
    clerk = await bot.clerk(tg_id, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")
    return clerk


async def at_the_summary(bot: Harness, tg_id: int) -> Chat:
    clerk = await bot.clerk(tg_id, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("李秀英", id_number(tg_id, female=True)))
    assert clerk.on_summary
    return clerk


async def test_a_flood_wait_on_the_next_question_is_waited_out_and_the_clerk_gets_it(bot: Harness) -> None:
    clerk = await at_the_name(bot, 13001)
    bot.session.fail_next(SendMessage, FLOOD.format(2), 429, retry_after=2)
    reply = await clerk.send("李秀英")
    reply.expect("第 3/21 步 · 身份证号码")  # and no apology (the harness checks every step)
    assert bot.waits == [2.0]  # exactly as long as Telegram asked


async def test_two_server_errors_on_the_reply_are_retried_and_the_clerk_gets_it(bot: Harness) -> None:
    clerk = await at_the_name(bot, 13002)
    bot.session.fail_next(SendMessage, SERVER, 500, times=2)
    (await clerk.send("李秀英")).expect("第 3/21 步 · 身份证号码")
    assert len(bot.waits) == 2 and bot.waits[0] < bot.waits[1]  # backing off


async def test_a_connection_dropped_after_the_save_shows_saved_once_and_no_apology(bot: Harness) -> None:
    clerk = await at_the_summary(bot, 13003)
    bot.session.drop_next(EditMessageText)  # the saved card is the summary, edited
    saved = await clerk.tap("✔ 确认保存")
    assert len([s for s in saved.messages if "已保存：#1" in s.text]) == 1
    (await clerk.command("/list")).expect("李秀英")


async def test_an_edit_done_before_its_connection_dropped_is_not_shown_twice(bot: Harness) -> None:
    clerk = await at_the_summary(bot, 13004)
    bot.session.drop_next(EditMessageText, performed=True)  # Telegram edited; its reply was lost
    saved = await clerk.tap("✔ 确认保存")
    assert len([s for s in saved.messages if "已保存：#1" in s.text]) == 1
    assert len([m for m in clerk.messages() if "已保存：#1" in m.text]) == 1


async def test_a_question_sent_before_its_connection_dropped_may_come_twice_and_either_copy_works(
    bot: Harness,
) -> None:
    # After a dropped connection nobody knows whether Telegram sent the message: it is sent again.
    # Twice is preferred to never; both copies are the same step with the same buttons.
    clerk = await at_the_name(bot, 13010)
    bot.session.drop_next(SendMessage, performed=True)
    await clerk.send("李秀英")
    copies = [m for m in clerk.messages() if "第 3/21 步 · 身份证号码" in m.text]
    assert len(copies) == 2 and copies[0].keyboard == copies[1].keyboard
    (await clerk.tap("◀ 上一步", on=copies[0])).expect("第 2/21 步 · 姓名")


async def test_a_press_delivered_twice_acts_once_and_the_second_is_answered_quietly(bot: Harness) -> None:
    clerk = await at_the_summary(bot, 13005)
    (await clerk.tap("✔ 确认保存")).expect("已保存：#1 李秀英")
    again = await clerk.again()  # the same press once more: already answered, the draft is gone
    assert again.said == []  # nothing at all: no second save, no "outdated", no apology
    listed = await clerk.command("/list")
    assert listed.text.count("李秀英") == 1

    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    assert (await clerk.again()).said == []  # a category press twice: the form does not move twice
    (await clerk.send("张伟")).expect("第 3/21 步 · 身份证号码")


async def test_when_every_retry_fails_the_clerk_is_told_it_was_recorded_and_the_question_comes_again(
    bot: Harness,
) -> None:
    clerk = await at_the_name(bot, 13006)
    bot.session.fail_next(SendMessage, SERVER, 500, times=4)  # every try of the next question
    with clerk.expecting_apology():
        reply = await clerk.send("李秀英")
    reply.expect(RECORDED)
    reply.expect_not("第 3/21 步")
    assert sum(bot.waits) <= 30

    # the clerk never saw step 3: what they send now is not taken as its answer
    again = await clerk.send("李秀英")
    again.expect(SHOWN_AGAIN, "第 3/21 步 · 身份证号码")
    assert clerk.progress == (3, 21)
    (await clerk.send(id_number(13006, female=True))).expect("第 4/21 步 · 民族")


async def test_a_flood_wait_too_long_to_wait_in_the_chat_is_not_waited(bot: Harness) -> None:
    clerk = await at_the_name(bot, 13007)
    bot.session.fail_next(SendMessage, FLOOD.format(120), 429, retry_after=120)
    with clerk.expecting_apology():
        (await clerk.send("李秀英")).expect(RECORDED)
    assert bot.waits == []
    (await clerk.send("你好")).expect(SHOWN_AGAIN, "第 3/21 步 · 身份证号码")


async def test_a_press_that_cannot_be_answered_is_said_not_recorded_and_can_be_pressed_again(bot: Harness) -> None:
    clerk = await bot.clerk(13008, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    bot.session.fail_next(AnswerCallbackQuery, SERVER, 502, times=4)  # before anything is stored
    with clerk.expecting_apology():
        (await clerk.tap("一线产业工人")).expect(NOT_RECORDED, "重新发送")
    assert clerk.question is None or clerk.question.startswith("人员类别")
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")


async def test_an_answer_typed_while_the_disk_is_full_is_said_not_recorded_and_is_taken_when_sent_again(
    bot: Harness,
) -> None:
    clerk = await at_the_name(bot, 13009)
    with bot.world.full_disk(), clerk.expecting_apology():
        reply = await clerk.send("李秀英")
    reply.expect(NOT_RECORDED, "重新发送")
    reply.expect_not("已记录")
    (await clerk.send("李秀英")).expect("第 3/21 步 · 身份证号码")  # the disk has room again
    await clerk.fill(medal("李秀英", id_number(13009, female=True)))
    (await clerk.tap("✔ 确认保存")).expect("已保存：#1 李秀英")
