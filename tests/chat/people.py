"""The people, teams and organisations the stories enter, as a clerk would type or tap them: the
shared answers of ``tests.nominees`` keyed by the question as the chat shows it.

A key is the question's label ("第 i/n 步 · 姓名" → ``"姓名"``) or the beginning of a long one
("所在单位是否已组建工会…" → ``"所在单位是否已组建工会"``). A plain string is tapped when a button
carries exactly it and typed otherwise; ``Tap``, ``SKIP`` (``tests.nominees.given``) and photo
bytes say so explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests import nominees

# field → the beginning of its question's label, as the chat shows it
LABELS = {
    "category": "人员类别",
    "name": "姓名",
    "id_number": "身份证号码",
    "ethnicity": "民族",
    "political": "政治面貌",
    "employer": "工作单位及职务",
    "cadre_level": "干部级别",
    "title": "职称",
    "title_level": "职称级别",
    "skill_level": "技术等级",
    "org_name": "单位名称",
    "legal_rep": "法人代表",
    "team_name": "部门（车间、工段、班组、科室）名称",
    "parent_org": "所属单位名称",
    "section_type": "集体类型",
    "staff_count": "单位人数",
    "org_type": "单位类型",
    "ownership": "单位性质",
    "key_industry": "是否属于重点产业",
    "competition": "是否开展了劳动和技能竞赛",
    "union_ok": "所在单位是否已组建工会",
    "violation_5y_org": "近五年内是否发生",
    "violation_5y_head": "（企业负责人）",
    "highest_honour": "曾获最高荣誉",
    "honour_level": "最高荣誉级别",
    "same_award": "是否已获得过",
    "county_honour": "是否具有区县",
    "skills_games": "是否为市第二十届",
    "provincial_title": "是否已获得省部级",
    "misconduct": "是否存在违纪违法",
    "retired": "是否为离退休人员",
    "deceased": "是否为已故人员",
    "city_model": "是否已获得市级劳动模范",
    "base_honour": "是否获得过市五一劳动奖",
    "phone": "联系电话",
    "deeds": "简要事迹",
    "photo": "照片",
    "sensitive": "是否为涉敏",
}
ZHANGJIAKOU_LABELS = LABELS | {"photo": "2寸彩色近照"}


def by_label(answers: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> dict[str, Any]:
    """``answers`` (keyed by field) as the clerk gives them, keyed by question."""
    return {labels[key]: value for key, value in nominees.given(answers).items()}


def medal(name: str, number: str, category: str = "一线产业工人") -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖章 nominee of ``category`` (21 questions; an enterprise
    head is asked one more)."""
    return by_label(nominees.medal(name, number, category))


def team(name: str, *, org_type: str = "企业", ownership: str = "国有") -> dict[str, Any]:
    """A complete Zhengzhou 工人先锋号 nominee (14 questions; an enterprise team by default)."""
    return by_label(nominees.pioneer(name, org_type=org_type, ownership=ownership))


def organisation(name: str) -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖状 nominee (an enterprise; 15 questions), its staff count typed
    in full-width digits with a unit, as a Chinese keyboard types them."""
    return by_label(nominees.certificate(name)) | {"单位人数": "３２０人"}


def labour_model(name: str, number: str, category: str = "一线工人") -> dict[str, Any]:
    """A complete Zhangjiakou 劳动模范 nominee of ``category`` (21 questions)."""
    return by_label(nominees.labour_model(name, number, category), ZHANGJIAKOU_LABELS)


def masked(number: str) -> str:
    """An ID number as the bot shows it everywhere but on the summary before saving: its first four
    characters (the sex and birth date shown beside it, the order code and check digit must stay hidden)."""
    return number[:4] + "*" * (len(number) - 4)
