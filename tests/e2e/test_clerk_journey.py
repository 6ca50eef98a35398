"""A clerk's journey through the real bot process: joining, entering complete nominees for both
campaigns, going back, skipping, editing, withdrawing, and asking about places and status.

Each story uses its own Telegram users; the stack (API server + bot) is shared by the module.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app import campaigns, queries
from tests.e2e.conftest import (
    HANGKONGGANG,
    QIAODONG,
    ZHANGJIAKOU,
    ZHENGZHOU,
    BotStack,
    medal_answers,
    model_answers,
    zhangjiakou_with_units,
)
from tests.nominees import DEEDS, id_number, pioneer, png

pytestmark = pytest.mark.asyncio(loop_scope="module")

INVALID_CODE = "邀请码无效：可能输入有误、已被使用或已过期。"
HOW_TO_JOIN = "使用前，您需要取得评选委员会办公室发放的邀请码"


# ------------------------------------------------------------------------------ 1. joining


async def test_the_running_bot_registered_its_commands_in_both_languages(stack: BotStack) -> None:
    state = await stack.sb.state()
    menus = {entry["language_code"]: entry["commands"] for entry in state["commands"]}
    zh = {c["command"]: c["description"] for c in menus[""]}
    en = {c["command"]: c["description"] for c in menus["en"]}
    assert zh["new"] == "填报推荐对象" and en["new"] == "Enter a nominee"
    assert set(zh) == set(en) >= {"new", "quota", "list", "status", "edit", "withdraw", "submit", "deadlines"}
    assert {"message", "callback_query"} <= set(state["allowed_updates"])


async def test_a_clerk_joins_with_the_invitation_link_the_office_created(stack: BotStack) -> None:
    code_rc, out, err = await stack.cli(
        "invite", "create", "--campaign", ZHENGZHOU, "--unit", HANGKONGGANG, env={"NOMINEE_BOT_USERNAME": "nominee_bot"}
    )
    assert code_rc == 0, err
    code, link = out.splitlines()[:2]
    assert link == f"https://t.me/nominee_bot?start={code}"

    clerk = await stack.clerk(100001)
    await clerk.join(code)
    clerk.expect("欢迎使用", f"{HANGKONGGANG}填报人员", "2024年郑州市五一劳动奖和郑州市工人先锋号推荐评选", "/new")

    # several clerks may belong to one unit; a second code joins the second clerk
    second = await stack.clerk(100002)
    await second.say("/start")
    second.expect(HOW_TO_JOIN)
    await second.say(await stack.invite(HANGKONGGANG))  # the code typed as a message
    second.expect(f"{HANGKONGGANG}填报人员")
    await second.say("/start")
    second.expect("欢迎回来")


async def test_a_wrong_used_or_expired_code_is_refused_without_naming_any_unit(stack: BotStack) -> None:
    used = await stack.invite("郑东新区")
    await (await stack.clerk(100011)).join(used)
    expired = await stack.invite("郑东新区", days=0)  # expires the moment it is created
    units = [u.name for u in (await campaigns.current(stack.ports, ZHENGZHOU)).units]

    stranger = await stack.clerk(100012)
    for attempt in (f"/start {used}", f"/start {expired}", "/start WRONG-CODE-123456", used, "/start 呵呵"):
        await stranger.say(attempt)
        text = stranger.expect(INVALID_CODE)
        assert not [u for u in units if u in text], f"a refusal named a unit: {text}"
    assert await queries.context(stack.ports, 100012) is None


async def test_a_user_who_has_not_joined_only_learns_how_to_join(stack: BotStack) -> None:
    guest = await stack.clerk(100021)
    for anything in ("/new", "/quota", "/list", "/submit", "你好", "/status 1"):
        await guest.say(anything)
        guest.expect(HOW_TO_JOIN)
        guest.expect_not("名额", "推荐对象：")
    await guest.send_photo(png(60, 80))
    guest.expect(HOW_TO_JOIN)
    # a button press (e.g. from a forwarded message): only the request to join first
    message_id = guest.shown.message_id
    assert message_id is not None
    await guest.press(message_id, "aw:medal:0", force=True)
    assert "请先发送邀请码完成注册" in guest.alert


# ------------------------------------------------------------------------------ 2. complete nominees


async def test_a_clerk_enters_a_complete_may_day_medal_nominee(stack: BotStack) -> None:
    clerk = await stack.clerk(100101, HANGKONGGANG)
    await clerk.say("/new")
    assert clerk.buttons == [
        "郑州市五一劳动奖状 · 可推荐 2/2",
        "郑州市五一劳动奖章 · 剩余 6/6",
        "郑州市工人先锋号 · 剩余 4/4",
    ]
    await clerk.tap("五一劳动奖章")
    clerk.expect("第 1/23 步 · 人员类别", "其中不限类别 1 个", "一线产业工人预留名额：0/4")
    assert "一线产业工人" in clerk.buttons and "◀ 上一步" not in clerk.buttons  # nothing to go back to

    await clerk.tap("一线产业工人")
    clerk.expect("第 2/23 步 · 姓名", "请输入完整姓名")
    assert {"◀ 上一步", "取消"} <= set(clerk.buttons)
    await clerk.answer("李秀英")
    clerk.expect("第 3/23 步 · 身份证号码", "性别、出生日期和年龄")

    number = id_number(101, female=True)
    await clerk.answer(number)
    # 性别 and 年龄 come from the number, are shown, and are never asked
    clerk.expect(f"身份证号码已录入：{number[:4]}**********{number[-4:]}（女，出生日期 1984-06-01，39 周岁）")
    clerk.expect("第 4/23 步 · 民族", "如无合适选项，请直接输入")
    assert "汉族" in clerk.buttons and "土家族" not in clerk.buttons
    await clerk.answer("土家")  # not among the buttons: typed (族 may be left out)
    clerk.expect("第 5/23 步 · 政治面貌")

    answers = medal_answers("李秀英", number, same_award="是")
    await clerk.fill(answers, until="reason.repeat_award")
    # the soft rule asks for a written reason instead of refusing
    clerk.expect("原则上不重复授予", "请填写推荐理由（5–500 字）")
    i, n = clerk.progress
    assert n == 24  # the reason is a step of its own
    await clerk.answer("获奖后主持完成新一代封装产线改造，有新的突出贡献。")
    assert clerk.progress == (i + 1, n)

    await clerk.fill(answers, until="deeds")
    clerk.expect("请输入文字内容，100–2200 字", "2000字左右")
    await clerk.answer(DEEDS)
    clerk.expect(f"文字已录入，共 {len(DEEDS)} 字。", "照片", "850×1276")

    # a PNG of 2000×3000 sent as a file: converted to JPG and scaled into 850×1276
    await clerk.send_file(png(2000, 3000), "证件照.png", "image/png")
    clerk.expect("照片已收到，已按尺寸要求自动缩小为 850×1275 像素。")
    await clerk.fill(answers)

    summary = clerk.expect(
        "请核对填报信息", "民族：土家族", "推荐理由：获奖后主持完成", "照片（JPG，不大于850×1276像素）：已收到"
    )
    assert "（女，出生日期 1984-06-01，39 周岁）" in summary and number not in summary
    assert "性别" not in clerk.buttons and "✔ 确认保存" in clerk.buttons

    # 修改某项: jump to a question and come back to the card
    await clerk.tap("✎ 联系电话")
    clerk.expect("联系电话", "当前填写：138****2345")
    await clerk.answer("0371-67883217")
    clerk.expect("请核对填报信息", "联系电话：0371-****3217")

    await clerk.tap("✔ 确认保存")
    clerk.expect(
        "已保存：#", "李秀英 · 郑州市五一劳动奖章。", "郑州市五一劳动奖章：本单位剩余 5 个名额，其中不限类别 1 个。"
    )

    items, _total = await queries.nominees(stack.ports, await stack.clerk_info(100101))
    saved = next(n for n in items if n.answers["name"] == "李秀英")
    assert saved.answers["ethnicity"] == "土家族" and saved.answers["gender"] == "女"
    photo = await stack.ports.files.get(saved.answers["photo"])
    data = await stack.ports.files.read(saved.answers["photo"])
    assert photo is not None and photo.mime == "image/jpeg" and data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (850, 1275)


async def test_a_zhangjiakou_clerk_enters_a_labour_model_under_the_loaded_allocation(stack: BotStack) -> None:
    definition = stack.workdir / "zhangjiakou-with-units.toml"
    definition.write_text(zhangjiakou_with_units(), encoding="utf-8")
    rc, out, err = await stack.cli("campaign", "check", str(definition))
    assert rc == 0, out + err
    rc, out, err = await stack.cli("campaign", "load", str(definition))
    assert rc == 0, out + err

    clerk = await stack.clerk(100201, QIAODONG, ZHANGJIAKOU)
    clerk.expect("2024年张家口市劳动模范、先进工作者和先进集体评选表彰", QIAODONG)
    await clerk.say("/new")
    assert "张家口市劳动模范 · 剩余 3/3" in clerk.buttons
    await clerk.tap("张家口市劳动模范")
    clerk.expect("张家口市劳动模范：已用 0/3，剩余 3 个")

    number = id_number(201)
    answers = model_answers("赵志刚", number, retired="是")
    await clerk.fill(answers, until="reason.retired")
    clerk.expect("离退休人员原则上不参加评选。", "请填写推荐理由")
    await clerk.answer("退休返聘后仍坚持在焊接岗位带徒传艺，技术无人替代。")
    await clerk.fill(answers)
    clerk.expect("人员类别：一线工人", "是否为离退休人员：是", "推荐理由：退休返聘后")
    await clerk.tap("✔ 确认保存")
    clerk.expect("赵志刚 · 张家口市劳动模范。", "张家口市劳动模范：本单位剩余 2 个名额，其中不限类别 2 个。")

    await clerk.say("/quota")
    clerk.expect(f"{QIAODONG}名额情况", "张家口市劳动模范：已用 1/3，剩余 2 个", "张家口市先进工作者：已用 0/2")


# ------------------------------------------------------------------------------ 4. going back, editing, asking


async def test_going_back_and_skipping_optional_questions(stack: BotStack) -> None:
    clerk = await stack.clerk(100301, "郑东新区")
    await clerk.start_nominee("五一劳动奖章")
    number = id_number(301)
    answers = medal_answers("孙立平", number)
    await clerk.fill(answers, until="ethnicity")
    assert clerk.progress == (4, 23)

    await clerk.tap("◀ 上一步")
    # the answer given is shown masked, with what was read from it on the campaign's date
    clerk.expect(
        "第 3/23 步 · 身份证号码", f"当前填写：{number[:4]}**********{number[-4:]}（男，出生日期 1984-06-01，39 周岁）"
    )
    await clerk.tap("◀ 上一步")
    clerk.expect("第 2/23 步 · 姓名", "当前填写：孙立平")
    await clerk.answer("孙立萍")  # corrected; the answers after it are kept
    clerk.expect("第 4/23 步 · 民族")

    await clerk.fill(answers, until="title")
    clerk.expect("职称", "此项为选填项")
    await clerk.tap("跳过")
    clerk.expect("第 9/23 步 · 职称级别")
    await clerk.tap("◀ 上一步")
    clerk.expect("第 8/23 步 · 职称", "当前填写：（已跳过）")
    await clerk.answer("高级工程师")
    clerk.expect("第 9/23 步")

    await clerk.fill(answers)
    clerk.expect("姓名：孙立萍", "职称：高级工程师", "曾获最高荣誉：（已跳过）")
    await clerk.tap("✔ 确认保存")
    clerk.expect("孙立萍 · 郑州市五一劳动奖章。")


async def test_cancel_keeps_or_discards_the_draft(stack: BotStack) -> None:
    clerk = await stack.clerk(100311, "郑东新区")
    await clerk.say("/cancel")
    clerk.expect("当前没有可取消的操作。")
    await clerk.start_nominee("五一劳动奖章")
    await clerk.tap("一线科教人员")
    await clerk.answer("钱学敏")
    await clerk.say("/cancel")
    clerk.expect("确定删除此草稿吗？")
    await clerk.tap("继续填写")
    clerk.expect("第 3/23 步 · 身份证号码")
    await clerk.tap("取消")
    clerk.expect("确定删除此草稿吗？")
    await clerk.tap("确定删除")
    clerk.expect("草稿已删除。如需重新填报，请发送 /new。")
    await clerk.say("/new")
    clerk.expect("请选择推荐对象申报的奖项")


async def test_editing_a_saved_nominee_goes_through_the_summary(stack: BotStack) -> None:
    clerk = await stack.clerk(100321, "高新技术开发区")
    await clerk.start_nominee("五一劳动奖章")
    await clerk.fill(medal_answers("周建华", id_number(321)))
    await clerk.tap("✔ 确认保存")
    nominee = int(clerk.expect("已保存：#").split("已保存：#")[1].split()[0])

    await clerk.say(f"/edit {nominee}")
    clerk.expect(f"正在修改 #{nominee}。", "请核对填报信息", "姓名：周建华")
    await clerk.tap("✎ 人员类别")
    clerk.expect("第 1/23 步 · 人员类别")
    await clerk.tap("◀ 上一步")  # from the first question of a saved nominee: back to its card
    clerk.expect("请核对填报信息", "姓名：周建华")
    await clerk.tap("✎ 工作单位及职务")
    clerk.expect("当前填写：郑州某电子科技有限公司 装配车间班长")
    await clerk.answer("郑州某电子科技有限公司 总装车间主任")
    clerk.expect("请核对填报信息", "工作单位及职务（职级）：郑州某电子科技有限公司 总装车间主任")
    await clerk.tap("✔ 确认保存")
    clerk.expect(f"已保存：#{nominee} 周建华")

    await clerk.say(f"/status {nominee}")
    clerk.expect("状态：已保存（占用名额）", "总装车间主任", "办理记录", "已创建", "已修改")
    clerk.expect_not("未填写：")


async def test_withdrawing_a_nominee_frees_its_place(stack: BotStack) -> None:
    # a colleague at the same unit withdraws the nominee of the story above
    clerk = await stack.clerk(100331, "高新技术开发区")
    await clerk.say("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6，剩余 5 个")
    items, _ = await queries.nominees(stack.ports, await stack.clerk_info(100331))
    nominee = items[0].id

    await clerk.say(f"/withdraw {nominee}")
    clerk.expect(f"确定撤回 #{nominee} 周建华 · 郑州市五一劳动奖章 吗？撤回后其占用的名额将予以释放。")
    await clerk.tap("否")
    clerk.expect("状态：已保存（占用名额）")
    await clerk.say(f"/withdraw {nominee}")
    await clerk.tap("确定撤回")
    clerk.expect("已撤回，其占用的名额已释放", "郑州市五一劳动奖章：已用 0/6，剩余 6 个")
    await clerk.say("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 0/6，剩余 6 个")

    await clerk.say(f"/status {nominee}")
    clerk.expect("状态：已撤回", "办理记录", "已撤回")
    await clerk.say(f"/edit {nominee}")
    clerk.expect("该推荐对象已不能修改（状态：已撤回）")
    await clerk.say("/status 99999")
    clerk.expect("本单位推荐名单中无此推荐对象。")
    await clerk.say("/withdraw")
    clerk.expect("请提供推荐对象编号，例如：/withdraw 12。")


async def test_the_list_is_paged_and_never_shows_an_id_number(stack: BotStack) -> None:
    unit = "经济技术开发区"  # 奖章 6 = 产业工人 3 + 科教 1 + 非公新业态农民工 1 + 1 free
    await stack.member(100340, unit)
    categories = ["一线产业工人"] * 3 + ["一线科教人员", "其他一线职工和专业技术人员"]
    for k, category in enumerate(categories):
        answers = medal_answers(f"吴{'一二三四五六七八九十'[k]}", id_number(340 + k), category)
        await stack.save_in_process(100340, "medal", answers)
        stack.ids.add(str(answers["id_number"]))
    migrant = medal_answers("郑小工", id_number(346), "农民工", ownership="非公")
    await stack.save_in_process(100340, "medal", migrant)
    stack.ids.add(str(migrant["id_number"]))
    for k in range(3):
        await stack.save_in_process(100340, "pioneer", pioneer(f"数控{k + 1}班", ownership="非公"))

    clerk = await stack.clerk(100341, unit)
    await clerk.say("/list")
    clerk.expect(
        f"{unit}推荐对象（第 1–8 个，共 9 个）", "吴一 · 郑州市五一劳动奖章 · 已保存（占用名额）", "点击推荐对象"
    )
    assert "下一页 ▶" in clerk.buttons and "◀ 上一页" not in clerk.buttons
    await clerk.tap("下一页 ▶")
    clerk.expect("（第 9–9 个，共 9 个）", "数控3班 · 郑州市工人先锋号")
    await clerk.tap("◀ 上一页")
    clerk.expect("（第 1–8 个，共 9 个）")
    await clerk.tap("郑小工")
    clerk.expect("人员类别：农民工", "身份证号码：4101**********", "办理记录")


async def test_status_shows_the_history_and_what_is_missing(stack: BotStack) -> None:
    clerk = await stack.clerk(100201)  # the Zhangjiakou clerk of the story above
    items, _ = await queries.nominees(stack.ports, await stack.clerk_info(100201))
    nominee = items[0].id
    # the office makes 职称 (skipped above) a required question after the nominee was saved
    text = zhangjiakou_with_units().replace(
        'label = "职称"\nlabel_en = "Professional title"\ntype = "text"\nrequired = false',
        'label = "职称"\nlabel_en = "Professional title"\ntype = "text"',
    )
    assert text != zhangjiakou_with_units()
    await stack.load_campaign(text)

    await clerk.say(f"/status {nominee}")
    clerk.expect(
        f"#{nominee} 赵志刚 · 张家口市劳动模范", "状态：已保存（占用名额）", "未填写：职称", "办理记录", "已创建"
    )
    await clerk.say(f"/edit {nominee}")
    clerk.expect("尚有 1 项未填写")
    await clerk.tap("继续填写")
    clerk.expect("职称")
    await clerk.answer("焊接技师")
    clerk.expect("请核对填报信息", "职称：焊接技师")
    await clerk.tap("✔ 确认保存")
    await clerk.say(f"/status {nominee}")
    clerk.expect("职称：焊接技师", "已修改")
    clerk.expect_not("未填写：")


async def test_deadlines_help_and_language(stack: BotStack) -> None:
    clerk = await stack.clerk(100401, "二七区")
    await clerk.say("/deadlines")
    clerk.expect("报送初审材料：2024-03-20（剩余 5 天）", "报送复审材料：时间另行通知")
    await clerk.say("/help")
    clerk.expect("命令列表", "/new — 填报推荐对象", "/withdraw N")

    await clerk.say("/lang")
    assert clerk.buttons == ["中文", "English"]
    await clerk.tap("English")
    clerk.expect("The language is now English.")
    await clerk.say("/help")
    clerk.expect("Commands", "/new — enter a nominee")
    await clerk.say("/new")
    assert "Zhengzhou May Day Labour Medal · left 4/4" in clerk.buttons
    await clerk.tap("May Day Labour Medal")
    clerk.expect("Step 1/23 · Person category")
    await clerk.tap("Frontline industrial worker")
    clerk.expect("Step 2/23 · Full name")
    await clerk.answer("王五")
    await clerk.answer("1234")
    clerk.expect("An ID number has 18 characters; you entered 4.", "Step 3/23")
    await clerk.say("/deadlines")
    clerk.expect("Initial-review material due: 2024-03-20 (5 days left)")

    await clerk.say("/lang")
    await clerk.tap("中文")
    clerk.expect("语言已设置为中文。")
    await clerk.say("/new")
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 3/23 步。")


async def test_an_older_summary_card_cannot_save_answers_it_does_not_show(stack: BotStack) -> None:
    clerk = await stack.clerk(100351, "郑东新区")
    _items, before = await queries.nominees(stack.ports, await stack.clerk_info(100351))
    await clerk.start_nominee("五一劳动奖章")
    await clerk.fill(medal_answers("钱学军", id_number(351)))
    old_card = await clerk.keyboard_message()
    await clerk.tap("✎ 姓名")
    await clerk.answer("钱学民")
    clerk.expect("请核对填报信息", "姓名：钱学民")

    await clerk.tap("✔ 确认保存", message=old_card)  # the card still reads 钱学军
    assert "已过期" in clerk.alert
    _items, after = await queries.nominees(stack.ports, await stack.clerk_info(100351))
    assert after == before

    await clerk.tap("✔ 确认保存")  # the newest card
    clerk.expect("已保存：#", "钱学民")


async def test_cancelling_an_edit_leaves_the_saved_nominee_as_it_was(stack: BotStack) -> None:
    clerk = await stack.clerk(100361, "郑东新区")
    items, _total = await queries.nominees(stack.ports, await stack.clerk_info(100361), limit=100)
    nominee = next(n.id for n in items if n.answers.get("name") == "钱学民")  # saved in the story above
    await clerk.say(f"/edit {nominee}")
    await clerk.tap("✎ 姓名")
    await clerk.answer("钱某某")
    await clerk.say("/cancel")
    clerk.expect(f"是否取消对 #{nominee} 的修改？")
    await clerk.tap("确定")
    clerk.expect(f"已取消修改，已保存的推荐对象 #{nominee} 未作改动。")
    await clerk.say(f"/status {nominee}")
    clerk.expect("钱学民")
    clerk.expect_not("钱某某")


async def test_a_registered_clerk_who_opens_another_invitation_is_told_it_was_not_used(stack: BotStack) -> None:
    clerk = await stack.clerk(100371, "郑东新区")
    code = await stack.invite("中原区")
    await clerk.say(f"/start {code}")
    clerk.expect("您已注册为郑东新区的填报人员，本邀请码未被使用")
    colleague = await stack.clerk(100372)  # the code is still good for the person it was meant for
    await colleague.join(code)
    colleague.expect("欢迎使用", "中原区")
