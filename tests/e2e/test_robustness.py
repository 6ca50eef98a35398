"""Never losing work, and never being thrown by garbage.

- The bot process is killed (SIGKILL) in the middle of a nominee and started again: the clerk is
  offered to continue where the draft stopped; buttons from before the restart still work when
  they belong to the current question and are answered "outdated" otherwise.
- At every kind of step the clerk sends garbage; each gets a clear answer (never an apology for
  an internal error) and the draft stays where it was: the step counter does not move back and
  the next valid answer continues the form.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
import pytest_asyncio

from app import queries
from core.idcard import check_digit
from tests.e2e.conftest import HANGKONGGANG, BotStack, Clerk, medal_answers
from tests.nominees import DEEDS, PHOTO, gif, id_number, jpeg, webp

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"
OUTDATED = "此消息已过期，请在最新的消息中操作。"


# ------------------------------------------------------------------------------ 5. restart


async def test_after_a_crash_the_clerk_continues_where_the_draft_stopped(stack: BotStack) -> None:
    clerk = await stack.clerk(300101, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    first_id = clerk.shown.message_id  # the award menu, edited into the next questions until a typed answer
    assert first_id is not None
    answers = medal_answers("郭守信", id_number(3101))
    await clerk.fill(answers, until="ethnicity")
    assert clerk.progress == (4, 21)
    ethnicity_prompt = clerk.shown
    name_prompt = await clerk.message(first_id)
    assert "第 2/21 步 · 姓名" in (name_prompt.text or "")
    assert ethnicity_prompt.message_id is not None and name_prompt.message_id is not None
    _label, back_on_old = name_prompt.find_button("上一步")
    _label, hui = ethnicity_prompt.find_button("回族")
    assert back_on_old is not None and hui is not None

    await stack.restart_bot(kill=True)
    assert stack.bot_starts == 2

    await clerk.say("你好")
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在第 4/21 步。是否从中断处继续填报？")
    assert clerk.buttons == ["继续填写", "删除草稿"]

    # a button from before the restart: outdated when its question has passed…
    await clerk.press(name_prompt.message_id, back_on_old)
    assert clerk.alert == OUTDATED
    # …accepted when it still is the current question
    await clerk.press(ethnicity_prompt.message_id, hui)
    clerk.expect("第 5/21 步 · 政治面貌")

    await clerk.say("/new")
    clerk.expect("停留在第 5/21 步")
    await clerk.tap("继续填写")
    clerk.expect("第 5/21 步 · 政治面貌")
    await clerk.fill(answers)
    clerk.expect("姓名：郭守信", "民族：回族", f"身份证号码：{id_number(3101)}（")
    await clerk.tap("✔ 确认保存")
    clerk.expect("郭守信 · 郑州市五一劳动奖章。", "本单位剩余 5 个名额")


async def test_a_summary_left_before_a_graceful_restart_is_offered_again(stack: BotStack) -> None:
    clerk = await stack.clerk(300102, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    await clerk.fill(medal_answers("韩梅", id_number(3102, female=True)))
    card = await clerk.keyboard_message()
    assert card.message_id is not None
    _label, confirm = card.find_button("确认保存")
    assert confirm is not None

    await stack.restart_bot(kill=False)  # SIGTERM: aiogram stops polling cleanly

    await clerk.say("/new")
    clerk.expect("您有一份未完成的草稿（郑州市五一劳动奖章），停留在信息核对页。")
    offer = clerk.shown

    # the card from before the restart is still current; tapped twice at once, it saves once
    twin = Clerk(stack, clerk.user_id)  # the same user's second tap (force: the keyboard may be gone)
    await asyncio.gather(clerk.press(card.message_id, confirm), twin.press(card.message_id, confirm, force=True))
    seen = {e.seq: e for e in clerk.last + twin.last}
    while sum(e.kind == "callback_answer" for e in seen.values()) < 2:  # until both taps are answered
        more = await stack.sb.wait(clerk.user_id, max(seen), 10.0)
        assert more, "a tap was never answered"
        seen.update((e.seq, e) for e in more)
    events = seen.values()
    answers = sorted(e.text or "" for e in events if e.kind == "callback_answer")
    assert answers == ["正在核验并保存…", OUTDATED], answers
    assert sum("韩梅 · 郑州市五一劳动奖章。" in (e.text or "") for e in events if e.kind in ("message", "edit")) == 1
    items, _total = await queries.nominees(stack.ports, await stack.clerk_info(clerk.user_id))
    assert [n.answers["name"] for n in items].count("韩梅") == 1

    await clerk.tap("继续填写", offer)  # the offer is answered after the draft is gone
    clerk.expect("该草稿已不存在。")


# ------------------------------------------------------------------------------ 7. garbage

Action = Callable[[Clerk], Awaitable[object]]


@dataclass(frozen=True)
class Garbage:
    what: str
    send: Action
    says: str = ""  # a fragment of the clear answer expected ("" = any clear answer)
    alert: bool = False  # answered by a button alert rather than a message
    reasks: bool = True  # the answer repeats the question (with its step counter)


def text(value: str, says: str = "") -> Garbage:
    return Garbage(f"text {value[:12]!r}…{len(value)}", lambda c: c.answer(value), says)


def photo(data: bytes, filename: str, says: str = "") -> Garbage:
    return Garbage(f"photo {filename}", lambda c: c.send_photo(data, filename), says)


def file(data: bytes, filename: str, mime: str, says: str = "") -> Garbage:
    return Garbage(f"file {filename}", lambda c: c.send_file(data, filename, mime), says)


def forged(data: Callable[[str], str], says: str = OUTDATED, *, alert: bool = True) -> Garbage:
    """Callback data no button of the bot carries (a modified client), on the chat's first message."""

    async def press(c: Clerk) -> object:
        await c.look()  # the question on screen, whatever the last garbage was answered with
        first = (await c.sb.messages(c.user_id))[0]
        assert first.message_id is not None
        return await c.press(first.message_id, data(c.step_key or "@summary"), force=True)

    return Garbage(f"forged {data('STEP')!r}", press, says, alert, reasks=False)


async def press_an_old_button(c: Clerk) -> object:
    """A button of an earlier message whose question has passed."""
    await c.look()
    current = c.step_key
    for message in reversed(await c.sb.messages(c.user_id)):
        for _label, data in (b for row in message.buttons for b in row):
            if data and data.startswith("nv:") and data.split(":")[1] != current and message.message_id:
                return await c.press(message.message_id, data)
    raise AssertionError(f"no earlier message with buttons at step {current}")


async def paste_5000_characters(c: Clerk) -> object:
    """A Telegram message carries at most 4096 characters: a client sends 5000 pasted characters
    as two messages, 4096 + 904."""
    await c.answer("长" * 4096)
    return await c.answer("长" * 904)


OLD_BUTTON = Garbage("an old button", press_an_old_button, OUTDATED, alert=True, reasks=False)
PASTE_5000 = Garbage("5000 characters", paste_5000_characters)
TOO_LONG = "长" * 4096  # the most one Telegram message carries

COMMON = [
    text("\u200b\u200b"),  # zero-width spaces: looks empty (Telegram refuses a truly empty message)
    text("。。。"),
    text(TOO_LONG),
    PASTE_5000,  # the 904-character rest is not taken either (at 简要事迹 it would be a valid answer)
    text("😀👍🎉"),
    text("１２３４５６"),
    Garbage("an unknown command", lambda c: c.answer("/frobnicate"), "无法识别该命令", reasks=False),
    photo(PHOTO, "photo.jpg"),
    photo(gif(), "animation.gif"),
    file(webp(), "sticker.webp", "image/webp"),  # what a sticker saved as a file looks like
    Garbage("a PDF", lambda c: c.send_pdf()),
    OLD_BUTTON,
    forged(lambda step: "x" + secrets.token_hex(20)),
    forged(lambda step: f"pk:{step}:99"),
    forged(lambda step: "pk:no_such_step:0"),
    forged(lambda step: "sm:confirm:"),  # (left out on the summary itself, where it is the real button)
    # another unit's nominee: not this clerk's business
    forged(lambda step: "it:withdraw_yes:1", "本单位推荐名单中无此推荐对象。", alert=False),
]

CHOOSE = "请点击下方按钮进行选择"
NUMBER = id_number(3201)  # the walker's nominee
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def with_check(first17: str) -> str:
    """An 18-character number whose check digit is right (so another check must refuse it)."""
    return first17 + check_digit(first17)


REQUIRED = forged(lambda step: f"nv:{step}:skip", "此项为必填项，不能跳过。", alert=False)
NOT_TEXT = "请以文字形式填写。"

# step → (garbage, the valid answer given afterwards)
CASES: dict[str, tuple[list[Garbage], object]] = {
    "category": ([text("工人", CHOOSE)], "一线产业工人"),
    "name": (
        [text("张3", "姓名可使用汉字"), text("王" * 40, "姓名应为"), text("Mr.😀", "姓名可使用汉字"), REQUIRED],
        "欧阳·娜仁",
    ),
    "id_number": (
        [
            text(NUMBER[:17] + str((int(NUMBER[17]) + 1) % 10 if NUMBER[17] != "X" else 0), "校验位（最后一位）不符"),
            text(with_check("41010519850230001"), "出生日期不存在"),  # 30 February
            text(with_check("41010520300101001"), "出生日期晚于当前日期"),
            text("410105840601003", "第一代居民身份证已停止使用"),  # the old 15-digit card
            text(NUMBER[:16], "身份证号码应为 18 位，您输入了 16 位。"),
            text(NUMBER[:17] + "Y", "由 17 位数字加 1 位数字或字母 X 组成"),
            text(with_check("01010519840601003"), "号码开头的地址码无效"),
            REQUIRED,
        ],
        # full-width digits with spaces, as a phone keyboard in Chinese mode types them
        " ".join((NUMBER[:6], NUMBER[6:14], NUMBER[14:])).translate(FULL_WIDTH),
    ),
    "ethnicity": ([text("火星族", "全部 56 个均可输入"), text("汉族汉族")], "蒙古"),
    "employer": ([text("厂长", "内容过短"), text(TOO_LONG, "最多允许 100 字")], "郑州航空港区某物流有限公司 叉车司机"),
    "title": ([forged(lambda step: f"pk:{step}:0")], "助理工程师"),
    "key_industry": ([text("也许", CHOOSE), text("是否")], "是的"),
    "phone": ([text("12345", "电话号码格式不正确"), text("１３８", "电话号码格式不正确")], "１３８ ０３７１ ２３４５"),
    "deeds": ([text(DEEDS[:99], "内容过短：当前 99 字，至少需要 100 字。"), text(TOO_LONG, "最多允许 2200 字")], DEEDS),
    "photo": (
        [
            text("照片稍后补交", "请发送照片（JPG 或 PNG 格式）"),
            file(b"\xff\xd8\xff\xe0 not really a jpeg", "broken.jpg", "image/jpeg", "仅接受 JPG 和 PNG 格式"),
            photo(gif(), "animation.gif", "仅接受 JPG 和 PNG 格式"),
            file(webp(), "sticker.webp", "image/webp", "仅接受 JPG 和 PNG 格式"),
            Garbage("a PDF", lambda c: c.send_pdf(), "仅接受 JPG 和 PNG 格式"),
        ],
        jpeg(640, 900),
    ),
    "@summary": (
        [
            text("确认", "请使用核对信息下方的按钮进行操作。"),
            Garbage("a PDF", lambda c: c.send_pdf(), "请使用核对信息下方的按钮进行操作。"),
        ],
        None,
    ),
}
TEXT_STEPS = {"name", "id_number", "employer", "title", "phone", "deeds"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def walker(stack: BotStack) -> Clerk:
    """One clerk whose draft walks through the form, meeting garbage at every step."""
    clerk = await stack.clerk(300201, "金水区")
    stack.ids.add(NUMBER)
    await clerk.start_nominee(MEDAL)
    return clerk


def walk_answers() -> dict[str, object]:
    answers = medal_answers("欧阳·娜仁", NUMBER, title_level="初级")  # asked once a title is given
    answers.update({key: value for key, (_garbage, value) in CASES.items() if value is not None})
    return answers


@pytest.mark.parametrize("step", list(CASES))
async def test_garbage_at_every_step_gets_a_clear_answer_and_leaves_the_draft_intact(
    stack: BotStack, walker: Clerk, step: str
) -> None:
    answers = walk_answers()
    await walker.fill(answers, until=None if step == "@summary" else step)
    assert (walker.step_key or "@summary") == step
    where = None if step == "@summary" else walker.progress
    specific, valid = CASES[step]
    common = [
        g
        for g in COMMON
        if not (step == "photo" and g.what.startswith(("photo", "file", "a PDF")))
        and not (step in ("category", "name") and g is OLD_BUTTON)  # no earlier question yet
        and not (step == "@summary" and "sm:confirm" in g.what)
    ]
    for garbage in [*specific, *common]:
        await garbage.send(walker)
        if garbage.alert:
            assert walker.alert, f"{garbage.what}: no answer at step {step}: {walker.last}"
        else:
            assert walker.text.strip(), f"{garbage.what}: an empty answer at step {step}"
        if garbage.says:
            walker.expect(garbage.says)
        elif step in TEXT_STEPS and garbage.what.startswith(("photo", "file", "a PDF")):
            walker.expect(NOT_TEXT)
        if where is not None and garbage.reasks:  # the question again, at the same step
            assert walker.progress == where, f"{garbage.what} moved the form at step {step}"
        elif where is not None:
            shown = [e for e in walker.last if e.kind in ("message", "edit")]
            assert not shown or "步 ·" not in (shown[-1].text or "") or walker.progress == where
    # the draft is intact: the next valid answer continues where it was
    if step == "@summary":
        await walker.say("/new")
        await walker.tap("继续填写")
        walker.expect("请核对填报信息", "姓名：欧阳·娜仁", "民族：蒙古族", "职称：助理工程师", "联系电话：13803712345")
        await walker.tap("✔ 确认保存")
        walker.expect("欧阳·娜仁 · 郑州市五一劳动奖章。")
        return
    assert where is not None
    await walker.look()
    assert walker.progress == where
    await walker.give(valid)
    assert walker.on_summary or walker.progress[0] == where[0] + 1, f"the valid answer at {step}:\n{walker.text}"

    # A shortened text sent seconds later is a new answer: tests/chat/test_paste.py, with the
    # messages' dates set instead of waiting for them.
