"""/new: award → category → the award's questions → summary → confirm, and moving around in it."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.people import masked, medal, organisation, team
from tests.nominees import DEEDS, PHOTO, id_number, png

MEDAL = "五一劳动奖章"


async def test_the_award_menu_shows_the_places_left_for_each_award(bot: Harness) -> None:
    clerk = await bot.clerk(2001, "金水区")
    await clerk.command("/new")
    clerk.expect("请选择推荐对象申报的奖项")
    assert clerk.buttons == [
        "郑州市五一劳动奖状 · 可推荐 2/2",
        "郑州市五一劳动奖章 · 剩余 6/6",
        "郑州市工人先锋号 · 剩余 2/2",
    ]


async def test_a_clerk_of_jinshui_enters_a_complete_may_day_medal_nominee(bot: Harness) -> None:
    clerk = await bot.clerk(2002, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    clerk.expect(
        "第 1/21 步 · 人员类别",
        "金水区名额情况",
        "郑州市五一劳动奖章：已用 0/6，剩余 6 个，其中不限类别 1 个。",
        "非公新业态农民工预留名额：0/2",
    )
    assert "一线产业工人" in clerk.buttons and "◀ 上一步" not in clerk.buttons  # nothing to go back to
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名", "请输入完整姓名")
    assert clerk.buttons == ["◀ 上一步", "取消"]

    await clerk.send("李秀英")
    clerk.expect("第 3/21 步 · 身份证号码", "性别、出生日期和年龄")
    number = id_number(1, female=True)
    await clerk.send(number)
    # 性别 and 年龄 come from the number: shown, never asked; the number itself is never repeated
    clerk.expect(f"身份证号码已录入：{masked(number)}（女，出生日期 1984-06-01，39 周岁）", "第 4/21 步 · 民族")
    clerk.expect_not(number)
    assert "汉族" in clerk.buttons and "土家族" not in clerk.buttons
    await clerk.send("土家")  # not among the buttons: typed, 族 left out
    clerk.expect("第 5/21 步 · 政治面貌")

    answers = medal("李秀英", number)
    await clerk.fill(answers, until="简要事迹")
    clerk.expect("100–2200 字")
    await clerk.send(DEEDS)
    clerk.expect(f"文字已录入，共 {len(DEEDS)} 字。", "照片", "850×1276")
    await clerk.send_photo(PHOTO)
    clerk.expect("照片已收到：300×420 像素。")
    await clerk.fill(answers)

    card = clerk.expect("请核对填报信息", "姓名：李秀英", "民族：土家族", "照片：已收到")
    # the one place the whole number is shown: the summary before saving, to proof-read it
    assert f"身份证号码：{number}（女，出生日期 1984-06-01，39 周岁）" in card
    assert "✔ 确认保存" in clerk.buttons and "✎ 姓名" in clerk.buttons

    saved = await clerk.tap("✔ 确认保存")
    assert saved.notice == "正在核验并保存…"
    saved.expect(
        "已保存：#1 李秀英 · 郑州市五一劳动奖章。",
        "郑州市五一劳动奖章：本单位剩余 5 个名额，其中不限类别 1 个。",
    )
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6，剩余 5 个")


async def test_a_team_and_an_organisation_are_entered_without_a_category(bot: Harness) -> None:
    clerk = await bot.clerk(2003, "郑东新区")
    await clerk.command("/new")
    await clerk.tap("工人先锋号")
    clerk.expect("第 1/14 步 · 部门（车间、工段、班组、科室）名称")
    await clerk.fill(team("数控一班"))
    (await clerk.tap("✔ 确认保存")).expect("已保存：#1 数控一班 · 郑州市工人先锋号。")

    await clerk.command("/new")
    await clerk.tap("五一劳动奖状")
    clerk.expect("第 1/15 步 · 单位名称")
    await clerk.fill(organisation("郑州智能装备制造有限公司"), until="单位人数")
    await clerk.send("３２０人")  # full-width digits and a unit, as a Chinese keyboard types them
    clerk.expect("第 4/15 步 · 单位类型")
    await clerk.fill(organisation("郑州智能装备制造有限公司"))
    clerk.expect("单位人数：320")
    (await clerk.tap("✔ 确认保存")).expect("郑州智能装备制造有限公司 · 郑州市五一劳动奖状。")


async def test_going_back_and_retyping_goes_forward_in_order_offering_to_keep_each_answer(bot: Harness) -> None:
    clerk = await bot.clerk(2004, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    number = id_number(4)
    answers = medal("孙立平", number)
    await clerk.fill(answers, until="民族")
    assert clerk.progress == (4, 21)
    assert "保持不变" not in clerk.buttons  # not answered yet: nothing to keep

    await clerk.tap("◀ 上一步")
    clerk.expect("第 3/21 步 · 身份证号码", f"当前填写：{masked(number)}（男，出生日期 1984-06-01，39 周岁）")
    await clerk.tap("◀ 上一步")
    clerk.expect("第 2/21 步 · 姓名", "当前填写：孙立平")
    assert clerk.buttons == ["◀ 上一步", "保持不变", "取消"]
    await clerk.send("孙立萍")  # corrected: the next question in order, with the answer given before
    clerk.expect("第 3/21 步 · 身份证号码", f"当前填写：{masked(number)}")
    assert "保持不变" in clerk.buttons
    await clerk.tap("保持不变")
    clerk.expect("第 4/21 步 · 民族")
    await clerk.tap("◀ 上一步")
    await clerk.tap("◀ 上一步")
    await clerk.tap("◀ 上一步")
    clerk.expect("第 1/21 步 · 人员类别")
    assert "◀ 上一步" not in clerk.buttons
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名", "当前填写：孙立萍")
    await clerk.tap("保持不变")
    await clerk.tap("保持不变")
    clerk.expect("第 4/21 步 · 民族")

    await clerk.fill(answers)
    clerk.expect("姓名：孙立萍")


async def test_the_title_level_is_asked_only_after_a_title_and_the_total_grows_by_it(bot: Harness) -> None:
    clerk = await bot.clerk(2005, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    answers = medal("周建华", id_number(5))
    await clerk.fill(answers, until="职称")
    clerk.expect("第 8/21 步 · 职称", "此项为选填项")
    assert clerk.buttons == ["◀ 上一步", "跳过", "取消"]
    await clerk.tap("跳过")
    clerk.expect("第 9/21 步 · 技术等级")  # no title: its level is not asked
    await clerk.tap("◀ 上一步")
    clerk.expect("第 8/21 步 · 职称", "当前填写：（已跳过）")
    await clerk.send("无")
    clerk.expect("第 9/21 步 · 技术等级")
    await clerk.tap("◀ 上一步")
    await clerk.send("高级工程师")
    clerk.expect("第 9/22 步 · 职称级别")  # a title adds its level: one question more
    assert "跳过" not in clerk.buttons  # a required question
    await clerk.tap("副高级")
    clerk.expect("第 10/22 步 · 技术等级")
    await clerk.fill(answers, until="曾获最高荣誉")
    await clerk.send("郑州市劳动模范")
    clerk.expect("第 16/23 步 · 最高荣誉级别")
    await clerk.tap("市级")
    await clerk.fill(answers)
    clerk.expect("职称：高级工程师", "职称级别：副高级", "曾获最高荣誉：郑州市劳动模范", "最高荣誉级别：市级")


async def test_an_answer_is_changed_from_the_summary_and_the_clerk_comes_back_to_it(bot: Harness) -> None:
    clerk = await bot.clerk(2006, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("吴桂芳", id_number(6, female=True)))
    await clerk.tap("✎ 联系电话")
    clerk.expect("联系电话", "当前填写：138****2345")
    await clerk.send("0371-67883217")
    clerk.expect("请核对填报信息", "联系电话：0371-67883217")  # whole on the summary, to proof-read

    await clerk.tap("✎ 人员类别")  # a button question, answered by a tap
    clerk.expect("第 1/21 步 · 人员类别")
    await clerk.tap("一线科教人员")
    clerk.expect("请核对填报信息", "人员类别：一线科教人员")
    (await clerk.tap("✔ 确认保存")).expect("吴桂芳 · 郑州市五一劳动奖章。")


async def test_cancel_pauses_the_draft_or_discards_it_by_name(bot: Harness) -> None:
    clerk = await bot.clerk(2007, "郑东新区")
    (await clerk.command("/cancel")).expect("当前没有可取消的操作。")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    await clerk.send("钱学敏")

    await clerk.command("/cancel")
    clerk.expect("您正在填报：郑州市五一劳动奖章 · 钱学敏。", "暂停", "稍后发送 /new 可从中断处继续填写", "放弃")
    assert clerk.buttons == ["暂停，保留草稿", "放弃“钱学敏”", "继续填写"]
    await clerk.tap("继续填写")
    clerk.expect("第 3/21 步 · 身份证号码")

    await clerk.tap("取消")
    await clerk.tap("暂停，保留草稿")
    clerk.expect("草稿（郑州市五一劳动奖章 · 钱学敏）已保留。如需继续填写，请发送 /new")
    (await clerk.send("张三")).expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 3/21 步。")  # not an answer
    await clerk.tap("继续填写")
    clerk.expect("第 3/21 步 · 身份证号码")

    await clerk.tap("取消")
    await clerk.tap("放弃“钱学敏”")
    clerk.expect("草稿（郑州市五一劳动奖章 · 钱学敏）已放弃。如需重新填报，请发送 /new。")
    await clerk.command("/new")
    clerk.expect("请选择推荐对象申报的奖项")


async def test_an_old_discard_button_never_discards_a_later_draft(bot: Harness) -> None:
    clerk = await bot.clerk(2010, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    await clerk.send("李四")
    await clerk.command("/cancel")
    forgotten_menu = clerk.keyboard_message()  # left unanswered
    await clerk.command("/cancel")
    await clerk.tap("放弃“李四”")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    await clerk.send("王五")

    outdated = await clerk.tap("放弃“李四”", on=forgotten_menu)
    assert outdated.alert == "此消息已过期，请在最新的消息中操作。"
    (await clerk.command("/cancel")).expect("您正在填报：郑州市五一劳动奖章 · 王五。")  # 王五 is still there


async def test_a_clerk_who_chose_the_wrong_award_discards_it_and_chooses_another(bot: Harness) -> None:
    clerk = await bot.clerk(2008, "郑东新区")
    await clerk.command("/new")
    await clerk.tap("五一劳动奖状")
    await clerk.send("郑州某某有限公司")
    await clerk.command("/new")
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖状），停留在第 2/15 步。")
    assert clerk.buttons == ["继续填写", "删除草稿"]
    await clerk.tap("删除草稿")
    clerk.expect("您正在填报：郑州市五一劳动奖状 · 郑州某某有限公司。")
    await clerk.tap("放弃“郑州某某有限公司”")
    await clerk.command("/new")
    await clerk.tap("工人先锋号")
    clerk.expect("郑州市工人先锋号", "第 1/14 步")


async def test_a_button_of_an_older_award_menu_is_outdated_once_a_draft_exists(bot: Harness) -> None:
    clerk = await bot.clerk(2009, "郑东新区")
    await clerk.command("/new")
    older_menu = clerk.keyboard_message()
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    clerk.expect("第 1/21 步 · 人员类别")

    outdated = await clerk.tap("工人先锋号", on=older_menu)
    assert outdated.alert == "此消息已过期，请在最新的消息中操作。"
    await clerk.command("/new")
    clerk.expect("郑州市五一劳动奖章")  # the draft is still the medal's


async def test_a_file_is_only_taken_where_the_form_asks_for_a_photo(bot: Harness) -> None:
    clerk = await bot.clerk(2010, "郑东新区")
    (await clerk.send_photo(PHOTO)).expect("仅在填报表要求上传照片时才需发送文件")
    (await clerk.send("你好")).expect("填报推荐对象请发送 /new")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线产业工人")
    await clerk.send_photo(png(40, 40))
    clerk.expect("第 2/21 步 · 姓名", "请以文字形式填写")


async def test_text_or_a_file_sent_at_the_summary_points_to_its_buttons(bot: Harness) -> None:
    clerk = await bot.clerk(2011, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("冯卫东", id_number(11)))
    (await clerk.send("确认")).expect("请使用核对信息下方的按钮进行操作。", "请核对填报信息")
    (await clerk.send_document(PHOTO, "image/jpeg", "照片.jpg")).expect("请使用核对信息下方的按钮进行操作。")
    assert "✔ 确认保存" in clerk.buttons
    (await clerk.tap("✔ 确认保存")).expect("冯卫东 · 郑州市五一劳动奖章。")


async def test_the_summary_cancel_button_asks_before_the_draft_is_discarded(bot: Harness) -> None:
    clerk = await bot.clerk(2012, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("冯卫东", id_number(12)))
    await clerk.tap("取消")
    clerk.expect("您正在填报：")
    await clerk.tap("继续填写")
    clerk.expect("请核对填报信息", "姓名：冯卫东")
    await clerk.tap("取消")
    await clerk.tap("放弃")
    clerk.expect("已放弃")
    (await clerk.command("/list")).expect("本单位尚未填报推荐对象")


async def test_going_back_to_the_category_shows_the_category_chosen(bot: Harness) -> None:
    clerk = await bot.clerk(2011, "郑东新区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.tap("一线科教人员")
    await clerk.tap("◀ 上一步")
    clerk.expect("第 1/21 步 · 人员类别", "当前填写：一线科教人员")
    assert "保持不变" in clerk.buttons
