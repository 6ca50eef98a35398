"""Building complete nominees and clerks for the storage tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app import joining
from app.ports import Ports
from core.idcard import make_id_number
from core.records import UserInfo

DEEDS = "该同志长期扎根生产一线，" * 12  # long enough for the 100-character minimum


def id_number(n: int) -> str:
    """The n-th distinct valid ID number (Zhengzhou 金水区 region code)."""
    return make_id_number("410105", date(1975, 1, 1) + timedelta(days=n // 500), n % 500, female=n % 2 == 0)


def person(n: int, category: str, **overrides: Any) -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖章 nominee of ``category``."""
    number = id_number(n)
    answers: dict[str, Any] = {
        "category": category,
        "name": f"张{n}",
        "id_number": number,
        "gender": "男" if int(number[16]) % 2 else "女",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "ethnicity": "汉族",
        "political": "中共党员",
        "employer": "郑州某某有限公司 车间主任",
        "cadre_level": "科级" if category == "机关和事业单位科级领导干部" else "无",
        "title": None,
        "title_level": "无",
        "skill_level": "高级工",
        "org_type": "企业",
        "ownership": "国有",
        "key_industry": "是",
        "union_ok": "是",
        "highest_honour": None,
        "honour_level": "市级",
        "same_award": "否",
        "county_honour": "是",
        "skills_games": "否",
        "phone": "13912345678",
        "deeds": DEEDS,
        "photo": "0" * 64,
        "sensitive": "否",
    }
    if category == "企业负责人":
        answers["violation_5y_head"] = "否"
    answers.update(overrides)
    return answers


def team(n: int, **overrides: Any) -> dict[str, Any]:
    """A complete 工人先锋号 nominee (an enterprise team)."""
    answers: dict[str, Any] = {
        "team_name": f"第{n}班组",
        "parent_org": f"郑州第{n}机械厂",
        "section_type": "班组",
        "staff_count": 12,
        "org_type": "企业",
        "ownership": "国有",
        "key_industry": "否",
        "competition": "是",
        "highest_honour": None,
        "honour_level": "无",
        "same_award": "否",
        "county_honour": "是",
        "phone": "037165551234",
        "deeds": DEEDS,
        "sensitive": "否",
    }
    answers.update(overrides)
    return answers


async def clerk(ports: Ports, campaign_id: str, unit: str, tg_id: int) -> UserInfo:
    """A unit's clerk, joined with an invitation as in the chat."""
    code = await joining.create_invite(ports, campaign_id, unit, "clerk")
    return await joining.join(ports, code, tg_id, "zh")


async def office(ports: Ports, campaign_id: str, tg_id: int = 1) -> UserInfo:
    code = await joining.create_invite(ports, campaign_id, None, "office")
    return await joining.join(ports, code, tg_id, "zh")
