"""A clerk's journey through the real bot process: the commands it registered, joining by the
office's link, and complete nominees for both campaigns. Every other step of the conversation is
told in-process (tests/chat/), where it needs no process.

Each story uses its own Telegram users; the stack (API server + bot) is shared by the module.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app import queries
from tests.e2e.conftest import (
    HANGKONGGANG,
    ZHANGJIAKOU,
    ZHENGZHOU,
    BotStack,
    medal_answers,
    model_answers,
    zhangjiakou_with_units,
)
from tests.nominees import DEEDS, QIAODONG, id_number, png

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
    clerk.expect("第 1/21 步 · 人员类别", "其中不限类别 1 个", "一线产业工人预留名额：0/4")
    assert "一线产业工人" in clerk.buttons and "◀ 上一步" not in clerk.buttons  # nothing to go back to

    await clerk.tap("一线产业工人")
    clerk.expect("第 2/21 步 · 姓名", "请输入完整姓名")
    assert {"◀ 上一步", "取消"} <= set(clerk.buttons)
    await clerk.answer("李秀英")
    clerk.expect("第 3/21 步 · 身份证号码", "性别、出生日期和年龄")

    number = id_number(101, female=True)
    await clerk.answer(number)
    # 性别 and 年龄 come from the number, are shown, and are never asked
    clerk.expect(f"身份证号码已录入：{number[:4]}**************（女，出生日期 1984-06-01，39 周岁）")
    clerk.expect("第 4/21 步 · 民族", "如无合适选项，请直接输入")
    assert "汉族" in clerk.buttons and "土家族" not in clerk.buttons
    await clerk.answer("土家")  # not among the buttons: typed (族 may be left out)
    clerk.expect("第 5/21 步 · 政治面貌")

    answers = medal_answers("李秀英", number, same_award="是")
    await clerk.fill(answers, until="reason.repeat_award")
    # the soft rule asks for a written reason instead of refusing
    clerk.expect("原则上不重复授予", "请填写推荐理由（5–500 字）")
    i, n = clerk.progress
    assert n == 22  # the reason is a step of its own
    await clerk.answer("获奖后主持完成新一代封装产线改造，有新的突出贡献。")
    assert clerk.progress == (i + 1, n)

    await clerk.fill(answers, until="deeds")
    assert "2000字左右" not in clerk.expect("请输入文字内容，100–2200 字")  # the limits are said once
    await clerk.answer(DEEDS)
    clerk.expect(f"文字已录入，共 {len(DEEDS)} 字。", "照片", "850×1276")

    # a PNG of 2000×3000 sent as a file: converted to JPG and scaled into 850×1276
    await clerk.send_file(png(2000, 3000), "证件照.png", "image/png")
    clerk.expect("照片已收到，已按尺寸要求自动缩小为 850×1275 像素。")
    await clerk.fill(answers)

    summary = clerk.expect("请核对填报信息", "民族：土家族", "推荐理由（已获本项荣誉）：获奖后主持完成", "照片：已收到")
    # the one place the whole number is shown: the summary before saving, to proof-read it
    assert f"身份证号码：{number}（女，出生日期 1984-06-01，39 周岁）" in summary
    assert "性别" not in clerk.buttons and "✔ 确认保存" in clerk.buttons

    # 修改某项: jump to a question and come back to the card
    await clerk.tap("✎ 联系电话")
    clerk.expect("联系电话", "当前填写：138****2345")
    await clerk.answer("0371-67883217")
    clerk.expect("请核对填报信息", "联系电话：0371-67883217")

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
    clerk.expect("人员类别：一线工人", "是否为离退休人员：是", "推荐理由（是否为离退休人员）：退休返聘后")
    await clerk.tap("✔ 确认保存")
    clerk.expect("赵志刚 · 张家口市劳动模范。", "张家口市劳动模范：本单位剩余 2 个名额，其中不限类别 2 个。")

    await clerk.say("/quota")
    clerk.expect(f"{QIAODONG}名额情况", "张家口市劳动模范：已用 1/3，剩余 2 个", "张家口市先进工作者：已用 0/2")


# ------------------------------------------------------------------------------ 4. going back, editing, asking
