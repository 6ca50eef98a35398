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
    visible_length,
    visible_prefix,
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


# --- what a reader sees ------------------------------------------------------------------

HANGUL_FILLER = "\u3164"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u3164",  # Hangul filler
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\uffa0",  # half-width Hangul filler
        "\u2800",  # blank braille pattern
        "\u200b",  # zero-width space
        "\u2060",  # word joiner
        "\u180e",  # Mongolian vowel separator
        "\u00ad",  # soft hyphen
        "\u034f",  # combining grapheme joiner
    ],
)
def test_a_text_of_nothing_visible_is_empty_whatever_it_is_made_of(invisible):
    assert problem_of(lambda raw: check_length(raw, None, 2000), invisible * 100) == TextEmpty()
    assert problem_of(org_name, invisible * 4) == OrgEmpty()
    assert problem_of(person_name, invisible * 3) == NameEmpty()


def test_fillers_between_words_are_spaces():
    assert clean_text(f"先进{HANGUL_FILLER}个人") == "先进 个人"
    assert person_name(f"张{HANGUL_FILLER}三") == "张三"


def test_lengths_count_what_a_reader_sees_not_code_points():
    zalgo = "劳动模范先" + "\u0301" * 500  # five characters, the last carrying 500 accents
    assert visible_length(zalgo) == 5
    assert problem_of(lambda raw: check_length(raw, 10, 2000), zalgo) == TextTooShort(length=5, min=10)
    assert visible_length("José Martínez") == 12  # decomposed or not, é is one character
    assert visible_length("e\u0301" * 3) == 3
    assert visible_length("한국어") == 3
    assert visible_length("\u1112\u1161\u11ab") == 1  # one Hangul syllable typed as three jamo
    assert visible_length("第一段\n\n第二段") == 6  # line breaks and spaces are not characters


def test_a_preview_never_cuts_a_character_from_its_accents():
    assert visible_prefix("e\u0301" * 5, 2) == "e\u0301e\u0301"
    assert visible_prefix("短", 60) == "短"


# --- names: what PDFs, input methods and minority names bring ----------------------------


def test_kangxi_radicals_pasted_from_a_pdf_become_the_characters_they_look_like():
    assert person_name("⽅⽂") == "方文"  # U+2F45 U+2F42, KANGXI RADICAL SQUARE and SCRIPT
    assert org_name("⽅⽂机械厂") == "方文机械厂"


def test_kangxi_radicals_in_any_text_become_ideographs_and_other_radicals_stay():
    assert clean_text("⽅⽂同志⼯作认真") == "方文同志工作认真"
    assert clean_text("⺠") == "⺠"  # a radical without an ideograph of its own is left as typed


def test_full_width_latin_letters_become_ordinary_ones():
    assert person_name("Ｊｏｈｎ Ｓｍｉｔｈ") == "John Smith"


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("\U00020bb7田", "B"),
        ("\U0002a700田", "C"),
        ("\U0002b740田", "D"),
        ("\U0002b820田", "E"),
        ("\U0002ceb0田", "F"),
        ("\U00030000田", "G"),
        ("\U00031350田", "H"),  # U+31350, the first of Extension H (Unicode 15)
        ("\U000323af田", "H"),  # and its last
        ("\U0002ebf0田", "I"),  # Unicode 15.1
        ("\U000323b0田", "J"),  # Unicode 17
    ],
)
def test_every_cjk_extension_is_accepted_in_a_name(name, first):
    assert person_name(name) == name


def test_an_ideographic_variation_selector_stays_with_its_character_and_is_not_counted():
    name = "葛\U000e0100优"  # 葛 with the glyph the registry chose, as some ID systems print it
    assert person_name(name) == name
    assert problem_of(person_name, "\U000e0100葛优") == NameInvalid()  # a selector must follow a character
    assert problem_of(person_name, "葛\U000e0100") == NameLength(length=1, min=2, max=20)


@pytest.mark.parametrize(
    "typed",
    [
        "买买提-艾力",  # ASCII hyphen
        "买买提－艾力",  # full-width hyphen
        "买买提‐艾力",  # U+2010 hyphen
        "买买提–艾力",  # en dash
        "买买提—艾力",  # em dash
        "买买提﹣艾力",  # small hyphen-minus
        "买买提−艾力",  # minus sign
        "买买提﹒艾力",  # small full stop
        "买买提ꞏ艾力",  # sinological dot
        "买买提‧艾力",  # hyphenation point
        "买买提 - 艾力",
    ],
)
def test_a_hyphen_or_dot_look_alike_in_a_minority_name_becomes_the_middle_dot(typed):
    assert person_name(typed) == "买买提·艾力"


def test_a_chinese_name_still_cannot_start_or_end_with_a_separator():
    assert problem_of(person_name, "-买买提") == NameInvalid()
    assert problem_of(person_name, "买买提—") == NameInvalid()
    assert problem_of(person_name, "买买提-·艾力") == NameInvalid()


def test_dashes_in_a_latin_name_become_a_hyphen():
    assert person_name("Jean‐Luc Picard") == "Jean-Luc Picard"


# --- organisation names: the punctuation of registered names -----------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "郑州地铁“红马甲”志愿服务队",
        '郑州地铁"红马甲"志愿服务队',
        "‘小桔灯’爱心服务队",
        "一汽－大众汽车有限公司",
        "一汽–大众汽车有限公司",
        "一汽—大众汽车有限公司",
        "一汽-大众汽车有限公司",
        "《河南日报》社",
        "〈大河报〉社",
        "中铁（郑州）建设有限公司",
        "中铁(郑州)建设有限公司",
        "郑州市总工会·职工服务中心",
        "教育局、卫健委联合工会",
        "研发/测试部",
        "AT&T 中国",
        "Johnson & Johnson (China) Co., Ltd.",
        "「港澳」同胞联谊会",
        "\U00031350氏集团",  # an Extension H character Python's database does not know yet
    ],
)
def test_the_punctuation_of_registered_organisation_names_is_accepted_as_typed(typed):
    assert org_name(typed) == typed


def test_full_width_letters_in_an_organisation_name_become_ordinary_and_its_brackets_stay_chinese():
    assert org_name("ＡＢＣ科技（郑州）有限公司") == "ABC科技（郑州）有限公司"


def test_an_organisation_name_is_counted_in_characters_a_reader_sees():
    assert problem_of(org_name, "厂" + "\u0301" * 200) == OrgLength(length=1, min=2, max=100)
