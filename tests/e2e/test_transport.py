"""When Telegram is briefly unavailable, end to end: the real bot process against the local Bot API
server, which makes the bot's next calls fail with a flood wait (429 retry_after), a server error
(500), or a connection that drops, and delivers a button press twice.

The bot's one retrying request middleware (bot.session.Retry) gets every reply through: the clerk
sees the next question or "已保存" exactly once, never an apology, and the bot logs no error
(checked for the whole module when its stack stops).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import HANGKONGGANG, BotStack, Clerk, medal_answers
from tests.nominees import id_number

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"


async def at_the_name(stack: BotStack, user_id: int) -> Clerk:
    clerk = await stack.clerk(user_id, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")
    return clerk


async def at_the_summary(stack: BotStack, user_id: int, name: str) -> Clerk:
    clerk = await stack.clerk(user_id, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    await clerk.fill(medal_answers(name, id_number(user_id)))
    assert clerk.on_summary
    return clerk


async def saved_cards(stack: BotStack, clerk: Clerk) -> list[str]:
    return [m.text or "" for m in await stack.sb.messages(clerk.user_id) if "已保存：" in (m.text or "")]


async def calls(stack: BotStack, method: str) -> int:
    return int((await stack.sb.state())["method_calls"].get(method, 0))


async def test_a_flood_wait_on_the_next_question_is_waited_out(stack: BotStack) -> None:
    clerk = await at_the_name(stack, 410101)
    await stack.sb.flood_wait("sendMessage", retry_after=2)
    await clerk.answer("秦立新")
    clerk.expect("第 3/21 步 · 身份证号码")  # and no apology: every step of a Clerk checks it
    assert (await stack.sb.state())["failures"] == {}


async def test_two_server_errors_on_the_reply_are_retried(stack: BotStack) -> None:
    clerk = await at_the_name(stack, 410102)
    await stack.sb.server_error("sendMessage", count=2)
    await clerk.answer("秦立新")
    clerk.expect("第 3/21 步 · 身份证号码")
    assert (await stack.sb.state())["failures"] == {}


async def test_a_connection_dropped_after_the_save_shows_saved_once(stack: BotStack) -> None:
    clerk = await at_the_summary(stack, 410103, "黄晓燕")
    await stack.sb.drop_connection("editMessageText")  # the summary card becomes the saved notice
    await clerk.tap("✔ 确认保存")
    clerk.expect("已保存：", "黄晓燕")
    assert len(await saved_cards(stack, clerk)) == 1

    clerk = await at_the_summary(stack, 410104, "王建国")
    await stack.sb.drop_connection("editMessageText", performed=True)  # edited; the reply was lost
    await clerk.tap("✔ 确认保存")
    clerk.expect("已保存：", "王建国")
    assert len(await saved_cards(stack, clerk)) == 1


async def test_a_press_delivered_twice_acts_once_without_an_apology(stack: BotStack) -> None:
    clerk = await at_the_summary(stack, 410105, "刘德明")
    await clerk.tap("✔ 确认保存")
    clerk.expect("已保存：", "刘德明")

    answers = await calls(stack, "answerCallbackQuery")
    seq = await stack.sb.redeliver()  # the same press once more
    async with asyncio.timeout(20):
        while await calls(stack, "answerCallbackQuery") == answers:  # until the bot has handled it
            await asyncio.sleep(0.02)  # polling the server's counter, not waiting for time to pass
    await stack.sb.expect_silence(clerk.user_id, seq, period=0.3)  # not saved again, no apology
    assert len(await saved_cards(stack, clerk)) == 1
    await clerk.say("/list")
    assert clerk.text.count("刘德明") == 1
