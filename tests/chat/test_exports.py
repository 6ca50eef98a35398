"""/export and /export_all: a clerk gets their unit's table as an Excel document to print, sign and
stamp; the office gets every unit's; a clerk asking for every unit's is refused."""

from __future__ import annotations

from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile

from tests.chat.chat import Harness
from tests.chat.people import medal
from tests.nominees import id_number
from tests.sheets import body, read_both

MEDAL = "五一劳动奖章"
MEDAL_TABLE = "2024年郑州市五一劳动奖章推荐对象情况汇总表"


def last_document(bot: Harness) -> tuple[str, bytes]:
    sent = [r for r in bot.session.requests if isinstance(r, SendDocument)]
    assert sent, "no document was sent"
    document = sent[-1].document
    assert isinstance(document, BufferedInputFile)
    return document.filename or "", document.data


async def test_a_clerk_exports_the_units_medal_table_and_the_office_every_units(bot: Harness) -> None:
    clerk = await bot.clerk(7001, "金水区")
    await clerk.nominate(MEDAL, medal("李明", id_number(7001), "一线科教人员"))
    other = await bot.clerk(7002, "中原区")
    await other.nominate(MEDAL, medal("王强", id_number(7002), "一线科教人员"))

    asked = await clerk.command("/export")
    asked.expect("请选择要导出的金水区表格")
    assert MEDAL_TABLE in asked.buttons and "公示名单" in asked.buttons and "照片（JPG）" in asked.buttons
    (await clerk.tap(MEDAL_TABLE)).expect(f"{MEDAL_TABLE}-金水区.xlsx：共 1 条")
    name, data = last_document(bot)
    assert name == f"{MEDAL_TABLE}-金水区.xlsx"
    (rows,) = read_both(data).values()
    assert rows[1][0] == "填报单位：金水区    填报人：填报人    联系电话："  # the clerk's Telegram name
    assert [r[2] for r in body(rows)] == ["李明"]  # not 中原区's 王强

    (await clerk.command("/export_all")).expect("此操作仅限评选办公室使用")

    office = bot.chat(7003)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    await office.command("/export_all")
    (await office.tap(MEDAL_TABLE)).expect(f"{MEDAL_TABLE}-全市.xlsx：共 2 条")
    (rows,) = read_both(last_document(bot)[1]).values()
    assert [(r[1], r[2]) for r in body(rows)] == [("中原区", "王强"), ("金水区", "李明")]

    (await office.command("/export_all 中原区")).expect("请选择要导出的中原区表格")
    await office.tap(MEDAL_TABLE)
    (rows,) = read_both(last_document(bot)[1]).values()
    assert [r[2] for r in body(rows)] == ["王强"]
