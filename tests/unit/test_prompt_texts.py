"""Each question of the built-in campaigns as a clerk reads it: its limits said once, in one way,
and whose answer is asked for (through the real catalogues)."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import pytest
from aiogram.utils.i18n import I18n

from core.campaign import Campaign
from core.form import IntakeForm, Step
from core.loader import builtin_names, load_builtin
from handlers.intake_texts import prompt

TODAY = date(2024, 3, 15)
HEADER = re.compile(r"^.*(?:第 \d+/\d+ 步|Step \d+/\d+) · ", re.M)


@cache
def definition(name: str) -> Campaign:
    return load_builtin(name)


def questions() -> list[tuple[str, str, str]]:
    """(campaign, award, field) of every question of the built-in campaigns, once per kind of award
    (a prompt depends on the field and on whether a person or a collective is nominated)."""
    out: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for name in builtin_names():
        campaign = definition(name)
        for award in campaign.awards:
            for key in award.fields:
                out.setdefault((name, award.kind, key), (name, award.key, key))
    return list(out.values())


def say(i18n: I18n, lang: str, campaign: str, award: str, key: str) -> str:
    form = IntakeForm(definition(campaign), award)
    fdef = form.campaign.fields[key]
    with i18n.use_locale(lang):
        return prompt(form, Step(key, "field", field=fdef), {}, TODAY)


@pytest.mark.parametrize(("campaign", "award", "key"), questions())
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_question_states_each_of_its_limits_once(
    catalogues: I18n, lang: str, campaign: str, award: str, key: str
) -> None:
    text = say(catalogues, lang, campaign, award, key)
    body = HEADER.sub("", text)  # the step counter's numbers are not limits
    numbers = re.findall(r"\d+", body)
    repeated = {n for n in numbers if numbers.count(n) > 1}
    assert not repeated, f"{key}: {repeated} said twice in\n{text}"
    assert body.count("JPG") <= 1 and "字左右" not in body, text


def test_the_deeds_prompt_gives_one_range_and_the_photo_prompt_one_format(catalogues: I18n) -> None:
    deeds = say(catalogues, "zh", "zhengzhou-2024", "medal", "deeds")
    assert "100–2200 字" in deeds and "2000" not in deeds.replace("2200", "")
    photo = say(catalogues, "zh", "zhengzhou-2024", "medal", "photo")
    assert "照片\n请发送照片（JPG 或 PNG 格式）" in photo and photo.count("JPG") == 1


def test_the_pioneer_name_is_asked_as_the_teams_name_with_its_organisation(catalogues: I18n) -> None:
    text = say(catalogues, "zh", "zhengzhou-2024", "pioneer", "team_name")
    assert "并冠以所属单位名称" in text and "郑州某重工有限公司数控车间一班" in text
    assert "请输入单位全称" not in text  # it is a team, not an organisation


@pytest.mark.parametrize(
    ("award", "whose"),
    [
        ("medal", "请输入推荐对象本人的联系电话"),
        ("pioneer", "请输入推荐集体的联系电话"),
        ("certificate", "请输入推荐集体的联系电话"),
    ],
)
def test_the_phone_prompt_says_whose_phone(catalogues: I18n, award: str, whose: str) -> None:
    assert whose in say(catalogues, "zh", "zhengzhou-2024", award, "phone")
