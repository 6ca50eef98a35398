"""The intake form as a clerk meets it: which question comes next, what is accepted, what is refused."""

from datetime import date

import pytest

from core.errors import (
    ChoiceEmpty,
    ChoiceInvalid,
    FieldRequired,
    IdBirthDate,
    IdChecksum,
    Ineligible,
    IntRange,
    InvalidAnswer,
    NoSuchStep,
    TextTooLong,
)
from core.form import IntakeForm
from core.idcard import make_id_number
from core.loader import load_builtin

TODAY = date(2024, 3, 10)


@pytest.fixture(scope="module")
def zhengzhou():
    return load_builtin("zhengzhou-2024")


@pytest.fixture(scope="module")
def zhangjiakou():
    return load_builtin("zhangjiakou-2024")


def test_a_medal_nominee_starts_with_the_category_and_never_asks_sex_or_age(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    step = form.next_step({})
    assert step is not None and step.key == "category"
    keys = [s.key for s in form.steps({"category": "一线产业工人"})]
    assert keys[:3] == ["category", "name", "id_number"]
    assert "gender" not in keys and "age" not in keys and "birth_date" not in keys


def test_the_id_number_fills_sex_and_birth_date_whatever_way_it_is_typed(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    number = make_id_number("410102", date(1985, 7, 9), 21, True)
    fullwidth = number[:6] + " " + number[6:].translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    answers = form.accept({"category": "一线产业工人"}, "id_number", fullwidth, TODAY)
    assert answers["id_number"] == number
    assert answers["gender"] == "女"
    assert answers["birth_date"] == "1985-07-09"


def test_a_mistyped_id_number_is_refused_with_the_reason(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    number = make_id_number("410102", date(1985, 7, 9), 21, True)
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    with pytest.raises(InvalidAnswer) as err:
        form.accept({"category": "一线产业工人"}, "id_number", wrong, TODAY)
    assert isinstance(err.value.problem, IdChecksum | IdBirthDate)


def test_the_enterprise_head_question_only_appears_for_enterprise_heads(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    assert "violation_5y_head" not in [s.key for s in form.steps({"category": "一线产业工人"})]
    assert "violation_5y_head" in [s.key for s in form.steps({"category": "企业负责人"})]


def test_an_answer_to_a_question_that_does_not_apply_is_refused(zhengzhou):
    """An old button or a second device may answer the enterprise-head question after the
    category changed to a frontline worker: the form refuses rather than storing a stray answer."""
    form = IntakeForm(zhengzhou, "medal")
    with pytest.raises(InvalidAnswer) as err:
        form.accept({"category": "一线产业工人"}, "violation_5y_head", "否", TODAY)
    assert err.value.problem == NoSuchStep()
    with pytest.raises(InvalidAnswer) as err:
        form.skip({"category": "一线产业工人"}, "violation_5y_head")
    assert err.value.problem == NoSuchStep()


def test_changing_the_category_drops_answers_that_no_longer_apply(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    answers = {"category": "企业负责人", "violation_5y_head": "否"}
    changed = form.accept_value(answers, "category", "一线产业工人")
    assert "violation_5y_head" not in changed


def test_a_deputy_division_cadre_is_refused_for_labour_model(zhangjiakou):
    form = IntakeForm(zhangjiakou, "model")
    with pytest.raises(InvalidAnswer) as err:
        form.accept({"category": "一线工人"}, "cadre_level", "副处级及以上", TODAY)
    problem = err.value.problem
    assert isinstance(problem, Ineligible) and problem.rule == "senior_cadre"
    assert "副处级" in problem.message


def test_a_retired_nominee_needs_a_written_reason_right_after_the_question(zhangjiakou):
    form = IntakeForm(zhangjiakou, "model")
    answers = form.accept({"category": "一线工人"}, "retired", "是", TODAY)
    keys = [s.key for s in form.steps(answers)]
    assert keys[keys.index("retired") + 1] == "reason.retired"
    assert "reason.retired" in form.missing(answers)
    answers = form.accept(answers, "reason.retired", "返聘在岗，仍在一线工作。", TODAY)
    assert "reason.retired" not in form.missing(answers)
    # answering "no" afterwards removes the reason question and its answer
    answers = form.accept(answers, "retired", "否", TODAY)
    assert "reason.retired" not in answers


@pytest.mark.parametrize("raw", ["", "   ", "🙂🙂", "x" * 5000, "\u200b"])
def test_garbage_in_a_name_is_refused(zhengzhou, raw):
    form = IntakeForm(zhengzhou, "medal")
    with pytest.raises(InvalidAnswer):
        form.accept({"category": "一线产业工人"}, "name", raw, TODAY)


def test_choices_accept_the_typed_value_the_english_label_or_a_nationality_without_zu(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    base = {"category": "一线产业工人"}
    assert form.accept(base, "ethnicity", "傣", TODAY)["ethnicity"] == "傣族"
    assert form.accept(base, "political", "CPC member", TODAY)["political"] == "中共党员"
    assert form.accept(base, "key_industry", "是", TODAY)["key_industry"] == "是"
    with pytest.raises(InvalidAnswer) as err:
        form.accept(base, "ethnicity", "火星族", TODAY)
    assert err.value.problem == ChoiceInvalid()


def test_deeds_are_bounded_by_the_campaign_limit(zhengzhou, zhangjiakou):
    zz = IntakeForm(zhengzhou, "medal")
    zjk = IntakeForm(zhangjiakou, "model")
    text = "事迹" * 400  # 800 characters
    assert len(zz.accept({"category": "一线产业工人"}, "deeds", text, TODAY)["deeds"]) == 800
    with pytest.raises(InvalidAnswer) as err:
        zjk.accept({"category": "一线工人"}, "deeds", text, TODAY)
    assert err.value.problem == TextTooLong(length=800, max=600)


def test_an_optional_question_can_be_skipped_but_a_required_one_cannot(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    answers = form.skip({"category": "一线产业工人"}, "title")
    assert answers["title"] is None and "title" not in form.missing(answers)
    with pytest.raises(InvalidAnswer) as err:
        form.skip({"category": "一线产业工人"}, "name")
    assert err.value.problem == FieldRequired()


def test_progress_and_back_follow_the_applicable_questions(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    answers = {"category": "一线产业工人", "name": "张三"}
    i, n = form.progress(answers, "name")
    assert i == 2 and n == len(form.steps(answers))
    prev = form.previous_step(answers, "name")
    assert prev is not None and prev.key == "category"
    assert form.previous_step(answers, "category") is None


def test_an_alternate_may_only_be_a_frontline_worker(zhengzhou):
    form = IntakeForm(zhengzhou, "medal", alternate=True)
    assert form.categories() == ["一线产业工人", "其他一线职工和专业技术人员"]
    with pytest.raises(InvalidAnswer) as err:
        form.accept_value({}, "category", "企业负责人")
    assert err.value.problem == ChoiceInvalid()


def test_a_collective_has_no_person_questions(zhengzhou):
    form = IntakeForm(zhengzhou, "pioneer")
    keys = [s.key for s in form.steps({})]
    assert keys[0] == "team_name" and "id_number" not in keys
    assert form.accept({}, "staff_count", "１２０人", TODAY)["staff_count"] == 120
    with pytest.raises(InvalidAnswer) as err:
        form.accept({}, "staff_count", "0", TODAY)
    assert err.value.problem == IntRange(min=1, max=1_000_000)


def test_one_form_asked_again_and_again_answers_as_a_fresh_one(zhengzhou):
    """The form remembers its list of questions per answers that matter; a clerk changing the
    category back and forth, or a condition's answer, always sees the questions of now."""
    form = IntakeForm(zhengzhou, "medal")
    seen = set()
    for category in ["企业负责人", "一线产业工人", "企业负责人", "农民工"]:
        for same_award in [None, "是", "否", "是"]:
            answers = {"category": category, "name": "王五"}
            if same_award is not None:
                answers["same_award"] = same_award  # "是" adds the soft rule's reason question
            keys = [s.key for s in form.steps(answers)]
            assert keys == [s.key for s in IntakeForm(zhengzhou, "medal").steps(answers)]
            seen.add(tuple(keys))
    assert len(seen) >= 4  # the conditions did change the list
    form.steps({"category": "农民工"}).clear()  # a caller's list is its own
    assert form.steps({"category": "农民工"})


def test_numbers_copied_with_invisible_marks_are_read_and_blank_choices_are_empty(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    number = make_id_number("410102", date(1985, 7, 9), 21, True)
    base = {"category": "一线产业工人"}
    # a contact card copied on a phone wraps the number in direction marks; PDFs add zero-width spaces
    answers = form.accept(base, "id_number", "\u202a" + number[:6] + "\u200b" + number[6:] + "\u202c", TODAY)
    assert answers["id_number"] == number
    assert form.accept(base, "phone", "\u202a+86 139 1234 5678\u202c", TODAY)["phone"] == "13912345678"
    with pytest.raises(InvalidAnswer) as err:
        form.accept(base, "ethnicity", "\u3164\u200b", TODAY)
    assert err.value.problem == ChoiceEmpty()


def test_a_foreign_permanent_residents_number_fills_sex_and_birth_date(zhengzhou):
    form = IntakeForm(zhengzhou, "medal")
    answers = form.accept({"category": "一线产业工人"}, "id_number", "941276198005120016", TODAY)
    assert (answers["gender"], answers["birth_date"]) == ("男", "1980-05-12")
