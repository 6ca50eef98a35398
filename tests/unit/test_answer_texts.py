"""Every reason an answer can be refused, as a clerk reads it in Chinese and in English.

The sentences come through the real catalogues (compiled from locales/*/messages.po), so a kind
without a sentence, an untranslated one or a placeholder left unfilled shows here.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import get_args

import pytest
from aiogram.utils.i18n import I18n

from core.errors import (
    AnswerProblem,
    Ineligible,
    IntRange,
    NameLength,
    OrgLength,
    PhotoTooLarge,
    PhotoTooManyPixels,
    TextTooLong,
)
from handlers.answer_texts import answer_problem
from locales import extract

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
CODE = re.compile(r"\b[a-z_]{2,}\.[a-z_]{2,}\b")  # the shape of the old codes: id.checksum, photo.too_large

# A value for every field of every kind, by field name. The numbers are unlike the real limits
# (20 MB, 60 million pixels), so a sentence with a number written into it instead of the field's shows.
SAMPLES: dict[str, object] = {
    "length": 5000,
    "min": 10,
    "max": 2200,
    "age": 12,
    "min_age": 16,
    "max_age": 80,
    "max_mb": 15,
    "width": 9000,
    "height": 8000,
    "max_megapixels": 48,
    "kind": "progressive JPG",
    "year": 2031,
    "rule": "senior_cadre",
    "message": "副处级及以上干部不得推荐为劳动模范",
    "message_en": "Cadres of deputy division level or above cannot be labour models",
}
# Numbers a sentence deliberately leaves out: a name's limits are what the clerk can act on.
NOT_SHOWN = {(NameLength, "length"), (OrgLength, "length")}
KINDS: tuple[type[AnswerProblem], ...] = get_args(AnswerProblem)


def sample(kind: type[AnswerProblem]) -> AnswerProblem:
    missing = [f.name for f in fields(kind) if f.name not in SAMPLES]
    assert not missing, f"add a sample value for {kind.__name__}.{missing} to SAMPLES"
    return kind(**{f.name: SAMPLES[f.name] for f in fields(kind)})  # type: ignore[arg-type]


def shown(number: int, text: str) -> bool:
    return re.search(rf"(?<![0-9]){number}(?![0-9])", text) is not None


@pytest.fixture
def i18n(catalogues: I18n) -> I18n:
    return catalogues


def say(i18n: I18n, lang: str, problem: AnswerProblem) -> str:
    with i18n.use_locale(lang):
        return answer_problem(problem)


def test_every_kind_of_answer_problem_is_listed() -> None:
    assert len(KINDS) > 30 and TextTooLong in KINDS and Ineligible in KINDS


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("lang", extract.LANGUAGES)
def test_every_refused_answer_is_explained_in_the_clerks_language(
    i18n: I18n, lang: str, kind: type[AnswerProblem]
) -> None:
    problem = sample(kind)
    text = say(i18n, lang, problem)
    assert text.strip(), f"{problem!r} has no text"
    assert not PLACEHOLDER.search(text), f"a placeholder is left in {text!r}"
    assert not CODE.search(text) and kind.__name__ not in text and "None" not in text, text
    if lang == "zh":
        assert CJK.search(text), f"{problem!r} is not translated: {text!r}"
    else:
        assert not CJK.search(text), f"Chinese in the English text of {problem!r}: {text!r}"
    for field in fields(kind):
        value = getattr(problem, field.name)
        if isinstance(value, int) and (kind, field.name) not in NOT_SHOWN:
            assert shown(value, text), f"{problem!r}: {field.name}={value} is not in {text!r}"


def test_a_text_over_the_limit_names_the_limit_and_the_length(i18n: I18n) -> None:
    assert say(i18n, "zh", TextTooLong(5000, 2200)) == "内容过长：当前 5000 字，最多允许 2200 字。"
    assert say(i18n, "en", TextTooLong(5000, 2200)) == "Too long: 5000 characters, at most 2200 are allowed."


def test_a_photo_over_the_download_limit_names_the_limit_it_was_refused_by(i18n: I18n) -> None:
    assert say(i18n, "en", PhotoTooLarge(max_mb=50)) == "The file is too large (at most 50 MB)."
    assert say(i18n, "zh", PhotoTooLarge(max_mb=50)) == "文件过大（最大 50 MB）。"


def test_a_picture_of_too_many_pixels_names_its_size_the_limit_of_its_kind_and_what_to_send(i18n: I18n) -> None:
    assert say(i18n, "zh", PhotoTooManyPixels(9000, 8000, 48, "progressive JPG")) == (
        "图片像素过多（9000×8000 像素）：渐进式 JPG 格式的图片总像素不得超过 48 百万。"
        "请将图片缩小后重新发送，或将照片另存为普通（非渐进式）JPG 格式后发送。"
    )
    assert say(i18n, "en", PhotoTooManyPixels(9000, 8000, 48, "PNG")) == (
        "The picture is too large: 9000×8000 pixels; a PNG file may have at most 48 million pixels. "
        "Please send a smaller picture, or the photo saved as JPG."
    )


def test_a_number_bounded_on_one_side_only_names_that_bound(i18n: I18n) -> None:
    assert say(i18n, "en", IntRange(min=1, max=None)) == "The number must be at least 1."
    assert say(i18n, "en", IntRange(min=None, max=500)) == "The number must be at most 500."
    assert say(i18n, "zh", IntRange(min=1, max=None)) == "数值不得小于 1。"
    assert say(i18n, "en", IntRange(min=1, max=500)) == "The number must be between 1 and 500."


def test_a_rule_without_an_english_message_shows_its_chinese_one_as_text_not_markup(i18n: I18n) -> None:
    text = say(i18n, "en", Ineligible(rule="age", message="年龄须<35岁", message_en=None))
    assert text.startswith("According to the campaign rules this nominee cannot be nominated")
    assert "<i>年龄须&lt;35岁</i>" in text
