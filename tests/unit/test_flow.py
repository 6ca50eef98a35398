"""The intake's navigation (core.flow) as a clerk walks it: next, back, skip, change from the summary,
resume — without Telegram or a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from core import flow
from core.campaign import Campaign
from core.form import IntakeForm
from core.loader import load_builtin
from core.records import Draft
from tests.nominees import PHOTO_KEY, id_number, medal

TODAY = date(2024, 3, 15)
ZZ = load_builtin("zhengzhou-2024")
ANSWERS = medal("张三", id_number(7))  # a frontline industrial worker


def answer(form: IntakeForm, draft: Draft, step: flow.Screen) -> tuple[Draft, flow.Screen]:
    """What a clerk types (or skips, or taps) for the question on screen."""
    assert isinstance(step, flow.Ask)
    key = step.step.key
    value = ANSWERS[key]
    if key == "category":
        answers = form.accept_value(draft.answers, key, value)
    elif key == "photo":
        answers = form.accept_value(draft.answers, key, PHOTO_KEY)
    elif value is None:
        answers = form.skip(draft.answers, key)
    else:
        answers = form.accept(draft.answers, key, value, TODAY)
    return flow.advance(form, draft, answers)


def started(campaign: Campaign = ZZ, award: str = "medal") -> tuple[IntakeForm, Draft, flow.Screen]:
    draft = flow.start(campaign, 7, award)
    form = flow.form_of(campaign, draft)
    return (form, *flow.advance(form, draft, {}))


def walk(form: IntakeForm, draft: Draft, screen: flow.Screen, until: str | None = None) -> tuple[Draft, flow.Screen]:
    while isinstance(screen, flow.Ask) and screen.step.key != until:
        draft, screen = answer(form, draft, screen)
    return draft, screen


def test_a_new_medal_nominee_starts_at_the_category_without_a_back_button() -> None:
    form, draft, screen = started()
    assert isinstance(screen, flow.Ask) and screen.step.key == "category"
    assert draft.step == "category" and draft.award == "medal"
    assert flow.is_first(form, draft, screen.step)


def test_answering_every_question_ends_at_the_summary_card_with_nothing_missing() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen)
    assert isinstance(screen, flow.Summary)
    assert draft.step == flow.SUMMARY and draft.in_summary
    assert form.missing(draft.answers) == []


def test_back_goes_to_the_previous_question_and_before_the_first_back_to_the_award_menu() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="id_number")
    draft, screen = flow.back(form, draft, "id_number")
    assert isinstance(screen, flow.Ask) and screen.step.key == "name"
    draft, screen = flow.back(form, draft, "name")
    draft, screen = flow.back(form, draft, "category")
    assert isinstance(screen, flow.ChooseAward)
    assert draft.award is None and draft.answers == {} and draft.step is None


def test_back_from_the_first_question_of_an_edit_returns_to_its_card() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    editing = replace(draft, editing=12)
    moved = flow.change(form, editing, "category")
    assert moved is not None
    draft, screen = flow.back(form, moved[0], "category")
    assert isinstance(screen, flow.Summary) and draft.answers == editing.answers


def test_an_answer_changed_from_the_summary_comes_back_to_the_summary() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    moved = flow.change(form, draft, "phone")
    assert moved is not None
    draft, screen = moved
    assert isinstance(screen, flow.Ask) and screen.step.key == "phone" and draft.in_summary
    answers = form.accept(draft.answers, "phone", "0371-67883217", TODAY)
    draft, screen = flow.advance(form, draft, answers)
    assert isinstance(screen, flow.Summary) and draft.answers["phone"] == "0371-67883217"


def test_back_from_a_question_opened_from_the_summary_returns_to_the_summary() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    moved = flow.change(form, draft, "name")
    assert moved is not None
    draft, screen = moved
    before = dict(draft.answers)
    draft, screen = flow.back(form, draft, "name")
    assert isinstance(screen, flow.Summary) and draft.answers == before  # not the category, nothing lost


def test_a_question_that_no_longer_applies_cannot_be_changed_from_an_old_card() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    assert flow.change(form, draft, "violation_5y_head") is None  # asked of enterprise heads only


@pytest.mark.parametrize("stopped_at", ["name", "phone"])
def test_an_interrupted_draft_resumes_at_the_question_it_stopped_at(stopped_at: str) -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until=stopped_at)
    resumed, again = flow.resume(ZZ, draft)
    assert isinstance(again, flow.Ask) and again.step.key == stopped_at and resumed == draft


def test_a_draft_at_its_summary_resumes_at_the_summary_and_one_without_award_at_the_menu() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    assert isinstance(flow.resume(ZZ, draft)[1], flow.Summary)
    assert isinstance(flow.resume(ZZ, Draft(tg_id=7, campaign_id=ZZ.id))[1], flow.ChooseAward)


def test_a_stored_step_the_definition_no_longer_has_gives_way_to_the_first_missing_question() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="phone")
    gone = replace(draft, step="a_question_removed_by_a_reload")
    resumed, again = flow.resume(ZZ, gone)
    assert isinstance(again, flow.Ask) and again.step.key == "phone" and resumed.step == "phone"


def test_continue_answering_an_incomplete_card_asks_the_first_missing_question() -> None:
    form, draft, screen = started()
    draft, _ = walk(form, draft, screen)
    incomplete: dict[str, Any] = {k: v for k, v in draft.answers.items() if k != "deeds"}
    card = replace(draft, answers=incomplete)
    draft, screen = flow.keep_answering(form, card)
    assert isinstance(screen, flow.Ask) and screen.step.key == "deeds"
    answers = form.accept(draft.answers, "deeds", ANSWERS["deeds"], TODAY)
    assert isinstance(flow.advance(form, draft, answers)[1], flow.Summary)  # not the photo, given before


def test_an_alternate_starts_on_the_category_and_goes_back_to_its_card_not_the_menu() -> None:
    draft = flow.start(ZZ, 7, "medal", alternate_for=3)
    form = flow.form_of(ZZ, draft)
    assert form.categories() == ["一线产业工人", "其他一线职工和专业技术人员"]
    draft, screen = flow.advance(form, draft, {})
    assert isinstance(screen, flow.Ask) and flow.is_first(form, draft, screen.step)
    _draft, back = flow.back(form, draft, "category")  # an old ◀ of an earlier question
    assert isinstance(back, flow.Summary)


# ------------------------------------------------------------------------------ going back, then forward


def test_going_back_twice_and_retyping_the_name_goes_on_to_the_next_question_in_order() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="ethnicity")  # step 4
    draft, screen = flow.back(form, draft, "ethnicity")
    draft, screen = flow.back(form, draft, "id_number")
    assert isinstance(screen, flow.Ask) and screen.step.key == "name"
    answers = form.accept(draft.answers, "name", "张三丰", TODAY)
    draft, screen = flow.advance(form, draft, answers)
    # the ID number, given before: asked again in order, with its answer there to keep
    assert isinstance(screen, flow.Ask) and screen.step.key == "id_number"
    assert flow.kept(draft, screen.step) and draft.answers["name"] == "张三丰"
    kept = flow.keep(form, draft, "id_number")
    assert kept is not None
    draft, screen = kept
    assert isinstance(screen, flow.Ask) and screen.step.key == "ethnicity"
    assert not flow.kept(draft, screen.step)  # never answered: nothing to keep
    assert flow.keep(form, draft, "ethnicity") is None


def test_keep_is_refused_for_a_question_the_draft_is_not_waiting_at() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="ethnicity")
    assert flow.keep(form, draft, "name") is None  # an old 保持不变 button of an earlier question


def test_keeping_every_answer_after_going_back_leads_to_the_first_unanswered_question() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="phone")
    for _ in range(3):
        assert draft.step is not None
        draft, screen = flow.back(form, draft, draft.step)
    assert isinstance(screen, flow.Ask) and screen.step.key == "same_award"
    while isinstance(screen, flow.Ask) and flow.kept(draft, screen.step):
        moved = flow.keep(form, draft, screen.step.key)
        assert moved is not None
        draft, screen = moved
    assert isinstance(screen, flow.Ask) and screen.step.key == "phone"


# ------------------------------------------------------------------------------ questions that do not apply


def keys_asked(answers: dict[str, Any]) -> list[str]:
    """The questions a clerk is asked, in order, answering from ``answers``."""
    form, draft, screen = started()
    asked: list[str] = []
    while isinstance(screen, flow.Ask):
        asked.append(screen.step.key)
        draft, screen = answer_with(form, draft, screen, answers)
    return asked


@pytest.mark.parametrize("title", [None, "无", "没有"])
def test_the_title_level_is_not_asked_when_the_title_is_skipped_or_none(title: str | None) -> None:
    asked = keys_asked({**ANSWERS, "title": title})
    assert "title" in asked and "title_level" not in asked


def test_the_honour_level_is_not_asked_without_an_honour_and_asked_right_after_one() -> None:
    assert "honour_level" not in keys_asked({**ANSWERS, "highest_honour": None})
    asked = keys_asked({**ANSWERS, "highest_honour": "郑州市劳动模范", "honour_level": "市级"})
    assert asked[asked.index("highest_honour") + 1] == "honour_level"


def test_the_title_level_given_earlier_is_dropped_when_the_title_becomes_none() -> None:
    form = IntakeForm(ZZ, "medal")
    answers = form.accept({"category": "一线产业工人"}, "title", "工程师", TODAY)
    answers = form.accept_value(answers, "title_level", "中级")
    assert answers["title_level"] == "中级"
    assert "title_level" not in form.accept(answers, "title", "无", TODAY)


def test_the_total_stays_put_and_grows_only_when_an_answer_adds_a_question() -> None:
    answers = {**ANSWERS, "title": "高级工程师", "title_level": "副高级"}
    form, draft, screen = started()
    totals: list[tuple[str, int]] = []
    while isinstance(screen, flow.Ask):
        totals.append((screen.step.key, form.progress(draft.answers, screen.step.key)[1]))
        draft, screen = answer_with(form, draft, screen, answers)
    # 21 questions for a frontline worker without a title; the title adds its level
    assert totals[0] == ("category", 21)
    assert {n for key, n in totals[: totals.index(("title", 21)) + 1]} == {21}
    assert {n for _key, n in totals[totals.index(("title", 21)) + 1 :]} == {22}


def answer_with(
    form: IntakeForm, draft: Draft, screen: flow.Screen, answers: dict[str, Any]
) -> tuple[Draft, flow.Screen]:
    assert isinstance(screen, flow.Ask)
    key = screen.step.key
    if key == "category":
        new = form.accept_value(draft.answers, key, answers[key])
    elif key == "photo":
        new = form.accept_value(draft.answers, key, PHOTO_KEY)
    elif answers[key] is None:
        new = form.skip(draft.answers, key)
    else:
        new = form.accept(draft.answers, key, answers[key], TODAY)
    return flow.advance(form, draft, new)
