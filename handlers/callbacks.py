"""Callback data of every button. Ids and short keys only: Telegram allows 64 bytes.

Every number is bounded by what it counts (a nominee id is a 32-bit database integer): a press
whose data is out of range — forged, or from some other bot's keyboard — matches no button and is
answered as outdated (handlers.misc), never reaching a use case or the database.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from core.records import ID_MAX

NomineeId = Annotated[int, Field(ge=1, le=ID_MAX)]
Index = Annotated[int, Field(ge=0, le=ID_MAX)]  # a choice's position, a list's offset


class AwardCb(CallbackData, prefix="aw"):
    key: str
    alt: Index = 0  # nominee id an alternate is entered for (0: none)


class PickCb(CallbackData, prefix="pk"):
    step: str
    i: Index


class MultiCb(CallbackData, prefix="mc"):
    """A multiple-choice question's buttons: ``m`` is the selection the keyboard shows (bit j:
    option j chosen); ``i`` the option to toggle, or -1 for 完成 (save ``m`` as the answer)."""

    step: str
    m: Annotated[int, Field(ge=0, lt=1 << 30)]
    i: Annotated[int, Field(ge=-1, lt=30)]


class NavCb(CallbackData, prefix="nv"):
    step: str
    action: str  # back | keep | skip | cancel


class SummaryCb(CallbackData, prefix="sm"):
    action: str  # edit | confirm | cancel | resume
    key: str = ""
    v: str = ""  # confirm: fingerprint of the answers the card shows (an older card must not save newer answers)


class DraftCb(CallbackData, prefix="df"):
    action: str  # continue | discard | pause
    d: str = ""  # discard: the mark of the draft it was offered for (handlers.keyboards.draft_mark)


class DraftAskCb(CallbackData, prefix="da"):
    """删除草稿 on an offer to continue: asks first, so an old offer never deletes a later draft."""

    action: str = "discard"


class ItemCb(CallbackData, prefix="it"):
    action: str  # show | edit | withdraw | withdraw_yes | alt
    id: NomineeId


class ProcCb(CallbackData, prefix="pc"):
    """A nominee's procedure checklist (handlers.procedure): list | step (ask its date) | today
    (record it as done on ``d``, the day the button was shown: YYYYMMDD) | cancel. ``k``: the step key."""

    action: str
    id: NomineeId
    k: str = ""
    d: str = ""


class PageCb(CallbackData, prefix="pg"):
    offset: Index


class LangCb(CallbackData, prefix="lg"):
    code: str


class SubmitCb(CallbackData, prefix="sb"):
    action: str  # yes | giveup | no
    v: str = ""  # giveup: core.refusals.places_digest of the places the clerk was shown


class DashCb(CallbackData, prefix="db"):
    """A page of the office's /dashboard (read afresh at each press)."""

    page: Index


class ExportCb(CallbackData, prefix="ex"):
    """An export's button: ``kind`` (a table key, opinions, publicity, allocation, photos) and its
    scope: ``own`` (a clerk's unit), ``all`` (the office: every unit) or ``unit`` (the office: the
    unit at index ``i`` of the definition's units)."""

    kind: str
    scope: str
    i: Index = 0


class TemplateCb(CallbackData, prefix="tp"):
    award: str  # the award key whose template is sent


class ImportCb(CallbackData, prefix="im"):
    action: str  # yes | no
    m: str  # the mark of the pending import it was offered for (an old button is outdated)


# ------------------------------------------------------------------ the office's review (handlers.review)


class RvUnitsCb(CallbackData, prefix="ru"):
    """/review's chooser of units, from ``offset``."""

    offset: Index = 0


class RvListCb(CallbackData, prefix="rl"):
    """A unit's list: ``u`` its position in the definition's units, from ``offset``."""

    u: Index
    offset: Index = 0


class RvCb(CallbackData, prefix="rv"):
    """The office on one nominee: show | back | accept | return | approve | not_approve | reopen | promote
    | audit. ``v``: the nominee's version the button was shown for (0: any; a decision on an older
    one is refused as changed meanwhile)."""

    action: str
    id: NomineeId
    v: Index = 0


class RvReopenCb(CallbackData, prefix="ro"):
    """重新开放 a unit's list: ask | yes (no end) | date (asks for a day) | until (``d``: that day
    as YYYYMMDD, confirmed). ``u`` as in :class:`RvListCb`."""

    action: str
    u: Index
    d: str = ""


class AuditCb(CallbackData, prefix="au"):
    """/audit N's pages."""

    id: NomineeId
    offset: Index = 0


class GoCb(CallbackData, prefix="go"):
    """继续填报 under a reminder: what /new does (continue the draft, or the award menu)."""


class RemindCb(CallbackData, prefix="rm"):
    """/remind: ``unit`` an index into the campaign's units (-1: every unfinished unit);
    ``action`` pick | send | cancel."""

    action: str
    unit: Annotated[int, Field(ge=-1, le=ID_MAX)] = -1


class DeadlineCb(CallbackData, prefix="dl"):
    """/deadline: ``stage`` an index into the campaign's stages; ``action`` pick | confirm | cancel;
    ``d`` the date typed (YYYYMMDD, and HHMM when an hour was given), carried to the confirmation."""

    action: str
    stage: Index = 0
    d: str = ""
