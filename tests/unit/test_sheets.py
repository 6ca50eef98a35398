"""Uploaded workbooks (sheets/reading.py) and the two tables read from them (core/imports.py): a
file that is no workbook, a zip bomb, a formula, a wrong sheet, a missing column, 10,000 rows,
full-width digits and emoji — each refused or read as the office and the clerks need it."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from core.campaign import Allocation, Reserved
from core.errors import ChoiceInvalid, IdChecksum, NameInvalid, TextWords
from core.imports import allocation_header, nest, read_allocation, template_columns, with_units
from core.loader import builtin_text, load_builtin, parse
from core.sheetproblems import (
    Answer,
    CellProblem,
    ColumnMissing,
    FileTooLarge,
    FormulaFound,
    Inflates,
    NotCount,
    NotOurTemplate,
    NotWorkbook,
    ReservedOverCap,
    RowRepeated,
    SheetError,
    SheetMissing,
    SumWrong,
    TooManyRows,
    UnitRepeated,
    column_letter,
)
from sheets.allocation import allocation_template, read_allocation_file
from sheets.reading import Limits, check_package, defused, read_sheet
from sheets.template import nominee_template, read_nominees
from tests.nominees import DEEDS, id_number, labour_model

TODAY = date(2024, 3, 15)
ZHENGZHOU = load_builtin("zhengzhou-2024")
ZHANGJIAKOU = load_builtin("zhangjiakou-2024")


def xlsx(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problem(data: bytes, sheet: str = "Sheet") -> Any:
    with pytest.raises(SheetError) as caught:
        read_sheet(data, sheet)
    return caught.value.problem


# ------------------------------------------------------------------------------ the file


def test_openpyxl_parses_through_defusedxml() -> None:
    assert defused()


@pytest.mark.parametrize(
    "data",
    [b"", b"just text", b"PK\x03\x04broken zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600],
    ids=["empty", "text", "broken-zip", "old-xls-or-encrypted"],
)
def test_what_is_not_an_xlsx_is_not_a_workbook(data: bytes) -> None:
    assert problem(data) == NotWorkbook()


def test_a_zip_without_a_workbook_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w/>")
        package.writestr("[Content_Types].xml", "<Types/>")
    assert problem(out.getvalue()) == NotWorkbook()


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened() -> None:
    assert problem(b"PK" + b"\0" * (5 * 1024 * 1024)) == FileTooLarge(5)


def test_a_zip_bomb_is_refused_from_the_zip_directory() -> None:
    book = Workbook()
    data = xlsx(book)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in src.infolist():
            bomb.writestr(info, src.read(info))
        bomb.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))  # 8 MB that pack to 8 KB
    assert problem(out.getvalue()) == Inflates(50, 100)
    # and the total: many parts each under the ratio, together beyond the limit
    with pytest.raises(SheetError) as caught:
        check_package(out.getvalue(), Limits(max_unpacked=1024 * 1024, max_ratio=10_000))
    assert caught.value.problem == Inflates(1, 10_000)


def test_a_formula_is_refused_naming_its_cell() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "推荐单位"
    sheet["C7"] = "=SUM(C2:C6)"
    assert problem(xlsx(book)) == FormulaFound("C7")


def test_only_the_expected_sheet_is_read() -> None:
    book = Workbook()
    assert problem(xlsx(book), "名额分配表") == SheetMissing("名额分配表")


def test_10000_rows_are_too_many() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet")
    for n in range(10_000):
        sheet.append([n, "x"])
    assert problem(xlsx(book)) == TooManyRows(2000)


def test_column_letters_run_past_z() -> None:
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == ["A", "C", "Z", "AA", "AB", "ZZ", "AAA"]


# ------------------------------------------------------------------------------ the allocation table


def test_the_zhengzhou_allocation_table_round_trips_through_excel_nested_sub_quotas_included() -> None:
    read = read_allocation_file(ZHENGZHOU, allocation_template(ZHENGZHOU))
    assert read.problems == []
    assert read.units == ZHENGZHOU.units  # 企业班组 3，其中非公 2 nests; 非公 1 alone stands alone


def test_overlapping_kinds_nest_in_the_award_s_order_and_disjoint_ones_stand_side_by_side() -> None:
    pioneer = ZHENGZHOU.award("pioneer")
    assert nest(pioneer, {"enterprise": 3, "nonpublic": 2}) == [
        Reserved(kind="enterprise", count=3, children=[Reserved(kind="nonpublic", count=2)])
    ]
    medal = ZHENGZHOU.award("medal")
    assert [n.kind for n in nest(medal, {"industrial": 4, "scitech": 1})] == ["industrial", "scitech"]


def table(rows: list[list[Any]]) -> list[list[Any]]:
    header = ["序号", "推荐单位", *(title for title, _award, _kind in allocation_header(ZHANGJIAKOU))]
    return [["2024年张家口市名额分配表"], header, *rows]


def test_every_error_of_an_allocation_table_names_its_row_and_column() -> None:
    read = read_allocation(
        ZHANGJIAKOU,
        table(
            [
                [1, "桥东区总工会", "３", 2, 2],  # full-width digits are numbers
                [2, "桥西区总工会", "三", 2, 2],
                [3, "桥东区总工会", 1, 1, 1],
                [4, "宣化区总工会", -1, 1, 1],
            ]
        ),
    )
    assert read.problems == [
        CellProblem(4, "C", NotCount("三")),
        CellProblem(5, "B", UnitRepeated("桥东区总工会", 3)),
        CellProblem(6, "C", NotCount("-1")),
    ]
    assert read.units[0].quotas["model"] == Allocation(cap=3)


def test_sums_are_checked_against_the_award_totals_at_the_total_row() -> None:
    rows: list[list[Any]] = [[1, "桥东区总工会", 3, 2, 2], [2, "其他", 108, 38, 98], [None, "合计", 111, 40, 100]]
    assert read_allocation(ZHANGJIAKOU, table(rows)).problems == [
        CellProblem(5, "C", SumWrong("张家口市劳动模范", 111, 110))
    ]
    # without a 合计 row the error names the award's column in the header row
    assert read_allocation(ZHANGJIAKOU, table(rows[:2])).problems == [
        CellProblem(2, "C", SumWrong("张家口市劳动模范", 111, 110))
    ]


def test_reserved_places_beyond_the_cap_are_refused() -> None:
    header = ["推荐单位", *(title for title, _a, _k in allocation_header(ZHENGZHOU))]
    pioneer = header.index("郑州市工人先锋号")
    row: list[Any] = ["航空港经济综合试验区"] + [None] * (len(header) - 1)
    row[pioneer] = 2
    row[header.index("其中：企业班组", pioneer)] = 3
    read = read_allocation(ZHENGZHOU, [header, row])
    assert read.problems == [CellProblem(2, column_letter(pioneer), ReservedOverCap("郑州市工人先锋号", 3, 2))]


def test_a_table_without_a_column_of_an_award_is_refused_naming_it() -> None:
    with pytest.raises(SheetError) as caught:
        read_allocation(ZHANGJIAKOU, [["推荐单位", "张家口市劳动模范"], ["桥东区总工会", 110]])
    assert caught.value.problem == ColumnMissing("张家口市先进工作者", 1)


def test_the_units_replace_those_of_the_definition_text_and_nothing_else() -> None:
    units = ZHENGZHOU.units[::-1]
    text = with_units(builtin_text("zhengzhou-2024"), units)
    assert parse(text).units == units
    assert parse(text).model_copy(update={"units": ZHENGZHOU.units}).digest == ZHENGZHOU.digest
    assert "# 2024年郑州市" in text.splitlines()[0]  # the office's comments stay


# ------------------------------------------------------------------------------ the nominee template


def filled(rows: list[dict[str, Any]], award: str = "model") -> bytes:
    blank = nominee_template(ZHANGJIAKOU, award)
    book = load_workbook(io.BytesIO(blank))
    sheet = book["推荐对象"]
    header = [c.value for c in sheet[1]]
    for ri, row in enumerate(rows, 2):
        for title, value in row.items():
            sheet.cell(ri, header.index(title) + 1, value)
    return xlsx(book)


def model_row(n: int, **changes: Any) -> dict[str, Any]:
    answers = labour_model(f"劳模{chr(0x4E00 + n)}", id_number(n))
    answers.pop("photo")
    row = {"人员类别": answers.pop("category")}
    row |= {ZHANGJIAKOU.fields[k].label: v for k, v in answers.items()}
    return row | changes


def test_template_columns_are_the_award_s_questions_without_the_photo_and_with_the_reasons() -> None:
    titles = [c.title for c in template_columns(ZHANGJIAKOU, "model")]
    assert titles[:3] == ["人员类别", "姓名", "身份证号码"]
    assert "2寸彩色近照" not in titles
    assert any(t.startswith("推荐理由（") for t in titles)


def test_each_row_is_answered_through_the_intake_form_and_the_first_bad_answer_names_its_cell() -> None:
    rows = [
        model_row(1, 联系电话="１３８０３１３２２４５"),  # full-width digits, normalised as typed in the chat
        model_row(2, 姓名="王🙂"),
        model_row(3, 简要事迹=DEEDS + "👍"),
        model_row(4, 民族="火星族"),
        model_row(5, 身份证号码=id_number(5)[:-1] + ("0" if id_number(5)[-1] != "0" else "1")),
        model_row(6, 身份证号码=id_number(1)),
        model_row(7, 是否为离退休人员="是"),  # a soft rule's reason is then required
    ]
    read = read_nominees(ZHANGJIAKOU, "model", filled(rows), TODAY)
    assert [r.row for r in read.rows] == [2]
    assert read.rows[0].answers["phone"] == "13803132245"
    header = [c.title for c in template_columns(ZHANGJIAKOU, "model")]

    def col(title: str) -> str:
        return column_letter(header.index(title))

    got = {(p.row, p.column): p.kind for p in read.problems}
    assert got[(3, col("姓名"))] == Answer("姓名", NameInvalid())
    assert got[(4, col("简要事迹"))] == Answer("简要事迹", TextWords())
    assert got[(5, col("民族"))] == Answer("民族", ChoiceInvalid())
    assert isinstance(got[(6, col("身份证号码"))], Answer)
    assert got[(6, col("身份证号码"))].problem == IdChecksum()  # type: ignore[union-attr]
    assert got[(7, col("身份证号码"))] == RowRepeated(2)
    (reason,) = [k for (row, _c), k in got.items() if row == 8]
    assert isinstance(reason, Answer) and reason.label.startswith("推荐理由")


def test_a_random_workbook_another_award_s_template_and_an_old_one_are_refused_clearly() -> None:
    with pytest.raises(SheetError) as caught:
        read_nominees(ZHANGJIAKOU, "model", xlsx(Workbook()), TODAY)
    assert caught.value.problem == NotOurTemplate("none")
    with pytest.raises(SheetError) as caught:
        read_nominees(ZHANGJIAKOU, "model", nominee_template(ZHANGJIAKOU, "worker"), TODAY)
    assert caught.value.problem == NotOurTemplate("award")
    renamed = ZHANGJIAKOU.fields["name"].model_copy(update={"label": "名字"})
    changed = ZHANGJIAKOU.model_copy(update={"fields": ZHANGJIAKOU.fields | {"name": renamed}})
    with pytest.raises(SheetError) as caught:
        read_nominees(changed, "model", nominee_template(ZHANGJIAKOU, "model"), TODAY)
    assert caught.value.problem == NotOurTemplate("outdated")
    with pytest.raises(SheetError) as caught:
        read_nominees(ZHENGZHOU, "model", nominee_template(ZHANGJIAKOU, "model"), TODAY)
    assert caught.value.problem == NotOurTemplate("campaign")


def test_a_template_whose_column_was_deleted_names_the_column() -> None:
    book = load_workbook(io.BytesIO(filled([model_row(1)])))
    book["推荐对象"].delete_cols(3)
    with pytest.raises(SheetError) as caught:
        read_nominees(ZHANGJIAKOU, "model", xlsx(book), TODAY)
    assert caught.value.problem == ColumnMissing("身份证号码", 1)
