"""Chinese identity numbers of 18 characters: resident identity cards (GB 11643-1999), the
residence permits of Hong Kong, Macao and Taiwan residents (same layout, region 810000, 820000,
830000) and the foreigners' permanent residence ID card of 2023.

Resident layout: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit order code whose
last digit is odd for men and even for women, then an ISO 7064 MOD 11-2 check character.

Foreigners' permanent residence ID (National Immigration Administration, 新版永居证 from
1 December 2023): ``9``, the issuing province's 2-digit code, the 3-digit nationality code
(ISO 3166-1 numeric), then birth date, order code and check character exactly as above
(the administration's rules: "与公民身份号码校验方式相同"). Citizens' numbers never start
with 9. The first-generation 15-digit numbers (no century, no check digit) are no longer valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.errors import (
    IdAge,
    IdBirthDate,
    IdChars,
    IdChecksum,
    IdEmpty,
    IdFirstGeneration,
    IdFuture,
    IdLength,
    IdRegion,
    InvalidAnswer,
)
from core.textcheck import clean_text

ID_LENGTH = 18
FIRST_GENERATION_LENGTH = 15
FOREIGNER = "9"  # first digit of a foreigners' permanent residence ID
PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})  # HK, Macao, Taiwan residents' permits

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Index = weighted sum mod 11; equivalent to (12 - sum % 11) % 11 with 10 written as X.
_CHECK_CHARS = "10X98765432"

# The mainland's provinces, autonomous regions and municipalities (first two digits of a region
# code); they also issue the foreigners' permanent residence IDs.
_MAINLAND = frozenset(
    {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
    }
)
# First two digits of a citizen's or permit holder's region code: the mainland, Taiwan (71),
# Hong Kong (81), Macao (82) and the permits of Hong Kong, Macao and Taiwan residents (83 for Taiwan).
_PROVINCES = _MAINLAND | {71, 81, 82, 83}


# Whitespace that NFKC leaves alone is caught by \s; hyphens and dashes people put between
# the groups of digits (NFKC already turned the full-width minus into "-").
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\ufe63]+")
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # not \d: it also matches non-ASCII digits
_FIRST_GENERATION = re.compile(r"[0-9]{15}")

Gender = Literal["男", "女"]
# resident: a citizen's identity card; permit: a residence permit of a Hong Kong, Macao or
# Taiwan resident; foreigner: a foreigners' permanent residence ID card (2023).
Holder = Literal["resident", "permit", "foreigner"]


def normalize_id(raw: str) -> str:
    """Canonical form of what a user typed: ASCII digits, upper-case X, no spaces or hyphens.

    NFKC turns full-width digits, full-width Ｘ, U+3000 and NBSP into their ASCII forms,
    which phone keyboards in Chinese input mode produce all the time; invisible characters that
    copying brings along (zero-width spaces, direction marks) are dropped first."""
    text = unicodedata.normalize("NFKC", clean_text(raw, multiline=False))
    return _SEPARATORS.sub("", text).upper()


def check_digit(first17: str) -> str:
    """The 18th character for the given first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _completed_years(born: date, on: date) -> int:
    # Someone born on 29 February becomes a year older on 1 March in common years.
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


@dataclass(frozen=True)
class IdCard:
    """What a valid number says. ``region`` is the 6-digit region code (for a foreigner, the
    issuing province's, e.g. ``410000``); ``country`` the ISO 3166-1 numeric nationality of a
    foreigner, else None."""

    number: str
    birth_date: date
    gender: Gender
    region: str
    holder: Holder = "resident"
    country: str | None = None

    def age(self, on: date) -> int:
        """Completed years on the given day."""
        return _completed_years(self.birth_date, on)


def parse_id_number(raw: str, today: date, min_age: int = 16, max_age: int = 80) -> IdCard:
    """Validate an identity number and return what it encodes.

    Checks run from the coarsest to the finest so the message names the most likely
    mistake: a missing digit reads better as "needs 18 characters" than as a bad date,
    and a bad date or an impossible age tells the user where the typo is, which a
    checksum failure cannot. Raises :class:`InvalidAnswer` with one of the ``Id*`` problems; the
    number itself is never put into it.
    """
    number = normalize_id(raw)
    if not number:
        raise InvalidAnswer(IdEmpty())
    if len(number) == FIRST_GENERATION_LENGTH and _FIRST_GENERATION.fullmatch(number):
        raise InvalidAnswer(IdFirstGeneration())
    if len(number) != ID_LENGTH:
        raise InvalidAnswer(IdLength(length=len(number)))
    if not _SHAPE.fullmatch(number):
        raise InvalidAnswer(IdChars())

    holder: Holder
    country: str | None = None
    if number.startswith(FOREIGNER):
        if int(number[1:3]) not in _MAINLAND or number[3:6] == "000":
            raise InvalidAnswer(IdRegion())
        holder, region, country = "foreigner", number[1:3] + "0000", number[3:6]
    else:
        region = number[:6]
        if int(region[:2]) not in _PROVINCES:  # no province code starts with 0
            raise InvalidAnswer(IdRegion())
        holder = "permit" if region in PERMIT_REGIONS else "resident"

    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidAnswer(IdBirthDate()) from None
    if birth > today:
        raise InvalidAnswer(IdFuture())
    age = _completed_years(birth, today)
    if not min_age <= age <= max_age:
        raise InvalidAnswer(IdAge(age=age, min_age=min_age, max_age=max_age))

    if check_digit(number[:17]) != number[17]:
        raise InvalidAnswer(IdChecksum())

    gender: Gender = "男" if int(number[16]) % 2 else "女"
    return IdCard(number=number, birth_date=birth, gender=gender, region=region, holder=holder, country=country)


def mask_id(number: str) -> str:
    """Hide all but the first four characters, for chat echoes and logs: ``4101**************``.

    The chat shows the sex and the birth date beside it. The order code and the check character
    must then stay hidden: with them shown (``4101**********4035``) the number follows for most
    people, the district being one of a handful; without them at least 500 numbers remain even
    for someone who knows the district (three order digits of the given parity, and the check
    character following from them). The result has the input's length. Inputs shorter than 16
    characters are masked completely."""
    if len(number) < 16:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 4)


def make_id_number(region: str, birth: date, seq: int, female: bool) -> str:
    """Build a valid number, for tests and benchmarks.

    ``seq`` (0-499) numbers the people of one sex born that day in that region: the order
    code is ``2 * seq`` for women and ``2 * seq + 1`` for men, so every code is reachable."""
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError("region must be 6 ASCII digits")
    if not 0 <= seq <= 499:
        raise ValueError("seq must be in 0..499")
    if not 1000 <= birth.year <= 9999:
        raise ValueError("birth year must have 4 digits")
    order = 2 * seq + (0 if female else 1)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
