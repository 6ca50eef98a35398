"""The intake form: which question comes next, whether it applies, how an answer is validated
and normalised, and what is still missing. Independent of Telegram, so the chat, the Excel
bulk import and the tests all drive the same model.

Answers are a JSON-safe dict keyed by step key: ``category``, the award's field keys, derived
values from the ID number (``gender``, ``birth_date``), and ``reason.<rule>`` for soft
eligibility rules that need a written reason. ``None`` marks an optional question skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from core.campaign import Award, Campaign, EligibilityRule, FieldDef, applies
from core.eligibility import evaluate, fires, reason_key, rules_for
from core.errors import (
    ChoiceCount,
    ChoiceEmpty,
    ChoiceInvalid,
    FieldRequired,
    Ineligible,
    IntEmpty,
    IntInvalid,
    IntRange,
    InvalidAnswer,
    NoSuchStep,
    PhotoExpected,
    TextExpected,
    TextWords,
)
from core.idcard import parse_id_number
from core.phone import normalize_phone
from core.selectors import fields_of, given
from core.textcheck import check_length, clean_text, contains_emoji, org_name, person_name

Answers = Mapping[str, Any]
DERIVED = ("gender", "birth_date")  # filled from the ID number, never asked
TEXT_MAX = 200
LONGTEXT_MAX = 5000
REASON_MIN, REASON_MAX = 5, 500
_YES = {"是", "是的", "有", "y", "yes", "true", "1", "对"}
_NO = {"否", "不是", "没有", "无", "n", "no", "false", "0", "不"}


@dataclass(frozen=True)
class Step:
    key: str
    kind: Literal["category", "field", "reason"]
    field: FieldDef | None = None
    rule: EligibilityRule | None = None

    @property
    def required(self) -> bool:
        return self.field.required if self.field is not None else True

    @property
    def choices(self) -> list[str]:
        return self.field.options if self.field is not None else []


class IntakeForm:
    def __init__(self, campaign: Campaign, award_key: str, *, alternate: bool = False) -> None:
        self.campaign = campaign
        self.award: Award = campaign.award(award_key)
        self.alternate = alternate
        self._rules = rules_for(campaign, award_key)
        # The answers the list of questions depends on (conditions of fields and of soft rules):
        # a chat update asks for the steps several times, for the same answers.
        self._depends = sorted(
            {key for fkey in self.award.fields for key in fields_of(campaign.fields[fkey].when)}
            | {key for rule in self._rules if rule.kind == "soft" for key in fields_of(rule.when)}
        )
        # of a ``when_answered`` question only whether it has an answer matters (not its text)
        self._given = sorted({key for fkey in self.award.fields for key in campaign.fields[fkey].when_answered})
        self._steps: dict[tuple[Any, ...], tuple[Step, ...]] = {}

    # ------------------------------------------------------------------ structure

    def categories(self) -> list[str]:
        """Category choices; an alternate may only be of the categories the alternate rule names."""
        cats = list(self.award.categories)
        rule = self.award.alternate
        if self.alternate and rule is not None and "category" in rule.alternate_where:
            cats = [c for c in cats if c in rule.alternate_where["category"]]
        return cats

    def steps(self, answers: Answers) -> list[Step]:
        """The questions that apply given the answers so far, in the order they are asked."""
        key = (
            *((k in answers, answers.get(k)) for k in self._depends),
            *(given(answers.get(k)) for k in self._given),
        )
        try:
            found = self._steps.get(key)
        except TypeError:  # an unhashable answer among them: not remembered
            return self._compute_steps(answers)
        if found is None:
            found = self._steps[key] = tuple(self._compute_steps(answers))
        return list(found)

    def _compute_steps(self, answers: Answers) -> list[Step]:
        out: list[Step] = []
        if self.award.categories:
            out.append(Step("category", "category"))
        asked: set[str] = {"category"}
        for fkey in self.award.fields:
            fdef = self.campaign.fields[fkey]
            if not applies(fdef, answers):
                continue
            out.append(Step(fkey, "field", field=fdef))
            asked.add(fkey)
            for rule in self._rules:
                # a soft rule's reason is asked right after the last question it depends on
                if (
                    rule.kind == "soft"
                    and fkey in (read := fields_of(rule.when))
                    and set(read) <= asked
                    and fires(rule, answers)
                ):
                    out.append(Step(reason_key(rule), "reason", rule=rule))
        return out

    def step(self, key: str, answers: Answers) -> Step | None:
        return next((s for s in self.steps(answers) if s.key == key), None)

    def next_step(self, answers: Answers) -> Step | None:
        """The first question still missing (as in :meth:`missing`: a required one answered None
        counts, e.g. after the definition made a skipped optional question required)."""
        missing = set(self.missing(answers))
        return next((s for s in self.steps(answers) if s.key in missing), None)

    def previous_step(self, answers: Answers, key: str) -> Step | None:
        steps = self.steps(answers)
        keys = [s.key for s in steps]
        if key not in keys:
            return steps[-1] if steps else None
        i = keys.index(key)
        return steps[i - 1] if i > 0 else None

    def progress(self, answers: Answers, key: str) -> tuple[int, int]:
        keys = [s.key for s in self.steps(answers)]
        return (keys.index(key) + 1 if key in keys else len(keys)), len(keys)

    def missing(self, answers: Answers) -> list[str]:
        """Applicable questions without an answer (a skipped optional one counts as answered)."""
        return [s.key for s in self.steps(answers) if s.key not in answers or (s.required and answers[s.key] is None)]

    def prune(self, answers: Answers) -> dict[str, Any]:
        """Drops answers to questions that no longer apply (e.g. after the category changed)."""
        keep = {s.key for s in self.steps(answers)}
        if "id_number" in keep:
            keep.update(DERIVED)
        return {k: v for k, v in answers.items() if k in keep}

    # ------------------------------------------------------------------ answering

    def accept(self, answers: Answers, key: str, raw: str, today: date) -> dict[str, Any]:
        """Validates ``raw`` for step ``key`` and returns the new answers. Raises :class:`InvalidAnswer`
        (the validator's problem for bad input, NoSuchStep when ``key`` does not apply, or Ineligible
        when the answer makes the nominee ineligible by a hard rule)."""
        step = self.step(key, answers)
        if step is None:
            raise InvalidAnswer(NoSuchStep())
        updates = self._validate(step, raw, today)
        return self._apply(answers, updates)

    def accept_value(self, answers: Answers, key: str, value: Any) -> dict[str, Any]:
        """Stores an already validated value (a photo's file reference, a button's choice)."""
        step = self.step(key, answers)
        if step is None:
            raise InvalidAnswer(NoSuchStep())
        if step.kind == "category" and value not in self.categories():
            raise InvalidAnswer(ChoiceInvalid())
        if step.field is not None and step.field.type == "multichoice":
            if not isinstance(value, list) or not all(v in step.field.options for v in value):
                raise InvalidAnswer(ChoiceInvalid())
            value = _counted(step.field, value)
        elif step.field is not None and step.field.options and value not in step.field.options:
            raise InvalidAnswer(ChoiceInvalid())
        return self._apply(answers, {key: value})

    def skip(self, answers: Answers, key: str) -> dict[str, Any]:
        step = self.step(key, answers)
        if step is None:
            raise InvalidAnswer(NoSuchStep())
        if step.required:
            raise InvalidAnswer(FieldRequired())
        return self._apply(answers, {key: None})

    def _apply(self, answers: Answers, updates: Mapping[str, Any]) -> dict[str, Any]:
        new = self.prune({**answers, **updates})
        result = evaluate(self.campaign, self.award.key, new)
        if result.hard:
            rule = result.hard[0]
            raise InvalidAnswer(Ineligible(rule=rule.key, message=rule.message, message_en=rule.message_en))
        return new

    def _validate(self, step: Step, raw: str, today: date) -> dict[str, Any]:
        if not isinstance(raw, str):
            raise InvalidAnswer(TextExpected())
        if step.kind == "category":
            return {"category": _choose(raw, self.categories(), self.award.categories_en, self.award.categories)}
        if step.kind == "reason":
            text = _words(check_length(clean_text(raw), REASON_MIN, REASON_MAX))
            return {step.key: text}
        fdef = step.field
        assert fdef is not None
        key = fdef.key
        match fdef.type:
            case "text" | "longtext":
                multiline = fdef.type == "longtext"
                default_max = LONGTEXT_MAX if multiline else TEXT_MAX
                text = clean_text(raw, multiline=multiline)
                return {key: _words(check_length(text, fdef.min_length, fdef.max_length or default_max))}
            case "person_name":
                return {key: person_name(raw)}
            case "org_name":
                return {key: org_name(raw)}
            case "choice":
                return {key: _choose(raw, fdef.choices, fdef.choices_en, fdef.choices)}
            case "multichoice":
                return {key: _choose_many(raw, fdef)}
            case "yesno":
                word = _fold(raw)
                if word in _YES:
                    return {key: "是"}
                if word in _NO:
                    return {key: "否"}
                raise InvalidAnswer(ChoiceInvalid())
            case "integer":
                return {key: _integer(raw, fdef.min, fdef.max)}
            case "id_number":
                card = parse_id_number(raw, today)
                return {key: card.number, "gender": card.gender, "birth_date": card.birth_date.isoformat()}
            case "phone":
                return {key: normalize_phone(raw)}
            case "photo":
                raise InvalidAnswer(PhotoExpected())
        raise InvalidAnswer(TextExpected())  # pragma: no cover - FieldType is exhaustive


def _words(text: str) -> str:
    """Free text for the official forms: written in words (digits or symbols alone say nothing)
    and without emoji, which the 审批表 and the exported tables cannot carry."""
    if contains_emoji(text) or not any(ch.isalpha() for ch in text):
        raise InvalidAnswer(TextWords())
    return text


def _fold(raw: str) -> str:
    # clean_text first: an answer of invisible characters is empty, not an unknown choice
    return unicodedata.normalize("NFKC", clean_text(raw, multiline=False)).casefold()


def _choose(raw: str, values: list[str], values_en: list[str], universe: list[str]) -> str:
    """Matches a typed choice: the Chinese value, its English label, or a 民族 without 族."""
    word = _fold(raw)
    if not word:
        raise InvalidAnswer(ChoiceEmpty())
    for value in values:
        if word in (_fold(value), _fold(value).removesuffix("族")):
            return value
    for value, label in zip(universe, values_en, strict=False):
        if value in values and word == _fold(label):
            return value
    raise InvalidAnswer(ChoiceInvalid())


MULTI_SEPARATORS = re.compile(r"[、,，;；/\n]+|\s{1,}")


def _choose_many(raw: str, fdef: FieldDef) -> list[str]:
    """A typed multiple-choice answer: the choices separated by 、 , ; / or spaces; 无 for none."""
    word = _fold(raw)
    if not word:
        raise InvalidAnswer(ChoiceEmpty())
    if word in ("无", "没有", "none", "n/a"):
        return _counted(fdef, [])
    parts = [p for p in MULTI_SEPARATORS.split(clean_text(raw, multiline=True)) if p]
    chosen = {_choose(p, fdef.choices, fdef.choices_en, fdef.choices) for p in parts}
    return _counted(fdef, list(chosen))


def _counted(fdef: FieldDef, values: list[str]) -> list[str]:
    """The choices in the definition's order, within the question's ``min``/``max`` count."""
    ordered = [v for v in fdef.choices if v in values]
    if (fdef.min is not None and len(ordered) < fdef.min) or (fdef.max is not None and len(ordered) > fdef.max):
        raise InvalidAnswer(ChoiceCount(min=fdef.min, max=fdef.max))
    return ordered


def _integer(raw: str, low: int | None, high: int | None) -> int:
    text = _fold(raw).replace(",", "").replace("人", "").replace(" ", "")
    if not text:
        raise InvalidAnswer(IntEmpty())
    if not text.isdigit() or len(text) > 12:
        raise InvalidAnswer(IntInvalid())
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidAnswer(IntRange(min=low, max=high))
    return value


def age_on(answers: Answers, today: date) -> int | None:
    """The nominee's age from the birth date derived from the ID number; None without one (a
    stored record from before, or not an individual)."""
    born = answers.get("birth_date")
    if not isinstance(born, str) or not born:
        return None
    try:
        b = date.fromisoformat(born)
    except ValueError:
        return None
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))
