"""Callback data of every button. Ids and short keys only: Telegram allows 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class AwardCb(CallbackData, prefix="aw"):
    key: str
    alt: int = 0  # nominee id an alternate is entered for


class PickCb(CallbackData, prefix="pk"):
    step: str
    i: int


class NavCb(CallbackData, prefix="nv"):
    step: str
    action: str  # back | keep | skip | cancel


class SummaryCb(CallbackData, prefix="sm"):
    action: str  # edit | confirm | cancel | resume
    key: str = ""
    v: str = ""  # confirm: fingerprint of the answers the card shows (an older card must not save newer answers)


class DraftCb(CallbackData, prefix="df"):
    action: str  # continue | discard | pause


class DraftAskCb(CallbackData, prefix="da"):
    """删除草稿 on an offer to continue: asks first, so an old offer never deletes a later draft."""

    action: str = "discard"


class ItemCb(CallbackData, prefix="it"):
    action: str  # show | edit | withdraw | withdraw_yes | alt
    id: int


class PageCb(CallbackData, prefix="pg"):
    offset: int


class LangCb(CallbackData, prefix="lg"):
    code: str


class SubmitCb(CallbackData, prefix="sb"):
    action: str  # yes | no
