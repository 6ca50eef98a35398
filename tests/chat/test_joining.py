"""Joining: the invitation link or the code typed, bad codes, and what a stranger may see."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.conftest import ZHENGZHOU
from tests.chat.people import medal
from tests.nominees import id_number, png

CAMPAIGN = "2024年郑州市五一劳动奖和郑州市工人先锋号推荐评选"
INVALID_CODE = "邀请码无效：可能输入有误、已被使用或已过期。"
HOW_TO_JOIN = "使用前，您需要取得评选委员会办公室发放的邀请码"
UNITS = ("金水区", "郑东新区", "中原区", "航空港经济综合试验区")


async def test_a_clerk_of_jinshui_joins_through_the_invitation_link(bot: Harness) -> None:
    code = await bot.world.invite(ZHENGZHOU, "金水区")
    clerk = bot.chat(1001)
    await clerk.command(f"/start {code}")  # what Telegram sends when the t.me/<bot>?start=<code> link is opened
    clerk.expect("欢迎使用", "金水区填报人员", CAMPAIGN, "/new", "/quota", "/help")

    await clerk.command("/start")
    clerk.expect("欢迎回来")


async def test_a_clerk_joins_by_typing_the_code_as_a_message(bot: Harness) -> None:
    clerk = bot.chat(1002)
    await clerk.command("/start")  # the bot opened without a code
    clerk.expect(HOW_TO_JOIN)
    await clerk.send("  " + await bot.world.invite(ZHENGZHOU, "郑东新区") + " ")  # pasted with spaces
    clerk.expect("欢迎使用", "郑东新区填报人员")


async def test_a_wrong_a_used_and_an_expired_code_are_refused_without_naming_any_unit(bot: Harness) -> None:
    used = await bot.world.invite(ZHENGZHOU, "郑东新区")
    await bot.chat(1003).command(f"/start {used}")
    expired = await bot.world.invite(ZHENGZHOU, "中原区", days=0)  # expires the moment it is created

    stranger = bot.chat(1004)
    for attempt in (f"/start {used}", f"/start {expired}", "/start WRONG-CODE-123456", used, "/start 呵呵"):
        reply = await stranger.send(attempt)
        reply.expect(INVALID_CODE)
        assert not [unit for unit in UNITS if unit in reply.text], f"a refusal named a unit: {reply.text}"
    await stranger.command("/new")
    stranger.expect(HOW_TO_JOIN)  # still not joined


async def test_someone_who_has_not_joined_only_learns_how_to_join(bot: Harness) -> None:
    guest = bot.chat(1005)
    for anything in ("/new", "/quota", "/list", "/submit", "/status 1", "/help", "你好"):
        reply = await guest.send(anything)
        reply.expect(HOW_TO_JOIN)
        reply.expect_not("名额", "推荐对象：")
    (await guest.send_photo(png(60, 80))).expect(HOW_TO_JOIN)
    (await guest.send_document(b"%PDF-1.4", "application/pdf", "材料.pdf")).expect(HOW_TO_JOIN)

    # a press on a button of the bot (a forwarded message, an old chat): only the request to join
    press = await guest.press(guest.messages()[-1], "aw:medal:0")
    assert press.alert == "请先发送邀请码完成注册。"
    assert not press.messages


async def test_an_english_speaking_stranger_is_told_how_to_join_in_english(bot: Harness) -> None:
    guest = bot.chat(1006, language="en-GB")
    (await guest.send("hello")).expect("invitation code")
    (await guest.command("/start NO-SUCH-CODE-1")).expect("This invitation code is not valid")


async def test_a_registered_clerk_who_opens_another_invitation_is_told_it_was_not_used(bot: Harness) -> None:
    clerk = await bot.clerk(1007, "郑东新区")
    code = await bot.world.invite(ZHENGZHOU, "中原区")
    (await clerk.command(f"/start {code}")).expect("您已注册为郑东新区的填报人员，本邀请码未被使用")
    await clerk.command("/quota")
    clerk.expect("郑东新区名额情况")

    colleague = bot.chat(1008)  # the code is still good for the person it was meant for
    (await colleague.command(f"/start {code}")).expect("欢迎使用", "中原区填报人员")


async def test_the_office_joins_with_an_office_code(bot: Harness) -> None:
    office = bot.chat(1009)
    (await office.command(f"/start {await bot.world.invite(ZHENGZHOU, None)}")).expect(
        "欢迎使用", "办公室工作人员", CAMPAIGN
    )
    said = await office.command(f"/start {await bot.world.invite(ZHENGZHOU, '中原区')}")
    said.expect("您已注册为办公室工作人员，本邀请码未被使用。", "如需更换单位或角色，请与办公室联系。")
    said.expect_not("填报人员", "—")  # not "the clerk of —"


async def test_the_offices_list_never_reads_none(bot: Harness) -> None:
    clerk = await bot.clerk(1010, "金水区")
    await clerk.nominate("五一劳动奖章", medal("张三", id_number(1010)))
    office = bot.chat(1011)
    await office.command(f"/start {await bot.world.invite(ZHENGZHOU, None)}")
    (await office.command("/list")).expect_not("None")


async def test_a_clerk_joining_a_unit_whose_list_is_handed_in_is_told_so_instead_of_new(bot: Harness) -> None:
    first = await bot.clerk(1101, "二七区")
    await first.nominate("五一劳动奖章", medal("二七甲", id_number(1101)))
    await first.command("/submit")
    await first.tap("提交并放弃上述名额" if "提交并放弃上述名额" in first.buttons else "确定提交")
    first.expect("本单位推荐名单已提交办公室")

    late = bot.chat(1102)
    await late.command(f"/start {await bot.world.invite(ZHENGZHOU, '二七区')}")
    late.expect("欢迎使用", "二七区填报人员", "已提交", "/list", "/help")
    late.expect_not("/new 填报推荐对象")
