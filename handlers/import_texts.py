"""What the chat says about Excel files: the templates, a workbook that cannot be read, each
refused row or cell (row number, column letter, why), and the outcome of an import."""

from __future__ import annotations

from collections.abc import Sequence

from core.campaign import Campaign
from core.imports import ALLOCATION_SHEET
from core.reload import LoadReport
from core.sheetproblems import (
    Answer,
    CellProblem,
    ColumnMissing,
    FileProblem,
    FileTooLarge,
    FormulaFound,
    Inflates,
    NoRows,
    NotCount,
    NotOurTemplate,
    NotWorkbook,
    ReservedOverCap,
    RowRepeated,
    SheetMissing,
    SumWrong,
    TooManyRows,
    TotalRowWrong,
    UnitNameMissing,
    UnitRepeated,
)
from handlers.answer_texts import answer_problem
from handlers.i18n import _, lang, sentences
from handlers.labels import award_name, esc
from handlers.problems import refusal_text

MAX_LINES = 30  # refused rows listed in one message; the rest are counted


def file_problem(problem: FileProblem) -> str:
    """Why a workbook cannot be read at all, and what to do."""
    match problem:
        case NotWorkbook():
            return _("This file is not an Excel workbook (.xlsx). Please save it as .xlsx and send it again.")
        case FileTooLarge(limit_mb=mb):
            return _("The file is larger than {mb} MB; a table of nominees or places is far smaller.").format(mb=mb)
        case Inflates(limit_mb=mb):
            return _(
                "The file unpacks to more than {mb} MB, which no table of this kind needs; it was not opened."
            ).format(mb=mb)
        case FormulaFound(cell=cell):
            return _("Cell {cell} holds a formula. Please enter values only (copy, then paste as values).").format(
                cell=esc(cell)
            )
        case SheetMissing(name=name):
            return _("The workbook has no sheet named “{name}”.").format(name=esc(name))
        case ColumnMissing(title=title, row=row):
            return _("Row {row} has no column “{title}”. Please use the template as it was sent.").format(
                row=row, title=esc(title)
            )
        case TooManyRows(limit=limit):
            return _("The table has more than {limit} rows; please split it.").format(limit=limit)
        case NoRows():
            return _("The table has no filled rows.")
        case NotOurTemplate(reason=reason):
            if reason == "outdated":
                return _("This template was made before the form changed. Please get a new one with /template.")
            if reason == "award":
                return _("This template is for another award.")
            if reason == "campaign":
                return _("This file belongs to another campaign.")
            return _(
                "This workbook is not a template of this bot. /template sends one to fill; the office sends "
                "allocation tables."
            )


def colon() -> str:
    return "：" if lang() == "zh" else ": "


def where(problem: CellProblem) -> str:
    if problem.column:
        return _("Row {row}, column {column}").format(row=problem.row, column=problem.column)
    return _("Row {row}").format(row=problem.row)


def cell_problem(problem: CellProblem) -> str:
    """``Row 5, column C: …`` — one refused cell or row."""
    match problem.kind:
        case Answer(label=label, problem=answer):
            why = f"{esc(label)}{colon()}{answer_problem(answer)}"
        case RowRepeated(first_row=first):
            why = _("the same nominee as row {first}.").format(first=first)
        case NotCount(value=value):
            if value:
                why = _("“{value}” is not a number of places (0, 1, 2 …).").format(value=esc(value))
            else:
                why = _("reserved places are given but not the places themselves.")
        case UnitRepeated(name=name, first_row=first):
            why = _("the unit “{name}” is already on row {first}.").format(name=esc(name), first=first)
        case ReservedOverCap(award=award, reserved=reserved, cap=cap):
            why = _("{award}: {reserved} reserved places are more than its {cap} places.").format(
                award=esc(award), reserved=reserved, cap=cap
            )
        case SumWrong(award=award, got=got, total=total):
            why = _("the units' places for {award} add up to {got}, but the award has {total}.").format(
                award=esc(award), got=got, total=total
            )
        case TotalRowWrong(written=written, got=got):
            why = _("the total row says {written}, but the units above add up to {got}.").format(
                written=written, got=got
            )
        case UnitNameMissing():
            why = _("places are given without a unit's name.")
    return f"{where(problem)}{colon()}{why}"


def problem_lines(lines: Sequence[str]) -> str:
    shown = list(lines[:MAX_LINES])
    if len(lines) > MAX_LINES:
        shown.append(_("… and {n} more.").format(n=len(lines) - MAX_LINES))
    return "\n".join(f"• {line}" for line in shown)


def template_caption(campaign: Campaign, award: str) -> str:
    return sentences(
        _("The template for {award}: one row per nominee, one column per question.").format(
            award=esc(award_name(campaign, award))
        ),
        _("Choices have drop-down lists. Fill it in and send the file back here."),
        _("Photos cannot come through Excel: add each nominee's photo afterwards with /edit N."),
    )


def choose_template() -> str:
    return _("Which award's template do you need?")


def row_refused(campaign: Campaign, row: int, refusals: Sequence[object]) -> str:
    from core.refusals import Refusal

    texts = [refusal_text(campaign, r) for r in refusals if isinstance(r, Refusal)]
    return f"{_('Row {row}').format(row=row)}{colon()}{' '.join(texts)}"


def import_report(total: int, valid: int, lines: Sequence[str]) -> str:
    """Before importing: how many rows, how many can be imported, and each refused one."""
    head = _("{total} filled rows: {valid} can be imported, {refused} cannot:").format(
        total=total, valid=valid, refused=total - valid
    )
    if valid:
        ask = _("Import the {n} valid rows now, or nothing (correct the file and send it again)?").format(n=valid)
    else:
        ask = _("Nothing can be imported. Please correct the file and send it again.")
    return f"{head}\n{problem_lines(lines)}\n\n{ask}"


def imported(ids: Sequence[int], lines: Sequence[str], photo: bool) -> str:
    """After the import: the nominees saved (their numbers), rows refused meanwhile, photos to add."""
    if not ids:
        text = _("Nothing was imported.")
    else:
        first, last = min(ids), max(ids)
        numbers = f"#{first}" if first == last else f"#{first}–#{last}"
        text = _("{n} nominees imported ({numbers}); /list shows them.").format(n=len(ids), numbers=numbers)
        if photo:
            text = sentences(text, _("Each still needs its photo: /edit N adds it."))
    if lines:
        text += "\n" + _("Not imported:") + "\n" + problem_lines(lines)
    return text


def nothing_imported() -> str:
    return _("Nothing was imported. You can correct the file and send it again.")


def clerk_allocation() -> str:
    return _("Allocation tables are loaded by the office; a clerk's file cannot change the places.")


def office_not_allocation() -> str:
    return _(
        "This workbook has no sheet “{sheet}”. The office loads allocation tables here "
        "(nominee-bot import-allocation --template writes one to fill)."
    ).format(sheet=ALLOCATION_SHEET)


def allocation_refused(lines: Sequence[str]) -> str:
    return _("The allocation table was not loaded:") + "\n" + problem_lines(lines)


def allocation_loaded(report: LoadReport) -> str:
    """The reload's outcome, as ``campaign load`` prints it."""
    if report.status == "unchanged":
        return _("The allocation table is the same as the one in force (version {v}).").format(v=report.version)
    if report.status == "refused":
        head = _("The allocation table was not loaded: it would break nominees already saved.")
        return head + "\n" + problem_lines([esc(b.message) for b in report.blockers])
    head = _("Allocation table loaded: the campaign is now at version {v}.").format(v=report.version)
    changes = [esc(str(c)) for c in report.changes]
    return head + ("\n" + problem_lines(changes) if changes else "")


def not_spliced() -> str:
    return _("The stored definition could not take this table; please load it with nominee-bot campaign load.")
