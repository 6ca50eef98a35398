"""What real Telegram clients send besides one typed answer in a private chat (issue 9, items 1–3):
messages in groups and channels, stickers, voice, locations, polls, contacts, forwards, albums,
and edited messages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.chat import Chat, Harness
from tests.chat.people import medal
from tests.nominees import PHOTO, id_number

MEDAL = "五一劳动奖章"
PRIVATE_ONLY = "本机器人仅在私聊中办理推荐填报"
NOT_TEXT = "请以文字形式填写。"
UNKNOWN = "无法识别该命令"
GROUP: dict[str, Any] = {"id": -1001234567890, "type": "supergroup", "title": "金水区工会填报工作群"}
SMALL_GROUP: dict[str, Any] = {"id": -4012345, "type": "group", "title": "评选工作小组"}
CHANNEL: dict[str, Any] = {"id": -1009876543210, "type": "channel", "title": "郑州市总工会通知"}


def file(n: int, **more: Any) -> dict[str, Any]:
    return {"file_id": f"other-{n}", "file_unique_id": f"o{n}"} | more


# What a phone sends besides text: (what, the message's content as the Bot API gives it)
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("a sticker", {"sticker": file(1, type="regular", width=512, height=512, is_animated=False, is_video=False)}),
    ("a voice message", {"voice": file(2, duration=4, mime_type="audio/ogg")}),
    ("a video note", {"video_note": file(3, length=240, duration=6)}),
    ("a video", {"video": file(4, width=640, height=480, duration=9)}),
    ("an audio file", {"audio": file(5, duration=180)}),
    ("an animation", {"animation": file(6, width=320, height=240, duration=2)}),
    ("a location", {"location": {"latitude": 34.7466, "longitude": 113.6253}}),
    (
        "a venue",
        {
            "venue": {
                "location": {"latitude": 34.7466, "longitude": 113.6253},
                "title": "郑州市总工会",
                "address": "郑州市金水区",
            }
        },
    ),
    (
        "a poll",
        {
            "poll": {
                "id": "5001",
                "question": "推荐谁？",
                "options": [
                    {"persistent_id": "a", "text": "甲", "voter_count": 0},
                    {"persistent_id": "b", "text": "乙", "voter_count": 0},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
    ),
    ("a dice", {"dice": {"emoji": "🎲", "value": 4}}),
]


def contact(phone: str, first_name: str = "王建国", user_id: int | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    if user_id is not None:
        card["user_id"] = user_id
    return {"contact": card}


def forwarded(text: str) -> dict[str, Any]:
    return {"text": text, "forward_origin": {"type": "hidden_user", "date": 1710460000, "sender_user_name": "李明"}}


def album_photo(chat: Chat, group: str) -> dict[str, Any]:
    upload = chat.session.upload(PHOTO, "jpg")
    size = {"file_id": upload.file_id, "file_unique_id": upload.unique_id, "file_size": len(PHOTO)}
    return {"photo": [size | {"width": 300, "height": 420}], "media_group_id": group}


async def at_question(bot: Harness, tg_id: int, until: str) -> Chat:
    """A clerk of 金水区 entering a medal nominee, at the question ``until``."""
    clerk = await bot.clerk(tg_id, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("李秀英", id_number(9, female=True)), until=until)
    return clerk


# ------------------------------------------------------------------------------ 1. groups


async def test_a_record_asked_for_in_a_group_is_not_posted_there_the_group_is_told_once(bot: Harness) -> None:
    clerk = await bot.clerk(9101, "金水区")
    number = await clerk.nominate(MEDAL, medal("赵红梅", id_number(11, female=True)))
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")

    said = await clerk.in_group(GROUP, {"text": f"/status {number}"})
    said.expect(PRIVATE_ONLY, "@nominee_bot")
    said.expect_not("赵红梅", "金水区", "4101")
    assert len(said.messages) == 1

    # once per chat: the next messages there get no answer at all, whoever sends them
    assert not (await clerk.in_group(GROUP, {"text": "/list"})).said
    colleague = bot.chat(9102, name="同事")
    assert not (await colleague.in_group(GROUP, {"text": "王小明"})).said
    assert not (await clerk.in_group(GROUP, {"text": "王小明"}, kind="edited_message")).said

    # nothing said in the group touched the clerk's draft: the name is still asked in private
    await clerk.send("孙立新")
    clerk.expect("第 3/21 步 · 身份证号码")
    await clerk.command("/status 1")
    clerk.expect("赵红梅")


async def test_every_group_and_channel_is_told_once_and_a_restart_does_not_repeat_it(bot: Harness) -> None:
    clerk = await bot.clerk(9103, "金水区")
    (await clerk.in_group(SMALL_GROUP, {"text": "/new"})).expect(PRIVATE_ONLY)
    (await clerk.in_group(CHANNEL, {"text": "/quota"}, kind="channel_post")).expect(PRIVATE_ONLY)
    # a sticker is no different there
    assert not (await clerk.in_group(CHANNEL, dict(KINDS[0][1]), kind="channel_post")).said

    await bot.restart()  # "told" lives in the FSM storage (the database), not in the process
    assert not (await clerk.in_group(SMALL_GROUP, {"text": "/new"})).said
    assert not (await clerk.in_group(CHANNEL, {"text": "/quota"}, kind="channel_post")).said
    # an unknown user in a group is not told how to join either: only that this chat is not served
    stranger = bot.chat(9104, name="路人")
    said = await stranger.in_group(GROUP, {"text": "invite-code-123"})
    said.expect(PRIVATE_ONLY)
    said.expect_not("邀请码")


async def test_a_button_pressed_in_a_group_is_answered_for_the_presser_only(bot: Harness) -> None:
    clerk = await bot.clerk(9105, "金水区")
    await clerk.command("/list")
    message = clerk.shown
    # the same message as if it had been posted in a group (before this fix, or by a forwarder)
    query_id = bot.next_query_id()
    query = {
        "id": query_id,
        "from": clerk.user,
        "chat_instance": "group",
        "message": {
            "message_id": message.message_id,
            "date": 1710468000,
            "chat": GROUP,
            "text": message.text,
        },
        "data": "it:show:1",
    }
    bot.session.open_query(query_id, GROUP["id"])
    said = await clerk._deliver({"callback_query": query}, "a press in a group", chat_id=GROUP["id"])
    assert PRIVATE_ONLY in said.alert
    assert not said.messages


# ------------------------------------------------------------------------------ 2. not text


@pytest.mark.parametrize(("what", "content"), KINDS, ids=[what for what, _ in KINDS])
async def test_a_message_that_is_not_text_at_a_text_question_asks_for_text_and_repeats_the_question(
    bot: Harness, what: str, content: dict[str, Any]
) -> None:
    clerk = await at_question(bot, 9201, "工作单位及职务")
    where = clerk.progress
    said = await clerk.send_content(content, what)
    said.expect(NOT_TEXT, "工作单位及职务")
    said.expect_not(UNKNOWN)
    assert clerk.progress == where
    await clerk.send("郑州市某机械厂 车间主任")
    assert clerk.progress[0] == where[0] + 1


async def test_not_text_at_a_choice_or_the_photo_question_says_what_that_question_wants(bot: Harness) -> None:
    clerk = await at_question(bot, 9202, "民族")
    (await clerk.send_content(KINDS[0][1], "a sticker")).expect("请点击下方按钮选择", "民族")
    await clerk.fill(medal("李秀英", id_number(9, female=True)), until="照片")
    (await clerk.send_content(KINDS[1][1], "a voice message")).expect("请发送照片", "照片")
    # outside any draft: a short help, never "unknown command"
    said = await (await bot.clerk(9206, "金水区")).send_content(KINDS[6][1], "a location")
    said.expect("本机器人无法处理此类消息", "/new")
    said.expect_not(UNKNOWN)


async def test_a_forwarded_text_is_not_taken_as_the_answer(bot: Harness) -> None:
    clerk = await at_question(bot, 9203, "工作单位及职务")
    where = clerk.progress
    said = await clerk.send_content(forwarded("郑州市某机械厂 车间主任"), "a forwarded text")
    said.expect("转发的消息不作为回答，请直接输入本题的回答", "工作单位及职务")
    assert clerk.progress == where
    # a forwarded command is not run either
    (await clerk.send_content(forwarded("/status 1"), "a forwarded command")).expect("转发的消息不作为回答")


async def test_a_shared_contact_at_the_phone_question_is_the_phone_answer(bot: Harness) -> None:
    clerk = await at_question(bot, 9204, "联系电话")
    # a contact card of somebody else, with a number the way Telegram gives it (no +)
    said = await clerk.send_content(contact("12345", user_id=777), "a contact with a wrong number")
    said.expect("电话号码格式不正确", "联系电话")
    await clerk.send_content(contact("8613912345678", user_id=777), "the nominee's contact")
    clerk.expect("简要事迹")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：139****5678")
    # a Hong Kong resident's card: Telegram gives 852 and the number glued, without +
    await clerk.send_content(contact("85291234567", user_id=778), "a Hong Kong contact")
    clerk.expect("简要事迹")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：+852-****4567")


async def test_a_contact_at_another_question_is_not_an_answer(bot: Harness) -> None:
    clerk = await at_question(bot, 9205, "工作单位及职务")
    said = await clerk.send_content(contact("13912345678"), "a contact")
    said.expect(NOT_TEXT, "工作单位及职务")


async def test_of_an_album_at_the_photo_question_the_first_photo_is_used_and_the_rest_noted_once(
    bot: Harness,
) -> None:
    clerk = await at_question(bot, 9207, "照片")
    where = clerk.progress
    first = await clerk.send_content(album_photo(clerk, "album-1"), "album photo 1")
    first.expect("照片已收到")
    after = clerk.progress
    assert after[0] == where[0] + 1
    second = await clerk.send_content(album_photo(clerk, "album-1"), "album photo 2")
    second.expect("已采用所发多张图片中的第一张，其余图片无需提交。")
    second.expect_not(NOT_TEXT, "照片已收到")
    assert clerk.progress == after  # the next question was not answered by photo 2
    third = await clerk.send_content(album_photo(clerk, "album-1"), "album photo 3")
    assert not third.said
    # a later album at a text question: its first photo is refused once, the rest say nothing
    (await clerk.send_content(album_photo(clerk, "album-2"), "another album")).expect("请点击下方按钮进行选择")
    assert not (await clerk.send_content(album_photo(clerk, "album-2"), "its photo 2")).said


# ------------------------------------------------------------------------------ 3. edited messages


async def test_editing_the_last_answer_replaces_it_and_shows_the_current_question_again(bot: Harness) -> None:
    clerk = await at_question(bot, 9301, "姓名")
    await clerk.send("李秀瑛")
    name_message = clerk.sent[-1]
    clerk.expect("第 3/21 步 · 身份证号码")

    said = await clerk.edit(name_message, "李秀英")
    said.expect("您修改了“姓名”的回答，现按修改后的内容重新核对。", "第 3/21 步 · 身份证号码")
    await clerk.tap("◀ 上一步")
    clerk.expect("第 2/21 步 · 姓名", "当前填写：李秀英")


async def test_an_edit_that_fails_the_check_asks_that_question_again(bot: Harness) -> None:
    clerk = await at_question(bot, 9302, "姓名")
    await clerk.send("李秀英")
    name_message = clerk.sent[-1]
    said = await clerk.edit(name_message, "李3")
    said.expect("您修改了“姓名”的回答", "姓名可使用汉字", "第 2/21 步 · 姓名")
    # corrected by editing once more, or by typing: the name question is answered
    await clerk.edit(name_message, "李秀芳")
    clerk.expect("第 3/21 步 · 身份证号码")


async def test_a_refused_answer_corrected_by_editing_it_is_taken(bot: Harness) -> None:
    clerk = await at_question(bot, 9303, "身份证号码")
    number = id_number(9, female=True)
    await clerk.send(number[:17] + ("0" if number[17] != "0" else "1"))
    wrong = clerk.sent[-1]
    clerk.expect("校验位")
    await clerk.edit(wrong, number)
    clerk.expect("身份证号码已录入", "第 4/21 步 · 民族")


async def test_editing_an_older_answer_points_to_the_summary_and_changes_nothing(bot: Harness) -> None:
    clerk = await at_question(bot, 9304, "姓名")
    await clerk.send("李秀英")
    name_message = clerk.sent[-1]
    await clerk.send(id_number(9, female=True))
    clerk.expect("第 4/21 步 · 民族")

    said = await clerk.edit(name_message, "王五")
    said.expect("您修改的是此前的回答（“姓名”），该项未作变更", "✎", "第 4/21 步 · 民族")
    await clerk.fill(medal("李秀英", id_number(9, female=True)))
    clerk.expect("姓名：李秀英")
    clerk.expect_not("王五")


async def test_an_edited_command_or_a_message_that_answered_nothing_is_not_read(bot: Harness) -> None:
    clerk = await bot.clerk(9305, "金水区")
    await clerk.command("/quota")
    said = await clerk.edit(clerk.sent[-1], "/list")
    said.expect("已发送的消息修改后不会被重新读取")
    said.expect_not("推荐名单")


async def test_an_answer_changed_from_the_summary_is_edited_with_the_summary_on_screen(bot: Harness) -> None:
    clerk = await at_question(bot, 9306, "姓名")
    await clerk.fill(medal("李秀英", id_number(9, female=True)))
    await clerk.tap("✎ 姓名")
    await clerk.send("李秀瑛")
    changed = clerk.sent[-1]
    clerk.expect("请核对填报信息", "姓名：李秀瑛")

    said = await clerk.edit(changed, "李秀英")
    said.expect("您修改了“姓名”的回答", "请核对填报信息", "姓名：李秀英")
    assert "✔ 确认保存" in clerk.buttons
