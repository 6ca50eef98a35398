"""Why an answer cannot be accepted: one frozen dataclass per kind, never prose and never the
rejected value (it may be personal data). The chat, the command line and the Excel import phrase
them in the user's language; :mod:`core.refusals` holds the refusals of whole requests.

Validators raise :class:`InvalidAnswer` carrying one :data:`AnswerProblem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# --------------------------------------------------------------------------- ID numbers (GB 11643)


@dataclass(frozen=True)
class IdEmpty:
    pass


@dataclass(frozen=True)
class IdLength:
    length: int


@dataclass(frozen=True)
class IdFirstGeneration:
    """15 digits: a first-generation identity card, no longer valid (replaced by the 18-digit
    second-generation card; 居民身份证法, first-generation cards invalid since 1 January 2013)."""


@dataclass(frozen=True)
class IdChars:
    """Not 17 digits followed by a digit or X."""


@dataclass(frozen=True)
class IdRegion:
    """The first six digits are no region code."""


@dataclass(frozen=True)
class IdBirthDate:
    """Digits 7–14 are no real date."""


@dataclass(frozen=True)
class IdFuture:
    """The birth date lies after today."""


@dataclass(frozen=True)
class IdAge:
    age: int
    min_age: int
    max_age: int


@dataclass(frozen=True)
class IdChecksum:
    """The check digit does not match (ISO 7064 MOD 11-2)."""


# --------------------------------------------------------------------------- phones


@dataclass(frozen=True)
class PhoneEmpty:
    pass


@dataclass(frozen=True)
class PhoneInvalid:
    pass


# --------------------------------------------------------------------------- text, names


@dataclass(frozen=True)
class TextEmpty:
    pass


@dataclass(frozen=True)
class TextTooShort:
    length: int
    min: int


@dataclass(frozen=True)
class TextTooLong:
    length: int
    max: int


@dataclass(frozen=True)
class TextWords:
    """Emoji, or digits and symbols alone: nothing the official forms can carry."""


@dataclass(frozen=True)
class NameEmpty:
    pass


@dataclass(frozen=True)
class NameInvalid:
    pass


@dataclass(frozen=True)
class NameLength:
    length: int
    min: int
    max: int


@dataclass(frozen=True)
class OrgEmpty:
    pass


@dataclass(frozen=True)
class OrgInvalid:
    pass


@dataclass(frozen=True)
class OrgLength:
    length: int
    min: int
    max: int


# --------------------------------------------------------------------------- choices, numbers


@dataclass(frozen=True)
class ChoiceEmpty:
    pass


@dataclass(frozen=True)
class ChoiceInvalid:
    pass


@dataclass(frozen=True)
class ChoiceCount:
    """A multiple-choice answer with fewer or more choices than the question allows."""

    min: int | None
    max: int | None


@dataclass(frozen=True)
class IntEmpty:
    pass


@dataclass(frozen=True)
class IntInvalid:
    pass


@dataclass(frozen=True)
class IntRange:
    min: int | None
    max: int | None


# --------------------------------------------------------------------------- photos


@dataclass(frozen=True)
class PhotoExpected:
    """Text (or another kind of message) where the form asks for a photo."""


@dataclass(frozen=True)
class PhotoEmpty:
    pass


@dataclass(frozen=True)
class PhotoFormat:
    """Neither JPEG nor PNG."""


@dataclass(frozen=True)
class PhotoCorrupt:
    pass


@dataclass(frozen=True)
class PhotoTooLarge:
    """The file is over the size a bot may download (in MB)."""

    max_mb: int


PhotoKind = Literal["JPG", "progressive JPG", "PNG"]


@dataclass(frozen=True)
class PhotoTooManyPixels:
    """The picture has more pixels than the bot decodes for its kind of file (a small file can
    hold a huge picture); the limit in millions of pixels differs by kind (core.photo)."""

    width: int
    height: int
    max_megapixels: int
    kind: PhotoKind


# --------------------------------------------------------------------------- the form


@dataclass(frozen=True)
class FieldRequired:
    """A required question cannot be skipped."""


@dataclass(frozen=True)
class TextExpected:
    """A file (or something else) where the question asks for typed text or a button."""


@dataclass(frozen=True)
class NoSuchStep:
    """The question does not apply to the nominee (any more)."""


@dataclass(frozen=True)
class Ineligible:
    """A hard eligibility rule of the definition fires (e.g. 副处级及以上干部 may not be 劳模)."""

    rule: str
    message: str
    message_en: str | None


@dataclass(frozen=True)
class CalendarUnknown:
    """A date outside every year the working-day calendar knows."""

    year: int


AnswerProblem = (
    IdEmpty
    | IdLength
    | IdFirstGeneration
    | IdChars
    | IdRegion
    | IdBirthDate
    | IdFuture
    | IdAge
    | IdChecksum
    | PhoneEmpty
    | PhoneInvalid
    | TextEmpty
    | TextTooShort
    | TextTooLong
    | TextWords
    | NameEmpty
    | NameInvalid
    | NameLength
    | OrgEmpty
    | OrgInvalid
    | OrgLength
    | ChoiceEmpty
    | ChoiceInvalid
    | ChoiceCount
    | IntEmpty
    | IntInvalid
    | IntRange
    | PhotoExpected
    | PhotoEmpty
    | PhotoFormat
    | PhotoCorrupt
    | PhotoTooLarge
    | PhotoTooManyPixels
    | FieldRequired
    | TextExpected
    | NoSuchStep
    | Ineligible
    | CalendarUnknown
)


class InvalidAnswer(ValueError):
    """An answer that cannot be accepted; ``problem`` says why."""

    def __init__(self, problem: AnswerProblem) -> None:
        super().__init__(type(problem).__name__)
        self.problem = problem

    def __repr__(self) -> str:  # the problem holds numbers and keys, never the rejected value
        return f"InvalidAnswer({self.problem!r})"
