"""A text longer than one Telegram message (4,096 characters) arrives as several messages sent
in the same second or two: once the first part is refused as too long, the parts that follow are
refused as its rest — never taken as the answer — while a text sent later is a new answer."""

from __future__ import annotations

from datetime import timedelta

from tests.chat.chat import Chat, Harness
from tests.chat.people import medal
from tests.nominees import id_number

TOO_LONG = "内容过长：当前 4096 字，最多允许 2200 字。"
REST = "本条消息为上一段超长文字被 Telegram 自动拆分后的后续部分"
SHORTEN = "请将全文精简至 2200 字以内后重新发送。"


async def at_the_deeds(bot: Harness, tg_id: int) -> tuple[Chat, tuple[int, int]]:
    clerk = await bot.clerk(tg_id, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap("五一劳动奖章")
    await clerk.fill(medal("谢知远", id_number(tg_id)), until="简要事迹")
    return clerk, clerk.progress


async def test_5000_characters_pasted_as_the_deeds_are_not_taken_in_parts(bot: Harness) -> None:
    clerk, where = await at_the_deeds(bot, 11001)
    sent = bot.clock()
    (await clerk.send("长" * 4096, at=sent)).expect(TOO_LONG)
    rest = await clerk.send("长" * 904, at=sent)  # the same second: the rest of the paste
    rest.expect(REST, SHORTEN)
    assert clerk.progress == where

    bot.clock.advance(seconds=30)  # the clerk shortens the text and sends it again
    await clerk.send("长" * 904)
    assert clerk.progress == (where[0] + 1, where[1])
    await clerk.tap("◀ 上一步")
    clerk.expect("（共 904 字）")


async def test_a_paste_in_three_parts_is_refused_whole(bot: Harness) -> None:
    clerk, where = await at_the_deeds(bot, 11101)
    sent = bot.clock()
    (await clerk.send("长" * 4096, at=sent)).expect(TOO_LONG)
    (await clerk.send("长" * 4096, at=sent + timedelta(seconds=1))).expect(REST)  # dated a second later
    (await clerk.send("长" * 808, at=sent + timedelta(seconds=1))).expect(REST)
    assert clerk.progress == where
    bot.clock.advance(seconds=5)
    await clerk.send("长" * 808)
    assert clerk.progress[0] == where[0] + 1


async def test_a_short_text_sent_seconds_after_a_refused_paste_is_a_new_answer(bot: Harness) -> None:
    clerk, where = await at_the_deeds(bot, 11201)
    sent = bot.clock()
    await clerk.send("长" * 4096, at=sent)
    await clerk.send("长" * 150, at=sent + timedelta(seconds=5))
    assert clerk.progress[0] == where[0] + 1


async def test_the_rest_of_a_paste_at_another_question_is_not_its_answer_either(bot: Harness) -> None:
    clerk = await bot.clerk(11301, "航空港经济综合试验区")
    await clerk.command("/new")
    await clerk.tap("五一劳动奖章")
    await clerk.fill(medal("谢知远", id_number(11301)), until="曾获最高荣誉")  # optional, at most 100 characters
    where = clerk.progress
    sent = bot.clock()
    await clerk.send("全国五一劳动奖章" * 512, at=sent)
    rest = await clerk.send("省级", at=sent)
    rest.expect(REST)
    assert clerk.progress == where
