"""/help, /lang, /cancel, unknown commands, outdated and forged buttons, a message Telegram will
not edit, and the apology when something fails inside the bot — in the clerk's language."""

from __future__ import annotations

from aiogram.methods import EditMessageText

from tests.chat.chat import Harness
from tests.chat.conftest import ZHENGZHOU
from tests.chat.people import medal
from tests.nominees import PHOTO, id_number

MEDAL = "五一劳动奖章"
OUTDATED = "此消息已过期，请在最新的消息中操作。"


async def test_help_lists_every_command(bot: Harness) -> None:
    clerk = await bot.clerk(12001, "二七区")
    await clerk.command("/help")
    clerk.expect(
        "命令列表",
        "/new — 填报推荐对象",
        "/quota",
        "/list",
        "/status N",
        "/edit N",
        "/withdraw N",
        "/submit",
        "/deadlines",
        "/lang",
        "/cancel",
    )


async def test_a_clerk_switches_to_english_and_back(bot: Harness) -> None:
    clerk = await bot.clerk(12101, "二七区")
    await clerk.command("/lang")
    assert clerk.buttons == ["中文", "English"]
    (await clerk.tap("English")).expect("The language is now English.")
    (await clerk.command("/help")).expect("Commands", "/new — enter a nominee")
    await clerk.command("/new")
    assert "Zhengzhou May Day Labour Medal · left 4/4" in clerk.buttons
    await clerk.tap("May Day Labour Medal")
    clerk.expect("Step 1/21 · Person category")
    await clerk.tap("Frontline industrial worker")
    clerk.expect("Step 2/21 · Full name")
    await clerk.send("王五")
    await clerk.send("1234")
    clerk.expect("An ID number has 18 characters; you entered 4.", "Step 3/21")
    (await clerk.command("/deadlines")).expect("Initial-review material due: 2024-03-20 (5 days left)")
    bot.clock.advance(days=4)
    (await clerk.command("/deadlines")).expect("(1 day left)")

    await clerk.command("/lang")
    (await clerk.tap("中文")).expect("语言已设置为中文。")
    (await clerk.command("/new")).expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 3/21 步。")


async def test_an_unknown_command_points_to_help(bot: Harness) -> None:
    clerk = await bot.clerk(12201, "二七区")
    (await clerk.command("/frobnicate")).expect("无法识别该命令")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    (await clerk.command("/frobnicate")).expect("无法识别该命令")
    (await clerk.send("李四")).expect("第 3/21 步")  # the form is where it was


async def test_buttons_of_passed_questions_and_forged_presses_are_answered_outdated(bot: Harness) -> None:
    clerk = await bot.clerk(12301, "二七区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("郭守信", id_number(12301)), until="政治面貌")
    id_prompt = next(m for m in clerk.messages() if "第 3/21 步 · 身份证号码" in m.text)

    press = await clerk.tap("◀ 上一步", on=id_prompt)  # its question has passed
    assert press.alert == OUTDATED and not press.messages
    press = await clerk.press(clerk.keyboard_message(), "x" * 40)  # data no button of the bot carries
    assert press.alert == OUTDATED and not press.messages
    await clerk.tap("中共党员")
    clerk.expect("第 6/21 步")


async def test_when_telegram_will_not_edit_a_message_the_question_comes_as_a_new_one(bot: Harness) -> None:
    clerk = await bot.clerk(12401, "二七区")
    await clerk.command("/new")
    bot.session.fail_next(EditMessageText, "Bad Request: message can't be edited")
    reply = await clerk.tap(MEDAL)
    assert reply.answered
    [message] = reply.new_messages
    assert "第 1/21 步 · 人员类别" in message.text


async def test_a_photo_the_disk_failed_to_store_is_said_not_recorded_and_is_sent_again(bot: Harness) -> None:
    clerk = await bot.clerk(12501, "二七区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    answers = medal("秦立新", id_number(12501))
    await clerk.fill(answers, until="照片")
    where = clerk.progress

    with bot.world.failing_disk(), clerk.expecting_apology():
        await clerk.send_photo(PHOTO)
    # the truth: the photo was not stored; what came before it was
    clerk.expect("系统出现异常", "您刚才发送的内容未能记录（此前填写的内容均已保存）", "重新发送")
    assert bot.errors.records, "the failure was not logged"

    await clerk.send_photo(PHOTO)  # sent again once the disk is back: taken, the form goes on
    clerk.expect("照片已收到")
    assert clerk.progress == (where[0] + 1, where[1])
    await clerk.fill(answers)
    clerk.expect("姓名：秦立新")
    (await clerk.tap("✔ 确认保存")).expect("秦立新 · 郑州市五一劳动奖章。")


async def test_the_apology_speaks_the_clerks_chosen_language(bot: Harness) -> None:
    clerk = await bot.clerk(12601, "二七区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("李明", id_number(12601)), until="照片")
    await clerk.command("/lang")
    await clerk.tap("English")
    await clerk.command("/new")
    await clerk.tap("Continue")
    clerk.expect("Photo")

    with bot.world.failing_disk(), clerk.expecting_apology():
        await clerk.send_photo(PHOTO)
    clerk.expect("Sorry, something went wrong on our side: what you just sent was not recorded")


async def test_a_unit_dropped_from_the_allocation_is_told_to_contact_the_office(bot: Harness) -> None:
    clerk = await bot.clerk(12701, "郑东新区")
    await clerk.command("/new")
    text = bot.world.builtin_text(ZHENGZHOU)
    assert text.count('name = "郑东新区"') == 1
    await bot.world.load_definition(text.replace('name = "郑东新区"', 'name = "郑东新区（新）"'))
    (await clerk.command("/quota")).expect("本单位不在（或已不在）本次评选的名额分配之列，请与办公室联系。")
    (await clerk.tap("郑州市五一劳动奖章")).expect("本单位不在（或已不在）本次评选的名额分配之列，请与办公室联系。")


async def test_the_command_menu_is_offered_in_both_languages(bot: Harness) -> None:
    await bot.start()
    zh, en = bot.session.commands[""], bot.session.commands["en"]
    assert zh["new"] == "填报推荐对象" and en["new"] == "Enter a nominee"
    assert (
        set(zh)
        == set(en)
        == {
            "new",
            "quota",
            "list",
            "status",
            "edit",
            "withdraw",
            "submit",
            "template",
            "deadlines",
            "export",
            "lang",
            "help",
            "cancel",
        }
    )
    clerk = await bot.clerk(12801, "二七区")
    for command in zh:  # every command of the menu is known
        reply = await clerk.command(f"/{command}")
        assert reply.text and "无法识别该命令" not in reply.text, reply.text


async def test_a_command_may_name_the_bot(bot: Harness) -> None:
    clerk = await bot.clerk(12901, "二七区")
    (await clerk.command("/help@nominee_bot")).expect("命令列表")
    (await clerk.command("/help@some_other_bot")).expect("无法识别该命令")  # not for this bot
