"""Every kind of question: what is accepted as typed, what is refused and why, and the rules
that ask for a reason or refuse the nominee outright. A refused answer leaves the form where it
was: the same question comes again, with the reason above it."""

from __future__ import annotations

from core.idcard import check_digit
from tests.chat.chat import Chat, Harness
from tests.chat.people import masked, medal, team
from tests.nominees import DEEDS, id_number

MEDAL = "五一劳动奖章"
CHOOSE = "请点击下方按钮进行选择"
WORDS = "请以文字填写：正式材料中不得使用表情符号"
NUMBER = id_number(3001)


async def at(clerk: Chat, question: str, answers: dict[str, object] | None = None) -> tuple[int, int]:
    """The clerk's new medal nominee, answered up to ``question``; its step counter."""
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(answers or medal("欧阳·娜仁", NUMBER), until=question)
    return clerk.progress


async def refused(clerk: Chat, answer: str, *reason: str) -> None:
    """``answer`` is refused with ``reason`` and the question stays on screen."""
    where = clerk.progress
    reply = await clerk.send(answer)
    assert reply.text.strip(), f"no answer to {answer[:20]!r}"
    reply.expect(*reason)
    assert clerk.progress == where, f"{answer[:20]!r} moved the form:\n{reply.text}"


async def test_names_are_checked_as_they_are_typed(bot: Harness) -> None:
    clerk = await bot.clerk(3001, "金水区")
    await at(clerk, "姓名")
    await refused(clerk, "张3", "姓名可使用汉字")
    await refused(clerk, "王" * 40, "姓名应为")
    await refused(clerk, "Mr.😀", "姓名可使用汉字")
    await clerk.send("欧阳·娜仁")
    clerk.expect("第 3/21 步 · 身份证号码")


async def test_an_id_number_is_checked_digit_by_digit(bot: Harness) -> None:
    clerk = await bot.clerk(3002, "金水区")
    await at(clerk, "身份证号码")
    wrong_check = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    await refused(clerk, wrong_check, "校验位（最后一位）不符")
    await refused(clerk, "41010519850230001" + check_digit("41010519850230001"), "出生日期不存在")  # 30 February
    await refused(clerk, "41010520300101001" + check_digit("41010520300101001"), "出生日期晚于当前日期")
    await refused(clerk, "410105840601003", "第一代居民身份证已停止使用")  # the old 15-digit card
    await refused(clerk, NUMBER[:16], "身份证号码应为 18 位，您输入了 16 位。")
    await refused(clerk, NUMBER[:17] + "Y", "由 17 位数字加 1 位数字或字母 X 组成")
    await refused(clerk, "01010519840601003" + check_digit("01010519840601003"), "号码开头的地址码无效")
    for reply in clerk.session.said:
        assert NUMBER not in reply.text and wrong_check not in reply.text, "the bot repeated a typed ID number"

    # full-width digits with spaces, as a phone keyboard in Chinese mode types them
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    typed = " ".join((NUMBER[:6], NUMBER[6:14], NUMBER[14:])).translate(full_width)
    await clerk.send(typed)
    clerk.expect(f"身份证号码已录入：{masked(NUMBER)}", "第 4/21 步 · 民族")


async def test_a_choice_is_tapped_or_typed_and_anything_else_is_refused(bot: Harness) -> None:
    clerk = await bot.clerk(3003, "金水区")
    await at(clerk, "民族")
    # only 8 of the 56 are buttons: the clerk is told that any of them may be typed
    any_of_56 = "请点击下方按钮选择，或直接输入民族名称：全部 56 个均可输入（未列为按钮的也可以），如“彝族”。"
    await refused(clerk, "火星族", any_of_56)
    await refused(clerk, "汉族汉族", any_of_56)
    assert "如“彝族”。\n\n郑州市五一劳动奖章\n第 4/21 步 · 民族" in clerk.text  # the error, a blank line, the question
    await clerk.send("蒙古")  # a listed answer, typed short
    clerk.expect("第 5/21 步 · 政治面貌")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：蒙古族")
    await clerk.tap("回族")
    clerk.expect("第 5/21 步")


async def test_a_yes_or_no_question_takes_yes_and_no_in_words(bot: Harness) -> None:
    clerk = await bot.clerk(3004, "金水区")
    await at(clerk, "是否属于重点产业")
    await refused(clerk, "也许", CHOOSE)
    await refused(clerk, "是否", CHOOSE)
    where = clerk.progress
    await clerk.send("是的")
    assert clerk.progress[0] == where[0] + 1
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：是")


async def test_a_category_typed_instead_of_tapped_must_be_one_of_the_buttons(bot: Harness) -> None:
    clerk = await bot.clerk(3005, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await refused(clerk, "工人", CHOOSE)
    await clerk.send("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名")


async def test_texts_phone_numbers_and_deeds_have_their_limits(bot: Harness) -> None:
    clerk = await bot.clerk(3006, "金水区")
    await at(clerk, "工作单位及职务")
    await refused(clerk, "厂长", "内容过短")
    await refused(clerk, "长" * 4000, "最多允许 100 字")
    await clerk.send("郑州航空港区某物流有限公司 叉车司机")

    await clerk.fill(medal("欧阳·娜仁", NUMBER), until="联系电话")
    await refused(clerk, "12345", "电话号码格式不正确")
    await refused(clerk, "１３８", "电话号码格式不正确")
    await clerk.send("１３８ ０３７１ ２３４５")  # full-width, with spaces
    clerk.expect("第 19/21 步 · 简要事迹")
    await refused(clerk, DEEDS[:99], "内容过短：当前 99 字，至少需要 100 字。")
    await refused(clerk, "长" * 2201, "内容过长：当前 2201 字，最多允许 2200 字。")
    await refused(clerk, "\u200b\u200b")  # zero-width spaces: looks empty
    await clerk.send(DEEDS)
    clerk.expect(f"文字已录入，共 {len(DEEDS)} 字。")

    await clerk.command("/new")
    await clerk.tap("继续填写")
    await clerk.tap("◀ 上一步")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：138****2345")  # a phone number is shown masked


async def test_a_soft_rule_asks_for_a_written_reason_as_a_question_of_its_own(bot: Harness) -> None:
    clerk = await bot.clerk(3007, "金水区")
    answers = medal("赵志刚", NUMBER) | {"是否已获得过": "是"}
    await at(clerk, "推荐理由", answers)
    clerk.expect("原则上不重复授予", "请填写推荐理由（5–500 字）")
    i, n = clerk.progress
    assert n == 22  # the reason is a question of its own, added by the answer that calls for it
    await refused(clerk, "好", "内容过短")
    await clerk.send("获奖后主持完成新一代封装产线改造，有新的突出贡献。")
    assert clerk.progress == (i + 1, n)
    await clerk.fill(answers)
    clerk.expect("推荐理由（已获本项荣誉）：获奖后主持完成")
    (await clerk.tap("✔ 确认保存")).expect("赵志刚 · 郑州市五一劳动奖章。")


async def test_a_hard_rule_refuses_the_answer_that_breaks_it(bot: Harness) -> None:
    clerk = await bot.clerk(3008, "金水区")
    await at(clerk, "所在单位是否已组建工会")
    where = clerk.progress
    await clerk.tap("否")
    clerk.expect(
        "根据评选规则，该推荐对象不符合推荐条件：",
        "未组建工会、拖欠拒缴工会经费、依法应建未建职代会和集体合同制度或劳动关系不和谐的企业及其负责人不得申报奖状、奖章。",
    )
    assert clerk.progress == where
    await clerk.tap("是")
    assert clerk.progress[0] == where[0] + 1


async def test_only_an_enterprise_head_is_asked_about_incidents_in_the_enterprise(bot: Harness) -> None:
    clerk = await bot.clerk(3009, "金水区")
    head = medal("何总", NUMBER, "企业负责人")
    await at(clerk, "（企业负责人）", head)
    assert clerk.progress == (14, 22)
    await clerk.tap("是")
    clerk.expect("所在企业五年内发生安全生产事故、欠薪、失信、污染等情形的企业负责人不得申报奖章。")
    assert clerk.progress == (14, 22)
    await clerk.tap("否")
    await clerk.fill(head)
    clerk.expect("（企业负责人）所在企业近五年内是否发生安全生产事故、欠薪、失信、环境污染等情形：否")

    await clerk.tap("✎ 人员类别")
    await clerk.tap("一线产业工人")
    card = clerk.expect("请核对填报信息", "人员类别：一线产业工人")
    assert "（企业负责人）" not in card  # the question no longer applies


async def test_what_a_clerk_types_is_shown_as_typed_markup_characters_included(bot: Harness) -> None:
    clerk = await bot.clerk(3010, "金水区")
    typed = {
        "工作单位及职务": "郑州A&B<科技>有限公司 <b>主任",
        "曾获最高荣誉": "全国<五一>劳动奖章 & 先进",
        "最高荣誉级别": "全国",
    }
    nominee = await clerk.nominate(MEDAL, medal("欧阳·娜仁", NUMBER) | typed)
    for reply in (await clerk.command(f"/status {nominee}"), await clerk.command(f"/edit {nominee}")):
        reply.expect("工作单位及职务（职级）：郑州A&B<科技>有限公司 <b>主任", "曾获最高荣誉：全国<五一>劳动奖章 & 先进")
    await clerk.tap("✎ 工作单位")
    clerk.expect("当前填写：郑州A&B<科技>有限公司 <b>主任")


async def test_a_number_is_typed_in_digits_within_its_range(bot: Harness) -> None:
    clerk = await bot.clerk(3011, "金水区")
    await clerk.command("/new")
    await clerk.tap("工人先锋号")
    await clerk.fill(team("数控一班"), until="单位人数")
    await refused(clerk, "十二", "请用阿拉伯数字输入整数")
    await refused(clerk, "0", "数值应在 1 至 1000000 之间。")
    await refused(clerk, "2000000", "数值应在 1 至 1000000 之间。")
    await clerk.send("１２ 人")
    clerk.expect("第 5/14 步 · 单位类型")


async def test_an_organisation_name_takes_no_emoji_and_needs_a_few_characters(bot: Harness) -> None:
    clerk = await bot.clerk(3012, "金水区")
    await clerk.command("/new")
    await clerk.tap("工人先锋号")
    await refused(clerk, "数控😀班", "名称中含有不允许使用的字符（表情符号或特殊符号）。")
    await refused(clerk, "班", "单位名称应为 ")
    await clerk.send("数控一班")
    clerk.expect("第 2/14 步 · 所属单位名称")


async def test_emoji_or_bare_symbols_are_no_answer_to_a_text_question(bot: Harness) -> None:
    clerk = await bot.clerk(3013, "金水区")
    await at(clerk, "工作单位及职务")
    await refused(clerk, "😀👍🎉😀👍🎉", WORDS)
    await refused(clerk, "。。。。。。", WORDS)
