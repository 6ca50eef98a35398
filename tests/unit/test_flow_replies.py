"""Which message answered which question (core.flow.record_reply) and what editing one of them
means (core.flow.edited) — the decisions behind edited messages, without Telegram."""

from __future__ import annotations

from dataclasses import replace

from core import flow
from core.records import MAX_REPLIES, Draft, Replies
from tests.unit.test_flow import ZZ, answer, started, walk


def typed(draft: Draft, screen: flow.Screen, message_id: int) -> tuple[Draft, flow.Screen]:
    """The clerk answers the question on screen with their message ``message_id``."""
    form = flow.form_of(ZZ, draft)
    after, shown = answer(form, draft, screen)
    return flow.record_reply(draft, after, message_id), shown


def test_an_answer_is_remembered_with_the_screen_it_led_to() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="name")
    draft, screen = typed(draft, screen, 11)
    assert isinstance(screen, flow.Ask) and screen.step.key == "id_number"
    assert draft.replies == Replies({11: "name"}, 11, "id_number")


def test_a_refused_answer_or_a_screen_shown_again_is_no_answer() -> None:
    form, draft, screen = started()
    draft, _screen = walk(form, draft, screen, until="name")
    assert flow.record_reply(draft, draft, 12) == draft  # the question asked again
    resumed, _ = flow.resume(ZZ, draft)
    assert flow.record_reply(draft, resumed, 12).replies == Replies()
    # /edit 7 replaced the draft by the card of a saved nominee: the command answered nothing
    editing = replace(draft, answers={"name": "张三"}, step=flow.SUMMARY, editing=7)
    assert flow.record_reply(draft, editing, 12).replies == Replies()


def test_the_last_answer_is_answered_again_while_its_next_question_is_shown() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="name")
    draft, screen = typed(draft, screen, 11)
    meaning = flow.edited(form, draft, 11)
    assert isinstance(meaning, flow.Reanswer) and meaning.step.key == "name"
    assert meaning.draft.step == "name" and meaning.draft.answers == draft.answers
    # back at the name, an edit of the same message again is still the name's answer
    assert isinstance(flow.edited(form, meaning.draft, 11), flow.Reanswer)
    # a message sent after it, at the ID question (a refused try), answers that question
    later = flow.edited(form, draft, 12)
    assert isinstance(later, flow.Reanswer) and later.step.key == "id_number" and later.draft == draft


def test_once_the_form_has_moved_on_an_edit_is_of_an_earlier_answer() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="name")
    draft, screen = typed(draft, screen, 11)
    draft, screen = typed(draft, screen, 13)  # the ID number
    meaning = flow.edited(form, draft, 11)
    assert isinstance(meaning, flow.EarlierAnswer) and meaning.step is not None and meaning.step.key == "name"
    # ◀ back to the ID question: the screen after the last answer is gone, so 13 is earlier too
    back, _ = flow.back(form, draft, "ethnicity")
    assert isinstance(flow.edited(form, back, 13), flow.EarlierAnswer)
    assert flow.edited(form, draft, 5) is None  # a message that answered nothing (a command)


def test_only_the_newest_replies_are_kept() -> None:
    form, draft, screen = started()
    draft, screen = walk(form, draft, screen, until="name")
    draft = replace(draft, replies=Replies({i: "name" for i in range(MAX_REPLIES)}, MAX_REPLIES - 1, "name"))
    after, _ = typed(draft, screen, 10_000)
    assert len(after.replies.steps) == MAX_REPLIES and 0 not in after.replies.steps
    assert after.replies.steps[10_000] == "name"
