from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.errors import (
    AnswerProblem,
    IdAge,
    IdBirthDate,
    IdChars,
    IdChecksum,
    IdEmpty,
    IdFirstGeneration,
    IdFuture,
    IdLength,
    IdRegion,
    InvalidAnswer,
)
from core.idcard import (
    IdCard,
    check_digit,
    make_id_number,
    mask_id,
    normalize_id,
    parse_id_number,
)

TODAY = date(2024, 6, 1)

# Check characters worked out on paper: weighted sum mod 11 -> "10X98765432".
#   11010519491231002 -> sum 167, 167 % 11 = 2 -> X   (the example printed in GB 11643)
#   51010719780214003 -> sum 208, 208 % 11 = 10 -> 2
#   32010619851120456 -> sum 242, 242 % 11 = 0 -> 1
STANDARD_EXAMPLE = "11010519491231002X"
CHENGDU_MAN = "510107197802140032"
NANJING_WOMAN = "320106198511204561"


def reason(raw: str, **kwargs: int) -> AnswerProblem:
    with pytest.raises(InvalidAnswer) as caught:
        parse_id_number(raw, TODAY, **kwargs)
    return caught.value.problem


def test_check_digit_matches_the_hand_worked_examples():
    assert check_digit("11010519491231002") == "X"
    assert check_digit("51010719780214003") == "2"
    assert check_digit("32010619851120456") == "1"
    assert check_digit("44052418800101001") == "4"  # the standard's other example


def test_the_standards_example_ending_in_x_is_a_woman_born_on_new_years_eve_1949():
    card = parse_id_number(STANDARD_EXAMPLE, TODAY)
    assert card == IdCard(number=STANDARD_EXAMPLE, birth_date=date(1949, 12, 31), gender="女", region="110105")
    assert card.age(TODAY) == 74


def test_hand_worked_numbers_give_gender_from_the_seventeenth_digit():
    man = parse_id_number(CHENGDU_MAN, TODAY)
    assert (man.gender, man.birth_date, man.region) == ("男", date(1978, 2, 14), "510107")
    woman = parse_id_number(NANJING_WOMAN, TODAY)
    assert (woman.gender, woman.birth_date, woman.age(TODAY)) == ("女", date(1985, 11, 20), 38)


def test_a_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse_id_number(STANDARD_EXAMPLE.lower(), TODAY).number == STANDARD_EXAMPLE


def test_full_width_digits_and_x_from_a_chinese_keyboard_are_accepted():
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert normalize_id(full_width) == STANDARD_EXAMPLE
    assert parse_id_number(full_width, TODAY).number == STANDARD_EXAMPLE


def test_stray_spaces_and_hyphens_are_ignored():
    typed = " 110105\u30001949 1231\u00a0002-x\n"
    assert parse_id_number(typed, TODAY).number == STANDARD_EXAMPLE


def test_age_counts_completed_years_only():
    card = parse_id_number(make_id_number("410105", date(2000, 6, 2), 1, False), TODAY)
    assert card.age(date(2024, 6, 1)) == 23
    assert card.age(date(2024, 6, 2)) == 24


def test_someone_born_on_29_february_is_a_year_older_on_1_march_in_a_common_year():
    card = parse_id_number(make_id_number("410105", date(2004, 2, 29), 7, True), TODAY)
    assert card.age(date(2023, 2, 28)) == 18
    assert card.age(date(2023, 3, 1)) == 19


def test_nothing_typed_is_empty():
    assert reason("") == IdEmpty()
    assert reason(" \u3000 ") == IdEmpty()


def test_a_fifteen_digit_first_generation_number_is_refused_as_no_longer_valid():
    assert reason("110105491231002") == IdFirstGeneration()
    assert reason("４１０１０５ ８４０６０１ ００２") == IdFirstGeneration()  # typed as any number is
    assert reason("11010549123100X") == IdLength(length=15)  # first-generation numbers had no X


def test_a_missing_digit_is_reported_as_length_not_as_a_bad_checksum():
    assert reason(STANDARD_EXAMPLE[:-1]) == IdLength(length=17)
    assert reason(STANDARD_EXAMPLE + "1") == IdLength(length=19)


def test_letters_in_the_number_are_refused():
    assert reason("11010519491231X02X") == IdChars()
    assert reason("1101051949123100A2") == IdChars()
    assert reason("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") == IdChars()  # Arabic-Indic digits are not accepted


def test_an_unknown_province_is_refused():
    assert reason("010105" + STANDARD_EXAMPLE[6:]) == IdRegion()
    assert reason("721234" + STANDARD_EXAMPLE[6:]) == IdRegion()


def test_hong_kong_macao_and_taiwan_codes_are_accepted():
    for region in ("810000", "820000", "830000", "710000"):
        assert parse_id_number(make_id_number(region, date(1990, 1, 1), 3, True), TODAY).region == region


def test_the_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_told_apart():
    assert parse_id_number(make_id_number("810000", date(1990, 1, 1), 3, True), TODAY).holder == "permit"
    assert parse_id_number(make_id_number("830000", date(1990, 1, 1), 3, False), TODAY).holder == "permit"
    assert parse_id_number(CHENGDU_MAN, TODAY).holder == "resident"


# The 2023 foreigners' permanent residence ID: 9, issued in Henan (41), a German (276), born on
# 12 May 1980, order code 001 (odd: a man); 9*7+4*9+1*10+2*5+7*8+6*4+1*2+9*1+8*6+0*3+0*7+5*9+1*10
# +2*5+0*8+0*4+1*2 = 325, 325 % 11 = 6 -> check character 6 (MOD 11-2, as for resident numbers).
FOREIGNER = "941276198005120016"


def test_the_2023_foreigners_permanent_residence_id_gives_sex_birth_date_province_and_nationality():
    card = parse_id_number(FOREIGNER, TODAY)
    assert (card.gender, card.birth_date, card.age(TODAY)) == ("男", date(1980, 5, 12), 44)
    assert (card.holder, card.region, card.country) == ("foreigner", "410000", "276")
    assert check_digit(FOREIGNER[:17]) == "6"


def test_a_foreigners_id_issued_in_any_mainland_province_is_accepted_not_only_those_starting_with_1():
    for province in ("11", "31", "44", "65"):
        first17 = f"9{province}840" + "19900101" + "002"
        card = parse_id_number(first17 + check_digit(first17), TODAY)
        assert (card.region, card.gender, card.country) == (f"{province}0000", "女", "840")


def test_a_foreigners_id_is_checked_like_a_residents():
    assert reason(FOREIGNER[:-1] + "7") == IdChecksum()
    assert reason("941276198002300016") == IdBirthDate()
    for bad in ("981276", "971276", "981276", "910276", "941000"):  # no such province, or no country
        first17 = bad + FOREIGNER[6:17]
        assert reason(first17 + check_digit(first17)) == IdRegion()


def test_the_thirtieth_of_february_is_refused_as_a_birth_date():
    first17 = "410105" + "19900230" + "123"
    assert reason(first17 + check_digit(first17)) == IdBirthDate()


def test_a_birth_date_after_today_is_refused():
    assert reason(make_id_number("410105", date(2024, 6, 2), 0, False)) == IdFuture()


def test_a_twelve_year_old_is_too_young():
    problem = reason(make_id_number("410105", date(2012, 1, 1), 0, True))
    assert problem == IdAge(age=12, min_age=16, max_age=80)


def test_a_ninety_five_year_old_is_too_old_unless_the_limits_allow():
    number = make_id_number("410105", date(1929, 1, 1), 0, False)
    assert reason(number) == IdAge(age=95, min_age=16, max_age=80)
    assert parse_id_number(number, TODAY, max_age=100).age(TODAY) == 95


def test_a_typo_in_a_plausible_number_is_caught_by_the_checksum():
    assert reason(STANDARD_EXAMPLE[:-1] + "3") == IdChecksum()
    assert reason("110105194912310012") == IdChecksum()


def test_errors_never_carry_the_number():
    with pytest.raises(InvalidAnswer) as caught:
        parse_id_number(STANDARD_EXAMPLE[:-1] + "3", TODAY)
    assert "1101051949" not in repr(caught.value)
    assert "1101051949" not in str(caught.value)


def test_masking_keeps_only_the_first_four_characters():
    assert mask_id("410105199003071234") == "4101**************"
    assert len(mask_id(STANDARD_EXAMPLE)) == 18
    assert mask_id("12345") == "*****"
    assert mask_id("") == ""


# --- properties --------------------------------------------------------------------------

PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
PROVINCES += [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
MAINLAND = [p for p in PROVINCES if p < 70]

regions = st.builds(
    lambda province, rest: f"{province:02d}{rest:04d}", st.sampled_from(PROVINCES), st.integers(0, 9999)
)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def foreigners_numbers(draw: st.DrawFn) -> str:
    province, country = draw(st.sampled_from(MAINLAND)), draw(st.integers(1, 999))
    first17 = f"9{province:02d}{country:03d}{draw(births):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + check_digit(first17)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(foreigners_numbers())
    return make_id_number(draw(regions), draw(births), draw(st.integers(0, 499)), draw(st.booleans()))


def parses(number: str) -> bool:
    try:
        parse_id_number(number, TODAY, min_age=0, max_age=200)
    except InvalidAnswer:
        return False
    return True


@given(regions, births, st.integers(0, 499), st.booleans())
def test_every_generated_number_is_accepted_and_gives_back_its_birth_date_and_gender(region, birth, seq, female):
    number = make_id_number(region, birth, seq, female)
    card = parse_id_number(number, TODAY, min_age=0, max_age=200)
    assert card.number == number
    assert card.region == region
    assert card.birth_date == birth
    assert card.gender == ("女" if female else "男")


@given(valid_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_is_always_noticed(number, position, replacement):
    if position < 17 and replacement == "X":
        replacement = "0"  # X only exists as a check character; elsewhere it's id.chars anyway
    if replacement == number[position]:
        replacement = "1" if number[position] != "1" else "2"
    changed = number[:position] + replacement + number[position + 1 :]
    assert not parses(changed)


@given(valid_numbers(), st.integers(0, 16))
def test_swapping_two_neighbouring_characters_is_always_noticed(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)  # swapping equal characters changes nothing
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not parses(swapped)
