import pytest

from core.errors import (
    AnswerProblem,
    InvalidAnswer,
    NameEmpty,
    NameInvalid,
    NameLength,
    OrgEmpty,
    OrgInvalid,
    OrgLength,
    TextEmpty,
    TextTooLong,
    TextTooShort,
)
from core.textcheck import (
    check_length,
    clean_text,
    contains_emoji,
    org_name,
    person_name,
    safe_cell,
)


def problem_of(func, raw: str) -> AnswerProblem:
    with pytest.raises(InvalidAnswer) as caught:
        func(raw)
    return caught.value.problem


# --- clean_text --------------------------------------------------------------------------


def test_cleaning_strips_and_collapses_spaces_and_tabs():
    assert clean_text("  先进\t\t 事迹  材料 ") == "先进 事迹 材料"
    assert clean_text("全角\u3000\u3000空格\u00a0和不换行空格") == "全角 空格 和不换行空格"


def test_cleaning_keeps_paragraphs_but_unifies_line_endings():
    assert clean_text("第一段\r\n第二段\r第三段\u2028第四段") == "第一段\n第二段\n第三段\n第四段"
    assert clean_text("第一段  \n\n\n\n  第二段") == "第一段\n\n第二段"


def test_single_line_cleaning_turns_line_breaks_into_spaces():
    assert clean_text("张\n三", multiline=False) == "张 三"


def test_cleaning_removes_invisible_and_control_characters():
    assert clean_text("先\u200b进\u200d个\ufeff人\u202e\x07\x00") == "先进个人"


def test_cleaning_composes_accents():
    assert clean_text("Jose\u0301") == "José"


# --- check_length ------------------------------------------------------------------------


def test_length_is_counted_in_characters_after_cleaning():
    assert check_length("  劳动模范  ", 2, 4) == "劳动模范"


def test_empty_text_is_refused_even_without_a_minimum():
    with pytest.raises(InvalidAnswer) as caught:
        check_length(" \u200b ", None, None)
    assert caught.value.problem == TextEmpty()


def test_too_short_and_too_long_report_the_limit_and_the_length():
    with pytest.raises(InvalidAnswer) as caught:
        check_length("太短", 10, None)
    assert caught.value.problem == TextTooShort(length=2, min=10)
    with pytest.raises(InvalidAnswer) as caught:
        check_length("字" * 301, None, 300)
    assert caught.value.problem == TextTooLong(length=301, max=300)


# --- person_name -------------------------------------------------------------------------


def test_a_chinese_name_loses_stray_spaces():
    assert person_name(" 张 三 ") == "张三"


@pytest.mark.parametrize(
    "typed", ["阿卜杜•热合曼", "阿卜杜．热合曼", "阿卜杜・热合曼", "阿卜杜.热合曼", "阿卜杜 · 热合曼"]
)
def test_the_dot_in_a_transcribed_name_is_normalised_to_the_middle_dot(typed):
    assert person_name(typed) == "阿卜杜·热合曼"


def test_rare_characters_from_the_cjk_extensions_are_welcome():
    assert person_name("𠮷田") == "𠮷田"


@pytest.mark.parametrize("typed", ["John Smith", "Jean-Luc Picard", "J. R. Tolkien", "José Martínez", "O'Brien"])
def test_latin_names_are_accepted(typed):
    assert person_name(typed) == typed


def test_a_curly_apostrophe_is_made_straight():
    assert person_name("O’Brien") == "O'Brien"


@pytest.mark.parametrize(
    "typed",
    [
        "张三3",
        "张三😀",
        "张三❤",
        "张San",
        "·张三",
        "张三·",
        "张··三",
        "Smith, John",
        "John_Smith",
        "Иван",
        "@张三",
    ],
)
def test_digits_emoji_symbols_and_mixed_scripts_are_not_names(typed):
    assert problem_of(person_name, typed) == NameInvalid()


def test_name_length_limits():
    assert problem_of(person_name, "张") == NameLength(length=1, min=2, max=20)
    assert problem_of(person_name, "张" * 21) == NameLength(length=21, min=2, max=20)
    assert person_name("张" * 20) == "张" * 20
    assert problem_of(person_name, "A") == NameLength(length=1, min=2, max=60)
    assert problem_of(person_name, "A" * 61) == NameLength(length=61, min=2, max=60)


def test_a_blank_name_is_empty():
    assert problem_of(person_name, " \u3000\u200b") == NameEmpty()


# --- org_name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "郑州铁路局（集团）有限公司",
        "中国石油化工股份有限公司河南油田分公司",
        "河南省总工会·机关工会",
        "某某区教育局、卫健委联合工会",
        "《河南日报》社",
        "Foxconn Technology Co., Ltd.",
        "第3中学",
    ],
)
def test_ordinary_organisation_names_are_accepted(typed):
    assert org_name(typed) == typed


def test_organisation_names_are_cleaned():
    assert org_name("  河南省\u200b总工会  ") == "河南省总工会"


@pytest.mark.parametrize("typed", ["某某公司😀", "1️⃣号工厂", "某公司#1", "某公司$", "某公司\ue000"])
def test_emoji_and_odd_symbols_are_not_organisation_names(typed):
    assert problem_of(org_name, typed) == OrgInvalid()


def test_organisation_name_limits():
    assert problem_of(org_name, "  ") == OrgEmpty()
    assert problem_of(org_name, "厂") == OrgLength(length=1, min=2, max=100)
    assert problem_of(org_name, "厂" * 101) == OrgLength(length=101, min=2, max=100)
    assert org_name("厂" * 100) == "厂" * 100


# --- spreadsheets and emoji --------------------------------------------------------------


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"])
def test_anything_that_could_start_a_formula_is_quoted(typed):
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["劳动模范", "13912345678", "0371-67883217", "a=b", ""])
def test_ordinary_text_goes_into_a_cell_unchanged(typed):
    assert safe_cell(typed) == typed


def test_emoji_are_detected_and_chinese_punctuation_is_not():
    assert contains_emoji("好😀")
    assert contains_emoji("✅完成")
    assert contains_emoji("🇨🇳")
    assert not contains_emoji("先进个人（集体）、《报》·—")
