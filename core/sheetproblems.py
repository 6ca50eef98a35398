"""What can be wrong with an uploaded Excel workbook, as typed values (rendered in the chat by
handlers/import_texts.py and on the command line by bot/commands.py).

A problem about one cell names it as the sheet shows it: ``row`` is the 1-based row number Excel
prints at the left, ``column`` the column letter (``C``). Problems without a cell concern the
whole file (too large, not a workbook, a formula somewhere, not our template).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import AnswerProblem


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (Excel's column names)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True)
class NotWorkbook:
    """Not an .xlsx workbook (an old .xls, a CSV, a picture, an encrypted file, a broken zip)."""


@dataclass(frozen=True)
class FileTooLarge:
    limit_mb: int


@dataclass(frozen=True)
class Inflates:
    """Its parts unpack to more than ``limit_mb`` or compress more than ``ratio`` to one: a zip bomb
    or not a plain table."""

    limit_mb: int
    ratio: int


@dataclass(frozen=True)
class FormulaFound:
    cell: str  # "C5"


@dataclass(frozen=True)
class SheetMissing:
    name: str


@dataclass(frozen=True)
class NotOurTemplate:
    """No (or another campaign's, award's or version's) marker of a template of this bot."""

    reason: str  # "none" | "campaign" | "award" | "outdated" | "kind"


@dataclass(frozen=True)
class ColumnMissing:
    title: str
    row: int  # the header row


@dataclass(frozen=True)
class TooManyRows:
    limit: int


@dataclass(frozen=True)
class NoRows:
    """The table has its header and nothing under it."""


FileProblem = (
    NotWorkbook
    | FileTooLarge
    | Inflates
    | FormulaFound
    | SheetMissing
    | NotOurTemplate
    | ColumnMissing
    | TooManyRows
    | NoRows
)


# --------------------------------------------------------------------------- one cell


@dataclass(frozen=True)
class NotCount:
    """A place count that is not a whole number from 0 up."""

    value: str


@dataclass(frozen=True)
class UnitRepeated:
    name: str
    first_row: int


@dataclass(frozen=True)
class ReservedOverCap:
    """A unit's reserved places add up to more than its places for the award."""

    award: str
    reserved: int
    cap: int


@dataclass(frozen=True)
class SumWrong:
    """The units' places for an award add up to ``got``, not the award's ``total`` (the cell is the
    合计 row's, or the header's when the table has none)."""

    award: str
    got: int
    total: int


@dataclass(frozen=True)
class TotalRowWrong:
    """The 合计 row says ``written``; the units above it add up to ``got``."""

    written: int
    got: int


@dataclass(frozen=True)
class UnitNameMissing:
    """Places given on a row without a unit name."""


@dataclass(frozen=True)
class Answer:
    """A template row's answer refused by the same check as the chat's (``problem``);
    ``label`` is the column's question."""

    label: str
    problem: AnswerProblem


@dataclass(frozen=True)
class RowRepeated:
    """The same person (ID number) or organisation as on row ``first_row`` of the file."""

    first_row: int


CellKind = RowRepeated | NotCount | UnitRepeated | ReservedOverCap | SumWrong | TotalRowWrong | UnitNameMissing | Answer


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str  # a letter; "" when the problem is about the whole row
    kind: CellKind


class SheetError(Exception):
    """The workbook cannot be read at all: ``problem`` says why."""

    def __init__(self, problem: FileProblem) -> None:
        super().__init__(type(problem).__name__)
        self.problem = problem


__all__ = [
    "Answer",
    "CellKind",
    "CellProblem",
    "ColumnMissing",
    "FileProblem",
    "FileTooLarge",
    "FormulaFound",
    "Inflates",
    "NoRows",
    "NotCount",
    "NotOurTemplate",
    "NotWorkbook",
    "ReservedOverCap",
    "RowRepeated",
    "SheetError",
    "SheetMissing",
    "SumWrong",
    "TooManyRows",
    "TotalRowWrong",
    "UnitNameMissing",
    "UnitRepeated",
    "column_letter",
]
