"""What real phones and real clerks type into names, organisation names, free text and numbers
(issue 9, items 9–13): pasted look-alike characters, the punctuation of registered names,
invisible characters, the identity documents of foreigners and of Hong Kong, Macao and Taiwan
residents, and what of an ID number the chat shows."""

from __future__ import annotations

from tests.chat.chat import Chat, Harness
from tests.chat.people import masked, medal, team
from tests.nominees import DEEDS, id_number

MEDAL = "五一劳动奖章"
PIONEER = "工人先锋号"
EMPTY = "内容为空，请重新输入。"
FOREIGNER = "941276198005120016"  # 2023 permanent residence ID: issued in Henan, a German man born 1980-05-12


async def at(clerk: Chat, question: str, answers: dict[str, object]) -> None:
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(answers, until=question)


async def refused(clerk: Chat, answer: str, *reason: str) -> None:
    where = clerk.progress
    (await clerk.send(answer)).expect(*reason)
    assert clerk.progress == where, f"{answer[:20]!r} moved the form:\n{clerk.text}"


async def test_a_name_pasted_from_a_pdf_or_typed_with_a_hyphen_is_taken_as_the_id_card_writes_it(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(9101, "金水区")
    answers = medal("方文", id_number(9101))
    await at(clerk, "姓名", answers)
    await clerk.send("买买提-艾力")  # a minority name with a hyphen for the dot
    clerk.expect("第 3/21 步 · 身份证号码")
    await clerk.tap("◀ 上一步")
    clerk.expect("当前填写：买买提·艾力")
    await clerk.send("⽅⽂")  # Kangxi radicals U+2F45 U+2F42, as a PDF gives them
    clerk.expect("第 3/21 步 · 身份证号码")
    await clerk.fill(answers)
    clerk.expect("请核对填报信息", "姓名：方文")


async def test_organisation_names_keep_the_punctuation_they_are_registered_with(bot: Harness) -> None:
    clerk = await bot.clerk(9102, "金水区")
    answers = team("郑州地铁“红马甲”志愿服务队")
    await clerk.command("/new")
    await clerk.tap(PIONEER)
    await clerk.fill(answers, until="所属单位名称")
    await clerk.send("一汽–大众汽车有限公司（郑州）")  # an en dash, as some phones type it
    await clerk.fill(answers)
    clerk.expect("请核对填报信息", "郑州地铁“红马甲”志愿服务队", "一汽–大众汽车有限公司（郑州）")


async def test_text_of_invisible_characters_is_empty_and_accents_do_not_count(bot: Harness) -> None:
    clerk = await bot.clerk(9103, "金水区")
    answers = medal("郑海燕", id_number(9103))
    await at(clerk, "工作单位及职务", answers)
    await refused(clerk, "\u3164" * 4, EMPTY)  # four Hangul fillers look like nothing
    await refused(clerk, "\u200b\u2800\u115f", EMPTY)
    await clerk.fill(answers, until="简要事迹")
    await refused(clerk, "\u3164" * 100, EMPTY)
    await refused(clerk, "劳动模范先" + "\u0301" * 500, "内容过短：当前 5 字，至少需要 100 字。")
    await clerk.send(DEEDS)
    clerk.expect(f"文字已录入，共 {len(DEEDS)} 字。")


async def test_a_first_generation_number_is_refused_as_no_longer_valid(bot: Harness) -> None:
    clerk = await bot.clerk(9104, "金水区")
    await at(clerk, "身份证号码", medal("周建国", id_number(9104)))
    await refused(clerk, "410105840601003", "15 位第一代居民身份证号码", "已停止使用", "18 位号码")


async def test_a_foreign_permanent_resident_is_entered_with_the_2023_card_and_a_hong_kong_phone(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(9105, "金水区")
    answers = medal("魏德曼", FOREIGNER)
    await at(clerk, "身份证号码", answers)
    await clerk.send(FOREIGNER)
    clerk.expect(f"身份证号码已录入：{masked(FOREIGNER)}（男，出生日期 1980-05-12，43 周岁）", "第 4/21 步")
    await clerk.fill(answers, until="联系电话")
    await refused(clerk, "+852 1234 5678", "电话号码格式不正确", "+852、+853 或 +886")
    await clerk.send("+852 9123 4567")
    await clerk.fill(answers)
    clerk.expect("请核对填报信息", "联系电话：+852-91234567", f"身份证号码：{FOREIGNER}（男")


async def test_the_whole_number_is_shown_once_on_the_summary_and_masked_everywhere_after(bot: Harness) -> None:
    clerk = await bot.clerk(9106, "金水区")
    number = id_number(9106, female=True)
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("郑秀兰", number), until="民族")
    clerk.expect(f"身份证号码已录入：{masked(number)}（女，出生日期 1984-06-23，39 周岁）")
    clerk.expect_not(number[-4:] + "（")  # no check digit beside the sex and birth date
    await clerk.fill(medal("郑秀兰", number))
    clerk.expect("请核对填报信息", f"身份证号码：{number}（女，出生日期 1984-06-23，39 周岁）")  # to proof-read it
    saved = await clerk.tap("✔ 确认保存")
    saved.expect_not(number)

    status = await clerk.command("/status 1")
    status.expect(f"身份证号码：{masked(number)}（女，出生日期 1984-06-23，39 周岁）")
    status.expect_not(number[4:])
