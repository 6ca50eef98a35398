import pytest

from core.errors import AnswerProblem, InvalidAnswer, PhoneEmpty, PhoneInvalid
from core.phone import is_mobile, mask_phone, normalize_phone


def reason(raw: str) -> AnswerProblem:
    with pytest.raises(InvalidAnswer) as caught:
        normalize_phone(raw)
    return caught.value.problem


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "+86 139 1234 5678",
        "+8613912345678",
        "8613912345678",
        "86 13912345678",
        "0086-13912345678",
        "１３９１２３４５６７８",
        " 139\u30001234\u00a05678 ",
    ],
)
def test_a_mobile_typed_any_usual_way_becomes_eleven_digits(typed):
    assert normalize_phone(typed) == "13912345678"


@pytest.mark.parametrize(
    "typed",
    [
        "0371-67883217",
        "0371 67883217",
        "037167883217",
        "(0371)67883217",
        "（０３７１）６７８８３２１７",
        "0371—6788 3217",
        "+86 371 67883217",
        "+86 (0)371-67883217",
    ],
)
def test_a_landline_gets_its_area_code_split_off_with_a_hyphen(typed):
    assert normalize_phone(typed) == "0371-67883217"


def test_three_digit_area_codes_follow_the_numbering_plan():
    assert normalize_phone("01065881234") == "010-65881234"
    assert normalize_phone("+86 10 6588 1234") == "010-65881234"
    assert normalize_phone("021-5555666") == "021-5555666"


def test_an_extension_can_be_written_with_a_hyphen_or_with_zhuan():
    assert normalize_phone("0371-67883217-123") == "0371-67883217-123"
    assert normalize_phone("0371-67883217转123") == "0371-67883217-123"
    assert normalize_phone("0371 67883217 分机 8001") == "0371-67883217-8001"


def test_a_hyphen_inside_the_local_number_is_not_mistaken_for_an_extension():
    assert normalize_phone("0371-6788-3217") == "0371-67883217"


def test_a_bare_local_number_from_a_notice_is_kept_as_it_is():
    assert normalize_phone("2012121") == "2012121"
    assert normalize_phone("6788-3217") == "67883217"


def test_nothing_typed_is_empty():
    assert reason("") == PhoneEmpty()
    assert reason(" \u3000") == PhoneEmpty()


@pytest.mark.parametrize(
    "typed",
    [
        "1391234567",  # one digit short
        "139123456789",  # one digit too many
        "12912345678",  # no mobile starts with 12
        "23912345678",
        "12345",
        "0371-123",
        "010-12345678",  # local numbers do not start with 1
        "+1 202 555 0123",  # foreign numbers are out of scope
        "13912345678转12",  # mobiles have no extensions
        "139l2345678",
        "call 13912345678",
        "139😀12345678",
        "٠٣٧١٦٧٨٨٣٢١٧",  # Arabic-Indic digits
    ],
)
def test_things_that_are_not_chinese_phone_numbers_are_refused(typed):
    assert reason(typed) == PhoneInvalid()


def test_is_mobile_tells_mobiles_from_landlines():
    assert is_mobile(normalize_phone("+86 139 1234 5678"))
    assert not is_mobile(normalize_phone("0371-67883217"))
    assert not is_mobile(normalize_phone("2012121"))


def test_masking_hides_the_middle_digits():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0371-67883217") == "0371-****3217"
    assert mask_phone("0371-67883217-123") == "0371-****3217-123"
    assert mask_phone("2012121") == "***2121"
    assert mask_phone("123") == "***"


def test_errors_never_carry_the_number():
    with pytest.raises(InvalidAnswer) as caught:
        normalize_phone("1391234567")
    assert "1391234567" not in repr(caught.value)


# --- Hong Kong, Macao and Taiwan ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("+852 9123 4567", "+852-91234567"),
        ("+852-91234567", "+852-91234567"),
        ("00852 9123 4567", "+852-91234567"),
        ("(852) 9123 4567", "+852-91234567"),
        ("852 9123 4567", "+852-91234567"),
        ("85291234567", "+852-91234567"),  # glued on without +, as a shared contact gives it
        ("886912345678", "+886-912345678"),
        ("＋８５２ ２１２３ ４５６７", "+852-21234567"),  # a Hong Kong landline, full-width
        ("+853 6612 3456", "+853-66123456"),
        ("+853 2833 3000", "+853-28333000"),
        ("+886 912 345 678", "+886-912345678"),
        ("+886 0912-345-678", "+886-912345678"),  # the domestic trunk 0 typed along
        ("+886 2 2345 6789", "+886-223456789"),  # a Taipei landline
        ("+852 2123 4567 转 12", "+852-21234567-12"),
    ],
)
def test_hong_kong_macao_and_taiwan_numbers_are_accepted_with_their_country_code(typed, canonical):
    assert normalize_phone(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "+852 1234 5678",  # no Hong Kong number starts with 1
        "+852 912 345 678",  # nine digits
        "+853 5612 3456",  # no Macao number starts with 5
        "+886 123 456 78",
        "+44 20 7946 0958",  # other countries stay out of scope
    ],
)
def test_wrong_hong_kong_macao_and_taiwan_numbers_are_refused(typed):
    assert reason(typed) == PhoneInvalid()


def test_mainland_numbers_are_unchanged_by_the_country_codes_nearby():
    assert normalize_phone("+86 139 1234 5678") == "13912345678"
    assert normalize_phone("0086 371 67883217") == "0371-67883217"
    assert normalize_phone("85223456") == "85223456"  # a local number that starts like Hong Kong's code


def test_masking_a_hong_kong_macao_or_taiwan_number_keeps_its_code_and_last_four_digits():
    assert mask_phone("+852-91234567") == "+852-****4567"
    assert mask_phone("+886-912345678") == "+886-*****5678"
    assert mask_phone("+852-21234567-12") == "+852-****4567-12"
    assert not is_mobile("+852-91234567")
