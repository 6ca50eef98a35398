"""A masked ID number with what is shown beside it (sex, birth date, age) must leave at least 100
numbers possible: the counts below are of every valid number that agrees with what a reader of
the chat sees, worked out from the rendered text itself.

The reader is assumed to know the whole region code (the unit's district, say): the worst case.
With the first and last four characters shown, as before, one number was left for everyone.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from aiogram.utils.i18n import I18n

from core.form import IntakeForm
from core.idcard import check_digit, make_id_number, parse_id_number
from core.loader import load_builtin
from handlers.labels import display_value

TODAY = date(2024, 6, 1)
ENOUGH = 100
# Districts and counties of Zhengzhou, and a few codes of other cities.
REGIONS = ["410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181", "110105", "440305"]

FORM = IntakeForm(load_builtin("zhengzhou-2024"), "medal")
MASKED = re.compile(r"[0-9Xx*]{18}")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
AGE = re.compile(r"(\d{1,3}) ?(?:周岁|岁)|age (\d{1,3})")


def made_up_numbers(count: int, seed: int) -> list[str]:
    """Valid numbers of people 16 to 80 years old, of both sexes, in several districts."""
    rng = random.Random(seed)
    numbers = []
    for _ in range(count):
        born = TODAY - timedelta(days=rng.randint(16 * 366, 80 * 365))
        numbers.append(make_id_number(rng.choice(REGIONS), born, rng.randint(0, 499), rng.random() < 0.5))
    return numbers


def candidates(shown: str, region: str, stop: int | None = None) -> int:
    """How many valid numbers of ``region`` agree with everything ``shown`` says: the masked
    characters, the sex, the birth date and the age, whichever of them it shows. Counting ends
    at ``stop``."""
    found = MASKED.search(shown)
    assert found is not None, f"no masked number in {shown!r}"
    mask = found.group().upper()
    sex = "女" if ("女" in shown or "female" in shown) else "男" if ("男" in shown or "male" in shown) else None
    born = DATE.search(shown)
    age_match = AGE.search(shown)
    age = int(age_match.group(1) or age_match.group(2)) if age_match else None

    def agrees(position: int, ch: str) -> bool:
        return mask[position] in ("*", ch)

    if born:
        dates = [date(int(born.group(1)), int(born.group(2)), int(born.group(3)))]
    else:
        dates = [TODAY - timedelta(days=d) for d in range(0, 101 * 366)]
    count = 0
    for day in dates:
        digits = f"{day:%Y%m%d}"
        if not all(agrees(6 + i, ch) for i, ch in enumerate(digits)):
            continue
        if age is not None and TODAY.year - day.year - ((TODAY.month, TODAY.day) < (day.month, day.day)) != age:
            continue
        for order in range(1000):
            code = f"{order:03d}"
            if sex is not None and (order % 2 == 1) != (sex == "男"):
                continue
            if not all(agrees(14 + i, ch) for i, ch in enumerate(code)):
                continue
            first17 = region + digits + code
            if not agrees(17, check_digit(first17)):
                continue
            count += 1
            if stop is not None and count >= stop:
                return count
    return count


def shown_beside(number: str, catalogues: I18n, lang: str) -> str:
    """The number as the chat shows it outside the summary (the accepted note, the current
    answer, /status), in ``lang``."""
    card = parse_id_number(number, TODAY)
    answers = {"id_number": number, "gender": card.gender, "birth_date": card.birth_date.isoformat()}
    with catalogues.use_locale(lang):
        return display_value(FORM, "id_number", answers, TODAY)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_masked_number_with_its_sex_and_birth_date_leaves_at_least_100_numbers(
    catalogues: I18n, lang: str
) -> None:
    numbers = made_up_numbers(2000, seed=9)
    shown = {number: shown_beside(number, catalogues, lang) for number in numbers}
    # what is shown: a mask, the sex and the birth date (so the count has something to go on)
    sample = shown[numbers[0]]
    assert numbers[0] not in sample and DATE.search(sample) and MASKED.search(sample)
    too_few = [n[:4] for n in numbers if candidates(shown[n], n[:6], stop=ENOUGH) < ENOUGH]
    assert not too_few, f"{len(too_few)} of {len(numbers)} masked numbers leave fewer than {ENOUGH} candidates"


def test_the_count_of_what_is_left_is_the_same_for_every_number(catalogues: I18n) -> None:
    # three order digits of the given parity: 500 numbers, whichever the person and district
    counts = {candidates(shown_beside(n, catalogues, "zh"), n[:6]) for n in made_up_numbers(20, seed=13)}
    assert counts == {500}


def test_the_old_mask_with_the_last_four_characters_gave_the_number_away(catalogues: I18n) -> None:
    # the counting can fail: 4101**********4035（男，出生日期 1984-06-23）left one number
    for number in made_up_numbers(50, seed=21):
        shown = shown_beside(number, catalogues, "zh")
        old = shown.replace(MASKED.search(shown).group(), number[:4] + "*" * 10 + number[-4:])  # type: ignore[union-attr]
        assert candidates(old, number[:6]) == 1


def test_a_foreigners_number_is_masked_as_safely(catalogues: I18n) -> None:
    number = "941276198005120016"
    assert candidates(shown_beside(number, catalogues, "zh"), number[:6]) == 500
