"""Why a typed answer was not taken (core.errors.AnswerProblem), in the reader's language, with what
to send instead: one exhaustive ``match`` (a new problem kind makes mypy point here)."""

from __future__ import annotations

from typing import assert_never

from core.errors import (
    AnswerProblem,
    CalendarUnknown,
    ChoiceCount,
    ChoiceEmpty,
    ChoiceInvalid,
    FieldRequired,
    IdAge,
    IdBirthDate,
    IdChars,
    IdChecksum,
    IdEmpty,
    IdFirstGeneration,
    IdFuture,
    IdLength,
    IdRegion,
    Ineligible,
    IntEmpty,
    IntInvalid,
    IntRange,
    NameEmpty,
    NameInvalid,
    NameLength,
    NoSuchStep,
    OrgEmpty,
    OrgInvalid,
    OrgLength,
    PhoneEmpty,
    PhoneInvalid,
    PhotoCorrupt,
    PhotoEmpty,
    PhotoExpected,
    PhotoFormat,
    PhotoKind,
    PhotoTooLarge,
    PhotoTooManyPixels,
    TextEmpty,
    TextExpected,
    TextTooLong,
    TextTooShort,
    TextWords,
)
from core.form import Step
from handlers.i18n import _, _n, pick
from handlers.labels import (
    esc,
    field_label,
    option_label,
)


def photo_kind(kind: PhotoKind) -> str:
    match kind:
        case "JPG" | "PNG":
            return kind
        case "progressive JPG":
            return _("progressive JPG")


def photo_hint(kind: PhotoKind) -> str:
    """What to do with a picture of too many pixels: the other kinds are decoded reduced."""
    match kind:
        case "JPG":
            return _("Please send a smaller photo.")
        case "PNG":
            return _("Please send a smaller picture, or the photo saved as JPG.")
        case "progressive JPG":
            return _("Please send a smaller picture, or the photo saved as an ordinary (baseline) JPG.")


def answer_problem(problem: AnswerProblem, step: Step | None = None) -> str:
    """Why an answer was refused, in the reader's language: one sentence (HTML) saying what to do.

    ``step`` is the question answered, or None when the refusal came from a button outside a
    question (skip); today's sentences do not depend on it. A kind without a text fails mypy."""
    match problem:
        case IdEmpty():
            return _("Please enter the ID number.")
        case IdLength(length=length):
            return _("An ID number has 18 characters; you entered {length}.").format(length=length)
        case IdFirstGeneration():
            return _(
                "This is a 15-digit first-generation ID number; first-generation cards are no longer valid. "
                "Please enter the 18-character number of the nominee's current ID card."
            )
        case IdChars():
            return _("An ID number has 17 digits followed by a digit or the letter X.")
        case IdRegion():
            return _("The region code at the start of the number is not valid. Please check the number.")
        case IdBirthDate():
            return _("The birth date in this ID number does not exist. Please check digits 7 to 14.")
        case IdFuture():
            return _("The birth date in this ID number lies in the future. Please check the number.")
        case IdAge(age=age, min_age=min_age, max_age=max_age):
            return _("The age from this ID number is {age}; nominees must be {min_age}–{max_age} years old.").format(
                age=age, min_age=min_age, max_age=max_age
            )
        case IdChecksum():
            return _(
                "The check digit (last character) does not match: one of the digits is probably mistyped. "
                "Please compare with the ID card."
            )
        case PhoneEmpty():
            return _("Please enter a phone number.")
        case PhoneInvalid():
            return _(
                "This is not a valid phone number. Enter an 11-digit mobile number or a landline with area code, "
                "e.g. 0371-67883217; a Hong Kong, Macao or Taiwan number with its code +852, +853 or +886."
            )
        case TextEmpty():
            return _("The answer is empty. Please type it again.")
        case TextTooShort(length=length, min=low):
            return _("Too short: {length} characters, at least {min} are required.").format(length=length, min=low)
        case TextTooLong(length=length, max=high):
            return _("Too long: {length} characters, at most {max} are allowed.").format(length=length, max=high)
        case TextWords():
            return _(
                "Please answer in words: emoji cannot go into the official forms, and digits or symbols alone are "
                "not an answer."
            )
        case NameEmpty():
            return _("Please enter the name.")
        case NameInvalid():
            return _(
                "A name may contain Chinese characters (with · for minority names) or Latin letters; "
                "no digits, symbols or emoji."
            )
        case NameLength(min=low, max=high):
            return _("A name has {min} to {max} characters.").format(min=low, max=high)
        case OrgEmpty():
            return _("Please enter the name of the organisation.")
        case OrgInvalid():
            return _(
                "The name contains characters that are not allowed (emoji or symbols). Letters, digits and the "
                "punctuation of registered names may be used: （）“”‘’《》·、-—/&."
            )
        case OrgLength(min=low, max=high):
            return _("An organisation name has {min} to {max} characters.").format(min=low, max=high)
        case ChoiceEmpty():
            return _("Please choose one of the buttons.")
        case ChoiceInvalid():
            fdef = step.field if step is not None else None
            if fdef is not None and fdef.common and len(fdef.options) > fdef.common:
                # only the common ones are buttons: say that every one of them may be typed
                return _(
                    "Please tap a button below, or type the {label}: any of all {n} is accepted (those without "
                    "a button too), e.g. {example}."
                ).format(
                    n=len(fdef.options),
                    label=esc(field_label(fdef)),
                    example=esc(option_label(fdef, fdef.options[fdef.common])),
                )
            return _("Please choose one of the buttons below (or type one of the listed answers).")
        case ChoiceCount(min=int() as low, max=int() as high) if low == high:
            return _n("Please choose exactly {n} answer.", "Please choose exactly {n} answers.", low).format(n=low)
        case ChoiceCount(min=int() as low, max=int() as high):
            return _("Please choose {min} to {max} answers.").format(min=low, max=high)
        case ChoiceCount(min=int() as low):
            return _n("Please choose at least {n} answer.", "Please choose at least {n} answers.", low).format(n=low)
        case ChoiceCount(max=high):
            return _n("Please choose at most {n} answer.", "Please choose at most {n} answers.", high or 0).format(
                n=high
            )
        case IntEmpty():
            return _("Please enter a number.")
        case IntInvalid():
            return _("Please enter a whole number using digits, e.g. 120.")
        case IntRange(min=None, max=int() as high):
            return _("The number must be at most {max}.").format(max=high)
        case IntRange(min=int() as low, max=None):
            return _("The number must be at least {min}.").format(min=low)
        case IntRange(min=low, max=high):
            return _("The number must be between {min} and {max}.").format(min=low, max=high)
        case PhotoExpected():
            return _("Please send a photo (JPG or PNG), as a picture or as a file.")
        case PhotoEmpty():
            return _("The file is empty.")
        case PhotoFormat():
            return _("Only JPG and PNG images are accepted; this file is not one. Please send a photo.")
        case PhotoCorrupt():
            return _("The image could not be read; it may be damaged. Please send another file.")
        case PhotoTooLarge(max_mb=max_mb):
            return _("The file is too large (at most {max_mb} MB).").format(max_mb=max_mb)
        case PhotoTooManyPixels(width=width, height=height, max_megapixels=max_megapixels, kind=kind):
            return _(
                "The picture is too large: {width}×{height} pixels; a {kind} file may have at most "
                "{max_megapixels} million pixels. {what_to_do}"
            ).format(
                width=width,
                height=height,
                max_megapixels=max_megapixels,
                kind=photo_kind(kind),
                what_to_do=photo_hint(kind),
            )
        case FieldRequired():
            return _("This question is required and cannot be skipped.")
        case TextExpected():
            return _("Please answer with text.")
        case NoSuchStep():
            return _("This question does not apply to the current nominee.")
        case Ineligible(message=message, message_en=message_en):
            return _(
                "According to the campaign rules this nominee cannot be nominated:\n<i>{message}</i>\n\n"
                "If the answer was a mistake, choose again; otherwise cancel this nominee."
            ).format(message=esc(pick(message, message_en)))
        case CalendarUnknown(year=year):
            return _(
                "The official calendar of working days for {year} has not been published yet, so working days "
                "in {year} cannot be counted."
            ).format(year=year)
        case _:
            assert_never(problem)


__all__ = ["answer_problem", "photo_hint", "photo_kind"]
