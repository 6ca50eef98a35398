"""Exports, as the clerk and the office get them: every file opened with openpyxl and with
python-calamine, headers and row counts checked, ID numbers read back exactly, no formula in any
sheet, no 涉敏 nominee in the 公示 list, photos within the campaign's pixel limit."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import openpyxl
from PIL import Image

from app import exports
from core.loader import load_builtin
from core.records import NomineeInfo
from core.refusals import OfficeOnly, UnitUnknown
from core.tables import Filler
from sheets.exports import PhotoFile, photo_zips
from tests.nominees import id_number, jpeg, person, team
from tests.sheets import body, header_row, read_both, sheet_xml

from .story import AIRPORT, JINSHUI, World

MEDAL_COLUMNS = [
    "序号", "推荐单位", "姓名", "性别", "民族", "年龄", "政治面貌", "工作单位及职务（职级）", "职称", "技术等级",
    "单位类型", "单位性质", "人员身份", "曾获最高荣誉", "备注",
]  # fmt: skip


async def _export(world: World, user, kind: str, **options) -> exports.ExportFile:
    snap = await world.nothing_written(exports.snapshot(world.ports, user, **options))
    files = await exports.build(world.ports, snap, kind, exports.filler(snap, "李经办", "13803710000"))
    assert len(files) == 1
    return files[0]


async def test_a_clerk_exports_the_medal_table_of_their_unit_to_sign_and_stamp(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 4001)
    x_number = id_number(19)  # ends in X
    await zz.saved(me, "medal", person(19, "一线科教人员"))
    await zz.saved(me, "medal", person(2, "一线产业工人", sensitive="是"))
    await zz.saved(me, "medal", person(3, "一线科教人员", employer='=HYPERLINK("http://x") 车间主任'))
    other = await zz.clerk(AIRPORT, 4002)
    await zz.saved(other, "medal", person(4, "一线产业工人"))

    file = await _export(zz, me, "medal")
    assert file.filename == "2024年郑州市五一劳动奖章推荐对象情况汇总表-金水区.xlsx"
    (rows,) = read_both(file.data).values()
    assert rows[0][0] == "2024年郑州市五一劳动奖章推荐对象情况汇总表"
    assert rows[1][0] == "填报单位：金水区    填报人：李经办    联系电话：13803710000"
    assert rows[header_row(rows)] == MEDAL_COLUMNS
    listed = body(rows)
    assert [r[2] for r in listed] == ["张19", "张2", "张3"]  # only the clerk's own unit
    assert [r[0] for r in listed] == [1, 2, 3]
    assert listed[0][3] == "男" and listed[0][12] == "一线科教人员"
    assert listed[1][14] == "涉敏信息对象（仅基层公示）"
    assert listed[2][7] == '=HYPERLINK("http://x") 车间主任'  # literal text, not a formula
    assert rows[-1][0].startswith("推荐单位领导（签名）")  # the signatures and seal the notice asks for
    assert x_number not in str(rows)  # the summary has no ID column; the ID check is below
    # a string cell, and quote-prefixed: editing it in Excel keeps it text too
    assert re.search(r'<c r="H6" s="\d+" t="inlineStr"><is><t>=HYPERLINK', sheet_xml(file.data))
    cell = openpyxl.load_workbook(io.BytesIO(file.data)).active["H6"]
    assert cell.data_type == "s" and cell.quotePrefix


async def test_id_and_phone_numbers_read_back_exactly_as_text() -> None:
    """A table whose columns include the ID and phone (an office may define one): never 4.1e+17."""
    from core.campaign import Column, Table
    from core.tables import summary
    from sheets.exports import summary_xlsx

    campaign = load_builtin("zhengzhou-2024")
    table = Table(
        key="ids",
        title="身份证号核对表",
        awards=["medal"],
        columns=[Column(title="序号", source="#"), Column(title="姓名", source="name"),
                 Column(title="身份证号码", source="id_number"), Column(title="联系电话", source="phone")],
    )  # fmt: skip
    now = datetime(2024, 3, 1, tzinfo=UTC)
    numbers = [id_number(n) for n in (1, 19, 23, 400, 801)]
    nominees = [
        NomineeInfo(i, "zhengzhou-2024", JINSHUI, "medal", "submitted",
                    person(n, "一线产业工人", phone="+8613803712345" if i == 2 else "013803712345"), None, 1, now, now)
        for i, n in enumerate((1, 19, 23, 400, 801), 1)
    ]  # fmt: skip
    rows = summary(campaign, table, nominees, Filler(JINSHUI), now.date(), city_wide=False)
    (read,) = read_both(summary_xlsx(rows)).values()
    listed = body(read)
    assert [r[2] for r in listed] == numbers
    assert [r[3] for r in listed] == ["013803712345", "+8613803712345", "013803712345", "013803712345", "013803712345"]


async def test_the_publicity_list_leaves_out_the_sensitive_nominee_and_shows_only_what_may_be_published(
    zz: World,
) -> None:
    me = await zz.clerk(JINSHUI, 4011)
    await zz.saved(me, "medal", person(1, "一线科教人员"))
    await zz.saved(me, "medal", person(2, "一线产业工人", sensitive="是"))
    await zz.saved(me, "pioneer", team(5, team_name="第5班组"))
    office = await zz.office(4012)

    file = await _export(zz, office, exports.PUBLICITY)
    sheets = read_both(file.data)
    medal, pioneer = sheets.values()
    assert medal[header_row(medal)] == ["序号", "推荐单位", "姓名", "工作单位及职务", "简要事迹"]
    assert [r[2] for r in body(medal)] == ["张1"]  # 张2 is 涉敏: not in any public list
    assert "张2" not in str(sheets) and id_number(1) not in str(sheets) and "13803712345" not in str(sheets)
    assert pioneer[header_row(pioneer)] == ["序号", "推荐单位", "单位名称", "简要事迹"]
    assert [r[2] for r in body(pioneer)] == ["郑州第5机械厂第5班组"]  # the complete name


async def test_the_office_exports_the_whole_campaign_a_clerk_may_not(zz: World) -> None:
    a, b = await zz.clerk(JINSHUI, 4021), await zz.clerk(AIRPORT, 4022)
    await zz.saved(a, "medal", person(1, "一线科教人员"))
    await zz.saved(b, "medal", person(2, "一线产业工人"))
    assert await zz.rejected(exports.snapshot(zz.ports, a, everyone=True)) == OfficeOnly()
    assert await zz.rejected(exports.snapshot(zz.ports, a, unit=AIRPORT)) == OfficeOnly()
    office = await zz.office(4023)
    assert await zz.rejected(exports.snapshot(zz.ports, office, unit="火星区")) == UnitUnknown("火星区")

    file = await _export(zz, office, "medal")
    (rows,) = read_both(file.data).values()
    assert rows[1][0].startswith("填报单位：郑州市总工会劳动和经济工作部")
    assert [(r[1], r[2]) for r in body(rows)] == [(AIRPORT, "张2"), (JINSHUI, "张1")]  # the notice's unit order


async def test_opinion_forms_one_sheet_per_individual_with_name_and_post(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 4031)
    await zz.saved(me, "medal", person(1, "一线科教人员"))
    await zz.saved(me, "medal", person(2, "一线产业工人"))
    await zz.saved(me, "pioneer", team(5))
    file = await _export(zz, me, exports.OPINIONS)
    sheets = read_both(file.data)
    assert list(sheets) == ["张1-金水区", "张2-金水区"]
    form = sheets["张1-金水区"]
    assert form[0][0] == "2024年郑州市五一劳动奖章推荐对象" and form[1][0] == "有关部门签署意见表"
    assert form[2] == ["姓名", "张1", "单位及职务", "郑州某电子科技有限公司 装配车间班长"]
    assert [r[0] for r in form[3:6]] == ["公安部门意见", "组织人事部门意见", "纪检监察部门意见"]
    assert all("（盖  章）" in r[1] and "年    月    日" in r[1] for r in form[3:6])


async def test_the_allocation_table_shows_used_and_left_beside_each_number(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 4041)
    await zz.saved(me, "medal", person(1, "一线科教人员"))
    office = await zz.office(4042)
    file = await _export(zz, office, exports.ALLOCATION)
    (rows,) = read_both(file.data).values()
    awards = ["郑州市工人先锋号", "郑州市五一劳动奖章", "郑州市五一劳动奖状"]
    assert rows[1] == ["序号", "单位", *(a if i == 0 else None for a in awards for i in range(3))]
    assert rows[2] == [None, None, *["分配名额", "已用", "剩余"] * 3]
    jinshui = next(r for r in rows if r[1] == JINSHUI)
    assert jinshui[5:8] == [
        "6（一线产业工人1、一线科教2、非公新业态农民工2）",
        "1（一线产业工人0、一线科教1、非公新业态农民工0）",
        5,
    ]
    plain = next(r for r in rows if r[1] == "市文教卫工会")  # 先锋号 2 with no "of which": a number
    assert plain[2:5] == [2, 0, 2]
    total = next(r for r in rows if r[1] == "合计")
    assert total[2] == 80 and total[5] == 120 and total[6] == 1 and total[7] == 119
    pools = rows[[r[1] for r in rows].index("全市统筹名额") :]
    assert [r[1:5] for r in pools] == [
        ["全市统筹名额", "名额", "已用", "剩余"],
        ["科级领导干部", 4, 0, 4],
        ["企业负责人", 7, 0, 7],
    ]
    assert len([r for r in rows if isinstance(r[0], int)]) == len(zz_units()) + 2  # the units, then 2 pools


def zz_units() -> list[str]:
    return [u.name for u in load_builtin("zhengzhou-2024").units]


async def test_photos_are_jpegs_named_unit_name_within_the_pixel_limit(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 4051)
    big = await zz.files.put(jpeg(1700, 2552), "image/jpeg", "a.jpg", 4051, datetime(2024, 3, 1, tzinfo=UTC))
    small = await zz.files.put(jpeg(300, 420, "navy"), "image/jpeg", "b.jpg", 4051, datetime(2024, 3, 1, tzinfo=UTC))
    await zz.saved(me, "medal", person(1, "一线科教人员", photo=big))
    await zz.saved(me, "medal", person(2, "一线产业工人", photo=small))
    snap = await zz.nothing_written(exports.snapshot(zz.ports, me))
    (file,) = await exports.build(zz.ports, snap, exports.PHOTOS, exports.filler(snap))
    assert file.filename == "照片-金水区.zip" and file.count == 2
    with zipfile.ZipFile(io.BytesIO(file.data)) as zf:
        assert zf.namelist() == ["金水区-张1.jpg", "金水区-张2.jpg"]
        for name in zf.namelist():
            with Image.open(io.BytesIO(zf.read(name))) as img:
                assert img.format == "JPEG" and img.width <= 850 and img.height <= 1276


def test_photos_over_the_telegram_limit_are_split_into_parts() -> None:
    photo = jpeg(800, 1000)
    parts = photo_zips([PhotoFile("金水区", f"张{n}", photo) for n in range(5)], "照片-金水区", len(photo) * 2 + 1000)
    assert [name for name, _ in parts] == ["照片-金水区-1.zip", "照片-金水区-2.zip", "照片-金水区-3.zip"]
    names = [n for _, data in parts for n in zipfile.ZipFile(io.BytesIO(data)).namelist()]
    assert names == [f"金水区-张{n}.jpg" for n in range(5)]
    assert all(len(data) <= len(photo) * 2 + 1000 for _, data in parts)


def test_whatever_a_clerk_typed_reads_back_as_typed_and_never_as_a_formula() -> None:
    from core.tables import summary
    from sheets.exports import summary_xlsx

    campaign = load_builtin("zhengzhou-2024")
    now = datetime(2024, 3, 1, tzinfo=UTC)
    typed = ["=1+2", "+86 138", "-5", "@SUM(A1)", "#N/A", "  两边空格  ", 'A&B <公司> "引号"', "甲\x0b乙", "0012"]
    nominees = [
        NomineeInfo(
            i, campaign.id, JINSHUI, "medal", "saved", person(i, "一线产业工人", employer=text), None, 1, now, now
        )
        for i, text in enumerate(typed, 1)
    ]
    data = summary_xlsx(summary(campaign, campaign.tables[0], nominees, Filler(JINSHUI), now.date(), city_wide=False))
    (rows,) = read_both(data).values()  # openpyxl and calamine agree; no <f> in the sheet
    shown = [r[7] for r in body(rows)]
    assert shown == [t.replace("\x0b", "\ufffd") for t in typed]
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [ws.cell(row=4 + i, column=8) for i in range(len(typed))]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [t.startswith(("=", "+", "-", "@")) for t in typed]


def test_zhangjiakou_attachments_2_and_3_have_the_notices_columns_and_a_row_per_nominee() -> None:
    from core.tables import opinions, summary
    from sheets.exports import opinions_xlsx, summary_xlsx
    from tests.nominees import labour_model, stored

    zjk = load_builtin("zhangjiakou-2024")
    now = datetime(2024, 3, 25, tzinfo=UTC)
    people = [
        NomineeInfo(i, zjk.id, "桥西区", "model", "submitted", stored(labour_model(f"王{i}", id_number(i))), None, 1,
                    now, now)
        for i in (1, 2)
    ]  # fmt: skip
    workshop = {"category": "车间", "org_name": "焊接车间", "parent_org": "张家口某机械制造有限公司",
                "legal_rep": None, "staff_count": 86, "ownership": "国有", "highest_honour": "河北省工人先锋号",
                "sensitive": "否"}  # fmt: skip
    groups = [NomineeInfo(3, zjk.id, "桥西区", "collective", "accepted", workshop, None, 1, now, now)]
    who = Filler("桥西区", "赵经办", "0313-8012345")
    tables = {t.key: t for t in zjk.tables}

    (individuals,) = read_both(summary_xlsx(summary(zjk, tables["individuals"], people, who, now.date(),
                                                    city_wide=False))).values()  # fmt: skip
    assert individuals[0][0] == "2024年张家口市劳动模范和先进工作者汇总表"
    assert individuals[1][0] == "填报单位：桥西区    填报人：赵经办    联系电话：0313-8012345"
    assert individuals[2] == [
        "序号", "姓名", "性别", "民族", "年龄", "政治面貌", "工作单位及职务（职级）", "职称", "职称级别", "技术等级",
        "单位类型", "单位性质", "人员结构", "曾获最高荣誉", "备注",
    ]  # fmt: skip
    assert body(individuals) == [
        [1, "王1", "男", "汉族", 39, "群众", "张家口某机械制造有限公司 焊工", None, None, "技师", "企业", "国有",
         "一线工人", None, None],
        [2, "王2", "男", "汉族", 39, "群众", "张家口某机械制造有限公司 焊工", None, None, "技师", "企业", "国有",
         "一线工人", None, None],
    ]  # fmt: skip

    (collectives,) = read_both(summary_xlsx(summary(zjk, tables["collectives"], groups, who, now.date(),
                                                    city_wide=False))).values()  # fmt: skip
    assert collectives[0][0] == "2024年张家口市先进集体汇总表"
    assert collectives[2] == [
        "序号", "单位名称（或及车间/工段/班组/科室）", "法人代表", "单位人数", "单位类型", "单位性质", "曾获最高荣誉",
        "备注",
    ]  # fmt: skip
    assert body(collectives) == [
        [1, "张家口某机械制造有限公司焊接车间", None, 86, "车间", "国有", "河北省工人先锋号", None]
    ]

    forms = read_both(opinions_xlsx(zjk.opinion_form, opinions(zjk, [*people, *groups])))  # type: ignore[arg-type]
    assert list(forms) == ["王1-桥西区", "王2-桥西区"]  # individuals only
    form = forms["王1-桥西区"]
    assert [form[0][0], form[1][0]] == ["2024年张家口市劳动模范和先进工作者", "相关部门签署意见表"]
    assert form[2] == ["姓名", "王1", "单位及职务", "张家口某机械制造有限公司 焊工"]
    assert [r[0] for r in form[3:5]] == ["组织人事部门意见", "纪检监察部门意见"]
    assert form[5][0].startswith("注：此表由县级以上有关部门签署意见")


async def test_a_clerks_allocation_table_is_their_units_row_with_its_own_sums(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 4061)
    await zz.saved(me, "medal", person(1, "一线科教人员"))
    (rows,) = read_both((await _export(zz, me, exports.ALLOCATION)).data).values()
    units = {u for u in zz_units()}
    assert {r[1] for r in rows if isinstance(r[0], int)} & units == {JINSHUI}  # no other unit's row
    total = next(r for r in rows if r[1] == "合计")
    assert total[2:8] == [2, 0, 2, 6, 1, 5]


def test_a_summary_table_is_laid_out_for_print_as_excel_reads_it_back() -> None:
    """What a clerk sees in Excel before printing: the merged title, thin borders round every body
    cell (empty ones too), wrapped text, widths, the header frozen and repeated on each page, A4
    landscape fitted to one page wide, the ID column shown as text."""
    from core.campaign import Column, Table
    from core.tables import summary
    from sheets.exports import summary_xlsx

    campaign = load_builtin("zhengzhou-2024")
    columns = [Column(title="序号", source="#"), Column(title="姓名", source="name"),
               Column(title="身份证号码", source="id_number"), Column(title="备注", source="remarks")]  # fmt: skip
    table = Table(key="ids", title="身份证号核对表", awards=["medal"], columns=columns)
    now = datetime(2024, 3, 1, tzinfo=UTC)
    people = [
        NomineeInfo(i, campaign.id, JINSHUI, "medal", "saved", person(i, "一线产业工人"), None, 1, now, now)
        for i in (1, 2)
    ]
    data = summary_xlsx(summary(campaign, table, people, Filler(JINSHUI), now.date(), city_wide=False))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active

    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.b and ws["A1"].font.sz == 16
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in ("9", 9)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["C"].width >= 18  # an 18-digit ID number fits
    head = ws["A3"]
    assert head.value == "序号" and head.font.b and head.border.left.style == "thin"
    for row in ws.iter_rows(min_row=4, max_row=5):
        for cell in row:  # 备注 is empty: still bordered
            assert [cell.border.left.style, cell.border.right.style, cell.border.top.style,
                    cell.border.bottom.style] == ["thin"] * 4, cell.coordinate  # fmt: skip
            assert cell.alignment.wrap_text and cell.font.name == "宋体", cell.coordinate
    assert ws["C4"].value == id_number(1) and ws["C4"].number_format == "@"
    assert ws["D4"].value is None
