"""Chinese phone numbers: mainland mobiles, landlines with area code, bare local numbers, and
the numbers of Hong Kong, Macao and Taiwan (whose residents may be nominated with their residence
permits), written with their country code.

Canonical forms: ``13912345678``, ``0371-67883217``, ``0371-67883217-123`` (extension),
``2012121`` (a local number as printed in notices, without area code), ``+852-91234567``,
``+853-66123456``, ``+886-912345678``.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import InvalidAnswer, PhoneEmpty, PhoneInvalid
from core.textcheck import clean_text

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# An explicit extension marker: 转 / 分机 / ext. Hyphenated extensions are found later,
# because a hyphen may just as well separate the area code.
_EXTENSION = re.compile(r"(?:转|分机|ext\.?)\s*([0-9]{1,6})\s*$", re.IGNORECASE)
# Characters people put between groups of digits; NFKC has already made （）－ ASCII.
_SEPARATOR_CHARS = re.compile(r"[\s\-\u2010-\u2015\u2212().]+")
_GROUP = re.compile(r"[0-9]+")
_DIGITS = re.compile(r"[0-9]*")  # not \d: it also matches non-ASCII digits
_LANDLINE = re.compile(r"(0[0-9]{2,3})-([0-9]{7,8})(?:-([0-9]{1,6}))?")
_ABROAD = re.compile(r"(\+85[23]|\+886)-([0-9]{8,9})(?:-([0-9]{1,6}))?")
# Numbers after the country code (no trunk prefix): Hong Kong and Macao have eight digits
# (Macao's start with 2, 6 or 8), Taiwan eight or nine (mobiles 9 and eight more).
_OUTSIDE_MAINLAND = {
    "852": re.compile(r"[2-9][0-9]{7}"),
    "853": re.compile(r"[268][0-9]{7}"),
    "886": re.compile(r"[2-9][0-9]{7,8}"),
}
_LOCAL = re.compile(r"([2-9][0-9]{6,7})(?:-([0-9]{1,6}))?")


def _landline(digits: str, international: bool) -> str | None:
    """Canonical landline for a run of digits, or None.

    The area code's length follows the national numbering plan (010 and 02x have three
    digits, all others four), so numbers typed without separators still split right."""
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 371 ... drops the trunk prefix
    if digits.startswith("0"):
        if len(digits) < 2 or digits[1] == "0":  # 00 is an international call prefix
            return None
        area_len = 3 if digits[1] in "12" else 4
        area, local = digits[:area_len], digits[area_len:]
        if 7 <= len(local) <= 8 and local[0] in "23456789":
            return f"{area}-{local}"
        return None
    # Local numbers never start with 0 (trunk prefix) or 1 (mobiles, service numbers).
    if not international and 7 <= len(digits) <= 8 and digits[0] in "23456789":
        return digits
    return None


def _country_code(groups: list[str], international: bool) -> tuple[str | None, list[str]]:
    """The Hong Kong, Macao or Taiwan code of a number typed +852 …, 00852 … or 852 … (apart from
    the rest), and the groups of digits after it; (None, groups) for any other number."""
    first = groups[0]
    for code in _OUTSIDE_MAINLAND:
        if (international or first.startswith("00")) and first.removeprefix("00").startswith(code):
            rest = [first.removeprefix("00")[len(code) :], *groups[1:]]
            return code, [group for group in rest if group]
        if first == code and len(groups) > 1:
            return code, groups[1:]
        # glued without "+", as a shared contact gives it (85291234567): no mainland number is
        # 11 or 12 digits starting with 852, 853 or 886
        if len(groups) == 1 and first.startswith(code) and _OUTSIDE_MAINLAND[code].fullmatch(first[len(code) :]):
            return code, [first[len(code) :]]
    return None, groups


def _outside_mainland(code: str, groups: list[str], extension: str | None) -> str:
    digits = "".join(groups).removeprefix("0")  # +886 (0)912…: the trunk prefix typed along
    if not _OUTSIDE_MAINLAND[code].fullmatch(digits):
        raise InvalidAnswer(PhoneInvalid())
    number = f"+{code}-{digits}"
    return f"{number}-{extension}" if extension else number


def normalize_phone(raw: str) -> str:
    """Canonical form of a mainland mobile or landline number, or of a Hong Kong, Macao or Taiwan
    number typed with its country code; :class:`InvalidAnswer` with PhoneEmpty or PhoneInvalid."""
    # clean_text drops what copying a number from a contact card brings along: direction marks
    # (U+202A…U+202C), zero-width spaces, fillers.
    text = unicodedata.normalize("NFKC", clean_text(raw, multiline=False))
    if not text:
        raise InvalidAnswer(PhoneEmpty())

    extension: str | None = None
    marker = _EXTENSION.search(text)
    if marker:
        extension = marker.group(1)
        text = text[: marker.start()]

    text = text.strip()
    international = text.startswith("+")
    if international:
        text = text[1:]
    if not _DIGITS.fullmatch(_SEPARATOR_CHARS.sub("", text)):
        raise InvalidAnswer(PhoneInvalid())  # letters, emoji, a second "+", ...
    groups = _GROUP.findall(text)
    if not groups:
        raise InvalidAnswer(PhoneInvalid())

    code, rest = _country_code(groups, international)
    if code is not None:
        return _outside_mainland(code, rest, extension)

    # Country code, written as +86, 0086 or 86, apart or glued to the number.
    if international:
        if not groups[0].startswith("86"):
            raise InvalidAnswer(PhoneInvalid())  # only Chinese numbers are expected
        groups[0] = groups[0][2:]
    elif groups[0].startswith("0086"):
        groups[0] = groups[0][4:]
        international = True
    elif groups[0] == "86" and len(groups) > 1:
        groups = groups[1:]
        international = True
    elif len(groups) == 1 and groups[0].startswith("86") and _MOBILE.fullmatch(groups[0][2:]):
        groups[0] = groups[0][2:]  # 8613912345678: no landline or mobile has 13 digits
    groups = [group for group in groups if group]

    digits = "".join(groups)
    if _MOBILE.fullmatch(digits):
        if extension is not None:
            raise InvalidAnswer(PhoneInvalid())  # mobiles have no extensions
        return digits

    number = _landline(digits, international)
    if number is None and extension is None and len(groups) > 1 and len(groups[-1]) <= 6:
        # "0371-67883217-123": the last group is an extension if the rest is a number.
        # Tried only after the whole, so "0371-6788-3217" stays one number.
        number = _landline("".join(groups[:-1]), international)
        extension = groups[-1] if number is not None else None
    if number is None:
        raise InvalidAnswer(PhoneInvalid())
    return f"{number}-{extension}" if extension else number


def is_mobile(normalized: str) -> bool:
    """True for a canonical mobile number as returned by normalize_phone."""
    return _MOBILE.fullmatch(normalized) is not None


def mask_phone(s: str) -> str:
    """Hide the middle of a canonical number for logs and chat echoes.

    ``139****5678``, ``0371-****3217``, ``***2121``, ``+852-****4567``; anything unrecognised
    keeps at most its last four characters, and short strings are hidden completely."""
    if is_mobile(s):
        return s[:3] + "****" + s[-4:]
    abroad = _ABROAD.fullmatch(s)
    if abroad:
        code, local, extension = abroad.groups()
        masked = f"{code}-{'*' * (len(local) - 4)}{local[-4:]}"
        return f"{masked}-{extension}" if extension else masked
    landline = _LANDLINE.fullmatch(s)
    if landline:
        area, local, extension = landline.groups()
        masked = f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
        return f"{masked}-{extension}" if extension else masked
    local_match = _LOCAL.fullmatch(s)
    if local_match:
        local, extension = local_match.groups()
        masked = "*" * (len(local) - 4) + local[-4:]
        return f"{masked}-{extension}" if extension else masked
    if len(s) < 8:
        return "*" * len(s)
    return "*" * (len(s) - 4) + s[-4:]
