"""Translation helpers for the chat: gettext for our own sentences (catalogues in locales/),
and the campaign's own bilingual labels (name / name_en) for data."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext as _n

LANGUAGES = ("zh", "en")


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it here (translated at run time)."""
    return message


def lang() -> str:
    try:
        return "en" if get_i18n().current_locale == "en" else "zh"
    except LookupError:  # outside a request (tests, CLI): Chinese first
        return "zh"


def pick(zh: str, en: str | None) -> str:
    """A campaign label in the reader's language (the definition's English when it has one)."""
    return en if lang() == "en" and en else zh


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between English ones, none after Chinese punctuation
    (“……已使用。 如需……” reads as a typo)."""
    text = ""
    for part in filter(None, parts):
        if text and not text.endswith(("。", "！", "？", "）", "”", "：")):
            text += " "
        text += part
    return text


__all__ = ["LANGUAGES", "N_", "_", "__", "_n", "lang", "pick", "sentences"]
