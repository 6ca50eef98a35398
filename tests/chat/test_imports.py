"""Excel in the chat (issue 10, imports): the office loads Zhangjiakou's missing allocation table
(附件1) from a workbook — one with a wrong sum is refused naming its row — and a clerk nominates
against it; a clerk fills the /template of an award with 50 rows, 3 of them bad in different
ways, and imports the 47 others, the 3 reported by row, column and reason."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pytest
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import Workbook, load_workbook

from tests.chat.chat import Chat, Harness
from tests.chat.people import labour_model
from tests.chat.world import World
from tests.nominees import PHOTO, QIAODONG, id_number, zhangjiakou_units
from tests.nominees import labour_model as model_answers

ZHANGJIAKOU = "zhangjiakou-2024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def office(bot: Harness, tg_id: int = 9001) -> Chat:
    chat = bot.chat(tg_id, name="办公室")
    code = await bot.world.invite(ZHANGJIAKOU, None)
    await chat.command(f"/start {code}")
    return chat


def received(bot: Harness, chat: Chat) -> bytes:
    """The last file the bot sent to ``chat``."""
    for method in reversed(bot.session.requests):
        if isinstance(method, SendDocument) and int(method.chat_id) == chat.tg_id:
            assert isinstance(method.document, BufferedInputFile)
            return method.document.data
    raise AssertionError("the bot sent no file")


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def allocation(blank: bytes, units: Mapping[str, tuple[int, int, int]], total: tuple[int, int, int]) -> bytes:
    """The office's template filled: a unit per row (劳动模范, 先进工作者, 先进集体), then 合计."""
    book = load_workbook(io.BytesIO(blank))
    sheet = book["名额分配表"]
    assert [c.value for c in sheet[2]] == [
        "序号",
        "推荐单位",
        "张家口市劳动模范",
        "张家口市先进工作者",
        "张家口市先进集体",
    ]
    sheet.delete_rows(3, sheet.max_row)
    for n, (name, places) in enumerate(units.items(), 1):
        sheet.append([n, name, *places])
    sheet.append([None, "合计", *total])
    return saved(book)


# ------------------------------------------------------------------------------ the office's table


@pytest.fixture
async def zhangjiakou(world: World) -> None:
    await world.load_builtin(ZHANGJIAKOU)


@pytest.mark.usefixtures("zhangjiakou")
async def test_the_office_loads_the_allocation_table_from_excel_and_a_clerk_nominates_against_it(
    bot: Harness, world: World
) -> None:
    staff = await office(bot)
    blank = world.allocation_template(ZHANGJIAKOU)
    # one unit's 劳动模范 mistyped: the units add up to 111, the 合计 row (row 5) says 110
    wrong = allocation(blank, {QIAODONG: (3, 2, 2), "张家口市其他推荐单位": (108, 38, 98)}, (110, 40, 100))
    (await staff.send_document(wrong, XLSX, "附件1名额分配表.xlsx")).expect(
        "名额分配表未导入：", "第5行 C列：合计行填写为110，各单位相加为111。"
    )
    # the 合计 row agrees with the units, but not with the award's total of 110
    (
        await staff.send_document(
            allocation(blank, {QIAODONG: (3, 2, 2), "张家口市其他推荐单位": (108, 38, 98)}, (111, 40, 100)),
            XLSX,
            "附件1名额分配表.xlsx",
        )
    ).expect("第5行 C列：张家口市劳动模范各单位名额合计111个，与总数110个不符。")

    right = allocation(blank, {QIAODONG: (3, 2, 2), "张家口市其他推荐单位": (107, 38, 98)}, (110, 40, 100))
    (await staff.send_document(right, XLSX, "附件1名额分配表.xlsx")).expect(
        "名额分配表已导入，评选定义现为第2版。", f"unit_added: units[{QIAODONG}]"
    )
    (await staff.send_document(right, XLSX, "附件1名额分配表.xlsx")).expect("与现行版本（第2版）相同")

    clerk = await bot.clerk(10001, QIAODONG, ZHANGJIAKOU)
    await clerk.command("/new")
    assert "张家口市劳动模范 · 剩余 3/3" in clerk.buttons
    await clerk.tap("张家口市劳动模范")
    await clerk.fill(labour_model("赵志刚", id_number(10001)))
    (await clerk.tap("✔ 确认保存")).expect("赵志刚 · 张家口市劳动模范。", "本单位剩余 2 个名额")

    # a clerk's allocation table changes nothing
    (await clerk.send_document(right, XLSX, "名额分配表.xlsx")).expect("名额分配表由办公室导入")
    # and a table that would take 桥东区's places away from its saved nominee is refused
    gone = allocation(blank, {"张家口市其他推荐单位": (110, 40, 100)}, (110, 40, 100))
    (await staff.send_document(gone, XLSX, "名额分配表.xlsx")).expect("名额分配表未导入：将与已保存的推荐对象冲突。")


@pytest.mark.usefixtures("zhangjiakou")
async def test_workbooks_that_are_no_table_are_refused_in_one_sentence(bot: Harness) -> None:
    staff = await office(bot)
    (await staff.send_document(b"PK\x03\x04 not really", XLSX, "表.xlsx")).expect("该文件不是Excel工作簿（.xlsx）")
    book = Workbook()
    assert book.active is not None
    book.active["A1"] = "随便一张表"
    (await staff.send_document(saved(book), XLSX, "表.xlsx")).expect("该工作簿中没有“名额分配表”工作表")
    (await staff.send_document(b"x", XLSX, "大.xlsx", size=6 * 1024 * 1024)).expect("文件超过5 MB")
    (await staff.command("/template")).expect("该命令供各推荐单位填报人员使用")
    formula = Workbook()
    sheet = formula.active
    assert sheet is not None
    sheet.title = "名额分配表"
    sheet.append(["序号", "推荐单位", "张家口市劳动模范", "张家口市先进工作者", "张家口市先进集体"])
    sheet.append([1, QIAODONG, "=100+10", 40, 100])
    (await staff.send_document(saved(formula), XLSX, "表.xlsx")).expect("单元格C2含有公式")


# ------------------------------------------------------------------------------ a clerk's template


@pytest.fixture
async def allocated(world: World) -> None:
    await world.load_definition(world.builtin_text(ZHANGJIAKOU) + zhangjiakou_units(model=60))


def fill_template(blank: bytes, rows: list[dict[str, Any]]) -> bytes:
    """The template with one row per nominee, each cell under the column headed by its question."""
    book = load_workbook(io.BytesIO(blank))
    sheet = book["推荐对象"]
    header = [c.value for c in sheet[1]]
    for ri, row in enumerate(rows, 2):
        for title, value in row.items():
            cell = sheet.cell(ri, header.index(title) + 1)
            cell.value = value
    return saved(book)


def template_row(n: int, world: World) -> dict[str, Any]:
    """A Zhangjiakou 劳动模范 as the template's columns name the answers (no photo)."""
    campaign = world.campaign(ZHANGJIAKOU)
    answers = model_answers(f"劳模{chr(0x4E00 + n)}", id_number(20000 + n))
    row: dict[str, Any] = {"人员类别": answers.pop("category")}
    answers.pop("photo")
    for key, value in answers.items():
        row[campaign.fields[key].label] = value
    return row


@pytest.mark.usefixtures("allocated")
async def test_a_template_of_50_rows_with_3_bad_ones_imports_47_and_reports_the_3(bot: Harness, world: World) -> None:
    clerk = await bot.clerk(10001, QIAODONG, ZHANGJIAKOU)
    await clerk.command("/template")
    clerk.expect("请选择需要哪个奖项的填报模板")
    (await clerk.tap("张家口市劳动模范")).expect("张家口市劳动模范填报模板", "/edit N 逐个补充照片")
    blank = received(bot, clerk)
    sheet = load_workbook(io.BytesIO(blank))["推荐对象"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["人员类别", "姓名", "身份证号码"] and "2寸彩色近照" not in header
    assert sheet.data_validations.dataValidation, "choices have drop-down lists"
    assert sheet.cell(2, header.index("身份证号码") + 1).number_format == "@"

    rows = [template_row(n, world) for n in range(50)]
    rows[0]["联系电话"] = "１３８０３１３２２４５"  # full-width digits, as a Chinese keyboard types them
    bad_id = id_number(20010)
    rows[10]["身份证号码"] = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")  # sheet row 12: check digit
    rows[20]["民族"] = "火星族"  # sheet row 22: not one of the drop-down's choices
    rows[30]["身份证号码"] = rows[5]["身份证号码"]  # sheet row 32: the same person as row 7
    filled = fill_template(blank, rows)
    id_col = chr(ord("A") + header.index("身份证号码"))
    nation_col = chr(ord("A") + header.index("民族"))

    report = await clerk.send_document(filled, XLSX, "劳模.xlsx")
    report.expect(
        "共填写50行：47行可以导入，3行未通过：",
        f"第12行 {id_col}列：身份证号码：",
        f"第22行 {nation_col}列：民族：",
        f"第32行 {id_col}列：与第7行为同一推荐对象。",
    )
    assert report.text.count("• 第") == 3
    offer = clerk.keyboard_message()
    await clerk.command("/quota")
    clerk.expect("张家口市劳动模范：已用 0/60")  # nothing yet: the clerk decides

    pressed = offer.button("导入通过的47行").data
    assert pressed is not None
    await bot.restart()  # the rows wait in the database, not in the process
    (await clerk.tap("导入通过的47行")).expect("已导入47名推荐对象（#1–#47）", "发送 /edit N 添加")
    await clerk.command("/quota")
    clerk.expect("张家口市劳动模范：已用 47/60")
    await clerk.command("/status 1")
    clerk.expect("劳模一", "联系电话：138****2245")
    assert "过期" in (await clerk.press(offer, pressed)).alert  # imported once, never twice
    await clerk.command("/quota")
    clerk.expect("张家口市劳动模范：已用 47/60")


@pytest.mark.usefixtures("allocated")
async def test_an_imported_nominee_gets_its_photo_with_edit(bot: Harness, world: World) -> None:
    clerk = await bot.clerk(10001, QIAODONG, ZHANGJIAKOU)
    await clerk.command("/template")
    await clerk.tap("张家口市劳动模范")
    filled = fill_template(received(bot, clerk), [template_row(1, world)])
    (await clerk.send_document(filled, XLSX, "劳模.xlsx")).expect("已导入1名推荐对象（#1）")
    (await clerk.command("/status 1")).expect("2寸彩色近照：（未填写）", "未填写：2寸彩色近照")
    (await clerk.command("/edit 1")).expect("尚有 1 项未填写。")
    await clerk.tap("继续填写")
    assert clerk.question == "2寸彩色近照"
    await clerk.send_photo(PHOTO)
    (await clerk.tap("✔ 确认保存")).expect("劳模丁 · 张家口市劳动模范")
    (await clerk.command("/status 1")).expect_not("未填写：")


@pytest.mark.usefixtures("allocated")
async def test_a_clerk_may_import_nothing_and_a_workbook_not_of_this_bot_is_refused(bot: Harness, world: World) -> None:
    clerk = await bot.clerk(10001, QIAODONG, ZHANGJIAKOU)
    await clerk.command("/template")
    await clerk.tap("张家口市劳动模范")
    rows = [template_row(1, world), template_row(2, world) | {"姓名": "🙂"}]
    (await clerk.send_document(fill_template(received(bot, clerk), rows), XLSX, "劳模.xlsx")).expect(
        "共填写2行：1行可以导入，1行未通过：", "第3行 B列：姓名："
    )
    (await clerk.tap("全部不导入")).expect("未导入任何推荐对象。可修改文件后重新发送。")
    await clerk.command("/quota")
    clerk.expect("张家口市劳动模范：已用 0/60")

    (await clerk.send_document(saved(Workbook()), XLSX, "随便.xlsx")).expect("该工作簿不是本系统的填报模板")
    await clerk.command("/template")
    await clerk.tap("张家口市先进工作者")
    worker = received(bot, clerk)
    assert load_workbook(io.BytesIO(worker))["推荐对象"]["A1"].value == "人员类别"
    (await clerk.send_document(worker, XLSX, "先进工作者.xlsx")).expect("表格中没有填写任何一行。")
