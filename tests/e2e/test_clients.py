"""What real Telegram clients send, against the real bot process and the local Bot API server
(issue 9, items 1–3): the bot in a group and a channel, messages that are not text (stickers,
voice, video notes, locations, polls, dice, forwards, a shared contact, an album), and edited
messages."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import BotStack, Clerk, medal_answers
from tests.nominees import PHOTO, id_number, jpeg
from tgserver.client import BotEvent

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"
PRIVATE_ONLY = "本机器人仅在私聊中办理推荐填报"
NOT_TEXT = "请以文字形式填写。"


async def reaction(clerk: Clerk, seq: int, what: str) -> list[BotEvent]:
    """What the bot did in the clerk's chat after ``seq`` (at least one message)."""
    return await clerk._collect(seq, what, press=False)


async def in_chat(stack: BotStack, chat_id: int, seq: int) -> list[str]:
    """The texts the bot sent to the chat ``chat_id`` after ``seq``, once it has been quiet a while."""
    events = await stack.sb.collect(chat_id, seq, timeout=3.0, quiet=0.5)
    return [e.text or "" for e in events if e.kind == "message"]


async def test_the_bot_asks_for_the_updates_real_clients_send(stack: BotStack) -> None:
    allowed = (await stack.sb.state())["allowed_updates"]
    assert {"message", "edited_message", "callback_query", "channel_post"} <= set(allowed)


async def test_in_a_group_and_a_channel_the_bot_says_once_to_use_a_private_chat_and_shows_nothing(
    stack: BotStack,
) -> None:
    clerk = await stack.clerk(390101, "金水区")
    number = await stack.save_in_process(clerk.user_id, "medal", medal_answers("赵红梅", id_number(39011, female=True)))
    await clerk.start_nominee(MEDAL)
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")

    group = -1003901010001
    said = await in_chat(stack, group, await stack.sb.group(group, clerk.user_id, title="金水区工会填报群"))
    assert len(said) == 1 and PRIVATE_ONLY in said[0], said  # told when brought in
    for text in (f"/status {number}", "/list", "孙立新"):
        assert await in_chat(stack, group, await stack.sb.send_in_group(group, clerk.user_id, text)) == []

    channel = -1003901010002
    assert await in_chat(stack, channel, await stack.sb.group(channel, clerk.user_id, kind="channel")) == []
    said = await in_chat(stack, channel, await stack.sb.send_in_group(channel, clerk.user_id, "/quota"))
    assert len(said) == 1 and PRIVATE_ONLY in said[0], said
    assert await in_chat(stack, channel, await stack.sb.send_in_group(channel, clerk.user_id, "/quota")) == []

    # the private draft is untouched: the name is still asked there
    await clerk.say("孙立新")
    clerk.expect("第 3/21 步 · 身份证号码")
    events = [e for chat in (group, channel) for e in await stack.sb.messages(chat)]
    assert not any("赵红梅" in (e.text or "") or "金水区" in (e.text or "") for e in events)


async def test_what_a_phone_sends_besides_text_gets_the_question_again_a_contact_answers_the_phone(
    stack: BotStack,
) -> None:
    clerk = await stack.clerk(390201, "金水区")
    answers = medal_answers("钱桂兰", id_number(39021, female=True))
    stack.ids.add(answers["id_number"])
    await clerk.start_nominee(MEDAL)
    await clerk.fill(answers, until="employer")
    where = clerk.progress
    sb = stack.sb
    for kind in ("sticker", "voice", "video_note", "video", "audio", "animation", "location", "venue", "poll", "dice"):
        await reaction(clerk, await sb.send_other(clerk.user_id, kind), kind)
        clerk.expect(NOT_TEXT, "工作单位及职务")
        assert "无法识别该命令" not in clerk.text and clerk.progress == where, kind
    await reaction(clerk, await sb.forward_text(clerk.user_id, "郑州市某机械厂 车间主任"), "a forward")
    clerk.expect("转发的消息不作为回答", "工作单位及职务")
    assert clerk.progress == where

    await clerk.fill(answers, until="phone")
    await reaction(
        clerk, await sb.send_contact(clerk.user_id, "8613912345678", "钱桂兰", contact_user_id=4242), "a contact"
    )
    clerk.expect("简要事迹")

    await clerk.fill(answers, until="photo")
    where = clerk.progress
    seq = await sb.send_album(clerk.user_id, [PHOTO, jpeg(640, 900), jpeg(600, 800)])
    events = await sb.collect(clerk.user_id, seq, timeout=20.0, quiet=1.0, min_events=2)
    said = [e.text or "" for e in events if e.kind == "message"]
    assert len(said) == 2, said
    assert "照片已收到" in said[0] and "已采用所发多张图片中的第一张" in said[1], said
    assert f"第 {where[0] + 1}/" in said[0] and f"第 {where[0] + 1}/" in said[1]  # the next question, unanswered


async def test_an_edited_last_answer_replaces_it_an_edited_older_one_points_to_the_summary(stack: BotStack) -> None:
    clerk = await stack.clerk(390301, "金水区")
    answers = medal_answers("李秀英", id_number(39031, female=True))
    stack.ids.add(answers["id_number"])
    await clerk.start_nominee(MEDAL)
    await clerk.fill(answers, until="name")
    await clerk.say("李秀瑛")
    assert stack.sb.last_sent is not None
    name_message = int(stack.sb.last_sent["message_id"])
    clerk.expect("第 3/21 步 · 身份证号码")

    await reaction(clerk, await stack.sb.edit(clerk.user_id, name_message, "李秀英"), "an edit")
    clerk.expect("您修改了“姓名”的回答，现按修改后的内容重新核对。", "第 3/21 步 · 身份证号码")
    await clerk.say(answers["id_number"])
    clerk.expect("第 4/21 步 · 民族")

    await reaction(clerk, await stack.sb.edit(clerk.user_id, name_message, "王五"), "an edit of an older answer")
    clerk.expect("您修改的是此前的回答（“姓名”），该项未作变更", "第 4/21 步 · 民族")
    await clerk.fill(answers)
    clerk.expect("姓名：李秀英")
    assert "王五" not in clerk.text
