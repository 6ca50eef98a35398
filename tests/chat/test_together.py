"""Clerks working together, and buttons or numbers that name nothing: two clerks of one unit
editing the same nominee never silently undo each other's change, and a forged or far-out id — in
a button or after a command — is answered as outdated or "no such nominee", never as an error."""

from __future__ import annotations

import pytest

from tests.chat.chat import Harness
from tests.chat.people import medal
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
OUTDATED = "此消息已过期，请在最新的消息中操作。"
NO_SUCH = "本单位推荐名单中无此推荐对象。"


async def test_a_second_clerk_saving_an_edit_opened_before_the_first_ones_save_is_refused_with_what_changed(
    bot: Harness,
) -> None:
    first = await bot.clerk(8801, "郑东新区")
    second = await bot.clerk(8802, "郑东新区")
    number = await first.nominate(MEDAL, medal("陈立新", id_number(8801)))
    await first.command(f"/edit {number}")
    await second.command(f"/edit {number}")  # both cards opened on the same record

    await first.tap("✎ 联系电话")
    await first.send("13912345678")
    (await first.tap("✔ 确认保存")).expect(f"#{number} 陈立新")

    await second.tap("✎ 工作单位及职务")
    await second.send("郑州某电子科技有限公司 总装车间主任")
    refused = await second.tap("✔ 确认保存")
    refused.expect(
        f"未保存。您打开第 {number} 号推荐对象后，该信息已被他人修改",
        "本单位其他填报人员：已修改（联系电话）",
        "请重新打开该推荐对象的当前信息",
    )
    refused.expect_not("13912345678", id_number(8801))  # what changed, never the values
    assert f"打开第 {number} 号推荐对象的当前信息" in second.buttons

    await second.tap(f"打开第 {number} 号推荐对象的当前信息")
    second.expect(f"正在修改 #{number}。", "13912345678")  # the record as the first clerk left it
    await second.tap("✎ 工作单位及职务")
    await second.send("郑州某电子科技有限公司 总装车间主任")
    (await second.tap("✔ 确认保存")).expect(f"#{number} 陈立新")

    await first.command(f"/status {number}")
    first.expect("139****5678", "总装车间主任")  # both changes kept


async def test_an_edit_saved_twice_by_the_same_clerk_is_not_a_conflict(bot: Harness) -> None:
    clerk = await bot.clerk(8803, "郑东新区")
    number = await clerk.nominate(MEDAL, medal("陈立志", id_number(8803)))
    for phone in ("13912345678", "13712345678"):
        await clerk.command(f"/edit {number}")
        await clerk.tap("✎ 联系电话")
        await clerk.send(phone)
        (await clerk.tap("✔ 确认保存")).expect(f"#{number} 陈立志")


@pytest.mark.parametrize(
    "data",
    [
        "it:show:99999999999999999999",  # beyond SQLite's 64 bits
        "it:show:2147483648",  # beyond PostgreSQL's 32-bit integer
        "it:edit:0",
        "it:withdraw:-1",
        "it:alt:2147483648",
        "aw:medal:2147483648",
        "pg:99999999999999999999999",
        "pk:category:4294967296",
    ],
)
async def test_a_button_naming_an_id_out_of_range_is_outdated(bot: Harness, data: str) -> None:
    clerk = await bot.clerk(8804, "郑东新区")
    await clerk.command("/new")  # the award menu: a message with buttons, as a forged press would come from
    pressed = await clerk.press(clerk.keyboard_message(), data)
    assert pressed.alert == OUTDATED


async def test_an_alternate_started_for_a_nominee_that_is_not_in_the_list_is_refused_before_any_question(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(8805, "郑东新区")
    worker = await clerk.nominate(MEDAL, medal("陈立强", id_number(8805)))  # needs no alternate
    await clerk.command("/new")
    (await clerk.press(clerk.keyboard_message(), "aw:medal:2147483647")).expect(NO_SUCH)
    (await clerk.press(clerk.keyboard_message(), f"aw:medal:{worker}")).expect("该推荐对象无需推荐备选人员。")
    await clerk.command("/new")
    clerk.expect_not("继续填写")  # no draft was started


@pytest.mark.parametrize("args", ["2147483648", "99999999999999999999", "0", "＃0"])
@pytest.mark.parametrize("command", ["/status", "/edit", "/withdraw"])
async def test_a_command_naming_a_number_no_nominee_can_have_says_there_is_no_such_nominee(
    bot: Harness, command: str, args: str
) -> None:
    clerk = await bot.clerk(8806, "郑东新区")
    (await clerk.command(f"{command} {args}")).expect(NO_SUCH)
