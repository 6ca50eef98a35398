"""Every problem of an uploaded workbook and of its cells, as the office or a clerk reads it in
Chinese and in English: the kinds are enumerated from their unions (core.sheetproblems), so a kind
added without wording fails here (and mypy first, on the ``match`` in handlers/import_texts.py)."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from aiogram.utils.i18n import I18n

from core.errors import ChoiceInvalid
from core.sheetproblems import (
    Answer,
    CellKind,
    CellProblem,
    ColumnMissing,
    FileProblem,
    FileTooLarge,
    FormulaFound,
    Inflates,
    NotCount,
    NotOurTemplate,
    ReservedOverCap,
    RowRepeated,
    SheetMissing,
    SumWrong,
    TooManyRows,
    TotalRowWrong,
    UnitRepeated,
)
from handlers.import_texts import cell_problem, file_problem

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
SAMPLES: dict[type, Any] = {
    FileTooLarge: FileTooLarge(5),
    Inflates: Inflates(50, 100),
    FormulaFound: FormulaFound("C7"),
    SheetMissing: SheetMissing("名额分配表"),
    ColumnMissing: ColumnMissing("身份证号码", 1),
    TooManyRows: TooManyRows(2000),
    NotCount: NotCount("三"),
    UnitRepeated: UnitRepeated("桥东区总工会", 3),
    ReservedOverCap: ReservedOverCap("郑州市工人先锋号", 3, 2),
    SumWrong: SumWrong("张家口市劳动模范", 111, 110),
    TotalRowWrong: TotalRowWrong(110, 111),
    Answer: Answer("民族", ChoiceInvalid()),
    RowRepeated: RowRepeated(7),
    NotOurTemplate: NotOurTemplate("none"),
}


def sample(kind: type) -> Any:
    return SAMPLES.get(kind) or kind()


FILE = [sample(k) for k in get_args(FileProblem)] + [NotOurTemplate(r) for r in ("award", "campaign", "outdated")]
CELLS = [CellProblem(12, "C", sample(k)) for k in get_args(CellKind)] + [CellProblem(5, "", RowRepeated(2))]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("item", FILE + CELLS, ids=lambda p: type(getattr(p, "kind", p)).__name__)
def test_every_problem_of_a_workbook_is_said_in_the_readers_language(catalogues: I18n, lang: str, item: Any) -> None:
    with catalogues.use_locale(lang):
        text = cell_problem(item) if isinstance(item, CellProblem) else file_problem(item)
    assert text and not PLACEHOLDER.search(text), text
    if isinstance(item, CellProblem):
        where = (
            ("第12行 C列" if item.column else "第5行")
            if lang == "zh"
            else ("Row 12, column C" if item.column else "Row 5")
        )
        assert text.startswith(where), text
    if lang == "zh":
        assert CJK.search(text), text
