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
