"""The intake's navigation: where a draft goes after each thing a clerk does.

Pure functions of the draft (:class:`core.records.Draft`) and the clerk's action, returning the
new draft and the :data:`Screen` to show — the next question, the summary card, or the award
menu. Telegram, storage and wording stay outside: the chat stores the draft and renders the
screen; the tests walk the whole form without either.

Flow (DOMAIN.md "What a nominee record holds"): award → category → the award's questions, one at
a time, with back / skip / cancel → the summary card, from which any answer can be changed (and
the clerk comes back to the card) → confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.campaign import Campaign
from core.form import IntakeForm, Step
from core.records import MAX_REPLIES, Draft, Replies

SUMMARY = "@summary"  # the draft's step while its summary card is shown


@dataclass(frozen=True)
class Ask:
    """Ask this question."""

    step: Step


@dataclass(frozen=True)
class Summary:
    """Show every answer with a button to change each (and confirm when nothing is missing)."""


@dataclass(frozen=True)
class ChooseAward:
    """Back at the start: which award is the nominee for?"""


Screen = Ask | Summary | ChooseAward


def form_of(campaign: Campaign, draft: Draft) -> IntakeForm:
    """The form of the draft's award (an alternate's form lists only the alternate's categories)."""
    return IntakeForm(campaign, draft.award or "", alternate=draft.alternate_for is not None)


def start(campaign: Campaign, tg_id: int, award: str, *, alternate_for: int | None = None) -> Draft:
    return Draft(tg_id=tg_id, campaign_id=campaign.id, award=award, alternate_for=alternate_for)


def summary(draft: Draft) -> tuple[Draft, Screen]:
    return replace(draft, step=SUMMARY, in_summary=True), Summary()


def advance(form: IntakeForm, draft: Draft, answers: dict[str, Any]) -> tuple[Draft, Screen]:
    """After an accepted answer, a skip or a keep at the draft's question: the question after it
    in order — shown with its answer when it has one, so a clerk who went back walks forward
    through what was given (:func:`keep` leaves it) — or, after the last one, the first question
    still missing or the summary. A clerk who came from the summary goes back to it once nothing
    is missing; a new draft (no question yet) starts at the first missing question."""
    draft = replace(draft, answers=answers)
    missing = form.missing(answers)
    if draft.in_summary and not missing:
        return summary(draft)
    steps = form.steps(answers)
    keys = [s.key for s in steps]
    nxt: Step | None = None
    if not draft.in_summary and draft.step in keys:
        after = steps[keys.index(draft.step) + 1 :]
        nxt = after[0] if after else None
    if nxt is None:
        nxt = next((s for s in steps if s.key in missing), None)
    if nxt is None:
        return summary(draft)
    return replace(draft, step=nxt.key), Ask(nxt)


def kept(draft: Draft, step: Step) -> bool:
    """The question has an answer a clerk may keep (保持不变) rather than give again."""
    return draft.answers.get(step.key) is not None


def keep(form: IntakeForm, draft: Draft, key: str) -> tuple[Draft, Screen] | None:
    """保持不变 under question ``key``: its answer stays and the form moves on as after an answer.
    None when the draft does not wait at ``key`` or the question has no answer to keep."""
    step = form.step(key, draft.answers)
    if draft.step != key or step is None or not kept(draft, step):
        return None
    return advance(form, draft, dict(draft.answers))


def back(form: IntakeForm, draft: Draft, key: str) -> tuple[Draft, Screen]:
    """◀ from question ``key``: the summary card when the clerk came from it (✎ or 继续填写);
    else the previous question; before the first one, the award menu for a new nominee (its
    answers dropped) or the card of a nominee being changed or an alternate."""
    if draft.in_summary:
        return summary(draft)
    prev = form.previous_step(draft.answers, key)
    if prev is not None:
        return replace(draft, step=prev.key, in_summary=False), Ask(prev)
    if draft.editing is None and draft.alternate_for is None:
        return replace(draft, award=None, answers={}, step=None), ChooseAward()
    return summary(draft)


def change(form: IntakeForm, draft: Draft, key: str) -> tuple[Draft, Screen] | None:
    """✎ on the summary card: that question, then back to the card. None when it no longer applies."""
    step = form.step(key, draft.answers)
    if step is None:
        return None
    return replace(draft, step=step.key, in_summary=True), Ask(step)


def keep_answering(form: IntakeForm, draft: Draft) -> tuple[Draft, Screen]:
    """继续填写 on an incomplete summary card: the questions still missing, one after
    the other (not those answered between them), then the card again."""
    return advance(form, replace(draft, in_summary=True), dict(draft.answers))


def pause(draft: Draft) -> Draft:
    """暂停，保留草稿: every answer kept, no question waiting; :func:`resume` goes on at the first
    question still missing (or the summary it came from)."""
    return replace(draft, step=None)


def current(form: IntakeForm, draft: Draft) -> Step | None:
    """The question the draft is waiting for (None at the summary, or when it no longer applies)."""
    if draft.step is None or draft.step == SUMMARY:
        return None
    return form.step(draft.step, draft.answers)


def resume(campaign: Campaign, draft: Draft) -> tuple[Draft, Screen]:
    """Where an interrupted draft stopped: its question, its summary, or the award menu. A question
    that no longer applies (the definition changed) gives way to the first one still missing."""
    if draft.award is None:
        return draft, ChooseAward()
    form = form_of(campaign, draft)
    step = current(form, draft)
    if step is None and not draft.in_summary:
        step = form.next_step(draft.answers)
    if step is None:
        return summary(draft)
    return replace(draft, step=step.key), Ask(step)


def record_reply(before: Draft, after: Draft, message_id: int) -> Draft:
    """``after``, the draft ``before`` became on the clerk's message ``message_id``, remembering
    that message as the answer to ``before``'s question — when it was one: the same draft, that
    question now has an answer and the draft moved on from it (to the next question or the
    summary)."""
    key = before.step
    if key is None or key == SUMMARY or after.step == key or key not in after.answers:
        return after
    if (after.award, after.editing, after.alternate_for) != (before.award, before.editing, before.alternate_for):
        return after  # another draft took its place (/edit N): the message answered nothing of it
    steps = dict(after.replies.steps)
    steps.pop(message_id, None)
    steps[message_id] = key
    if len(steps) > MAX_REPLIES:  # the oldest are forgotten: editing them only says so
        steps = dict(sorted(steps.items())[-MAX_REPLIES:])
    return replace(after, replies=Replies(steps, message_id, after.step))


@dataclass(frozen=True)
class Reanswer:
    """The edited message answers ``step`` (again); ``draft`` is the draft back at that question."""

    draft: Draft
    step: Step


@dataclass(frozen=True)
class EarlierAnswer:
    """The edited message answered a question the clerk has gone on from (``step``; None when it
    no longer applies)."""

    step: Step | None


def edited(form: IntakeForm, draft: Draft, message_id: int) -> Reanswer | EarlierAnswer | None:
    """What the clerk's editing their message ``message_id`` means for the draft:

    - it gave the latest answer and the screen that answer led to is still the current one: that
      question is answered again (:class:`Reanswer`, the draft back at it);
    - it was sent after that answer, at the current question (a refused answer, corrected by
      editing it): the current question is answered with it (:class:`Reanswer`, draft as it is);
    - it answered an earlier question: :class:`EarlierAnswer` (changed through ◀ or the summary);
    - anything else: None (it was no answer)."""
    replies = draft.replies
    unmoved = draft.step is not None and draft.step == replies.shown  # nothing happened since that answer
    if unmoved and replies.last is not None and message_id == replies.last:
        step = form.step(replies.steps.get(message_id, ""), draft.answers)
        if step is not None:
            back = replace(draft, step=step.key, replies=replace(replies, shown=step.key))
            return Reanswer(back, step)
    elif unmoved and replies.last is not None and message_id > replies.last:
        step = current(form, draft)
        if step is not None:
            return Reanswer(draft, step)
    if message_id in replies.steps:
        return EarlierAnswer(form.step(replies.steps[message_id], draft.answers))
    return None


def is_first(form: IntakeForm, draft: Draft, step: Step) -> bool:
    """The first question of a new nominee has no ◀ (it would only lead back to the award menu
    for an edit or an alternate, which start on their card)."""
    return form.previous_step(draft.answers, step.key) is None and draft.editing is None


__all__ = [
    "SUMMARY",
    "Ask",
    "ChooseAward",
    "EarlierAnswer",
    "Reanswer",
    "Screen",
    "Summary",
    "advance",
    "back",
    "change",
    "current",
    "edited",
    "form_of",
    "is_first",
    "keep",
    "keep_answering",
    "kept",
    "pause",
    "record_reply",
    "resume",
    "start",
    "summary",
]
