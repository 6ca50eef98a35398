"""What a nominee is made of, for every suite: valid ID numbers, the deeds text, image bytes, and the
complete answers of a Zhengzhou 五一劳动奖章 person, 工人先锋号 team and 五一劳动奖状 organisation
and of a Zhangjiakou 劳动模范.

The answers (``medal``, ``pioneer``, ``certificate``, ``labour_model``) are keyed by field, with
the values a clerk gives: ``None`` where the clerk skips an optional question, the photo as image
bytes, counts as numbers. Each suite shapes them as it needs: the chat suites as a clerk gives them
(``given``: ``Tap`` and ``SKIP`` markers), keyed by question label or by step; the storage and
use-case suites save the stored form, ``stored`` and its numbered nominees ``person``, ``team``
and ``organisation``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PIL import Image

from core.idcard import make_id_number

# ------------------------------------------------------------------------------ ID numbers


def id_number(n: int, *, female: bool = False, born: date = date(1984, 6, 1)) -> str:
    """The n-th valid ID number (金水区's region code 410105), born ``born`` plus n // 400 days;
    distinct for distinct n (and sex). Men have an odd order code, women an even one."""
    return make_id_number("410105", born + timedelta(days=n // 400), n % 400, female=female)


def read_off(number: str) -> dict[str, str]:
    """What the intake reads off an ID number and stores beside it: ``gender`` (男 for an odd
    17th digit, 女 for an even one) and ``birth_date`` (YYYY-MM-DD), per GB 11643-1999."""
    return {
        "gender": "男" if int(number[16]) % 2 else "女",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
    }


# ------------------------------------------------------------------------------ texts and files

# 120 characters: the medal asks for 100–2200, the Zhangjiakou model 100–600
DEEDS = (
    "该同志扎根生产一线二十年，带领班组攻克关键工艺难题十余项，累计为企业节约成本三百余万元，"
    "先后培养技术骨干三十余名，所在班组连续五年保持安全生产零事故，多次在全市职工技能竞赛中获奖，"
    "在疫情防控和重点项目建设中冲锋在前，受到职工群众的广泛好评。"
)
assert len(DEEDS) == 120


def jpeg(width: int = 300, height: int = 420, color: str = "darkred") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="JPEG")
    return buf.getvalue()


def png(width: int, height: int, color: str = "steelblue") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def gif(width: int = 40, height: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("P", (width, height)).save(buf, format="GIF")
    return buf.getvalue()


def webp(width: int = 512, height: int = 512) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (width, height), (255, 200, 0, 128)).save(buf, format="WEBP")
    return buf.getvalue()


PHOTO = jpeg()  # a 300×420 JPEG: within every campaign's photo limits as it is
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PHOTO_KEY = "0" * 64  # the stored form's photo: a file key (no use case reads the file behind it)

# ------------------------------------------------------------------------------ complete answers

QIAODONG = "桥东区总工会"


def zhangjiakou_units(model: int = 3) -> str:
    """The allocation table the Zhangjiakou notice does not publish (its 附件1), as `[[units]]` to
    append to the built-in definition: 桥东区总工会 gets ``model`` 劳动模范, 2 先进工作者 and
    2 先进集体; one other unit takes the rest of the city's totals (110, 40, 100)."""
    return f"""
[[units]]
name = "{QIAODONG}"
quotas.model = {model}
quotas.worker = 2
quotas.collective = 2

[[units]]
name = "张家口市其他推荐单位"
quotas.model = {110 - model}
quotas.worker = 38
quotas.collective = 98
"""


CADRE = "机关和事业单位科级领导干部"
HEAD = "企业负责人"


def medal(name: str, number: str, category: str = "一线产业工人") -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖章 person of ``category`` (21 questions: no title nor honour,
    so neither level is asked), employed by a
    state-owned enterprise whatever the category: a 科级 cadre differs by its cadre level alone, so
    a story that turns a cadre into a worker sees only the category and the cadre level change.
    ``violation_5y_head`` is answered as well, though only an enterprise head is asked it."""
    cadre = category == CADRE
    return {
        "category": category,
        "name": name,
        "id_number": number,
        "ethnicity": "汉族",
        "political": "中共党员",
        "employer": "郑州某电子科技有限公司 装配车间班长",
        "cadre_level": "科级" if cadre else "无",
        "title": None,
        "skill_level": "高级工",
        "org_type": "企业",
        "ownership": "国有",
        "key_industry": "是",
        "union_ok": "是",
        "violation_5y_head": "否",
        "highest_honour": None,
        "same_award": "否",
        "county_honour": "是",
        "skills_games": "否",
        "phone": "13803712345",
        "deeds": DEEDS,
        "photo": PHOTO,
        "sensitive": "否",
    }


def pioneer(
    name: str, *, parent_org: str = "郑州某重工有限公司", org_type: str = "企业", ownership: str = "国有"
) -> dict[str, Any]:
    """A complete Zhengzhou 工人先锋号 team ``name`` of ``parent_org`` (14 questions; a 班组 of 12
    without an honour)."""
    return {
        "team_name": name,
        "parent_org": parent_org,
        "section_type": "班组",
        "staff_count": 12,
        "org_type": org_type,
        "ownership": ownership,
        "key_industry": "是",
        "competition": "是",
        "highest_honour": None,
        "same_award": "否",
        "county_honour": "是",
        "phone": "0371-67883217",
        "deeds": DEEDS,
        "sensitive": "否",
    }


def certificate(name: str) -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖状 organisation ``name`` (15 questions; a private
    enterprise of 320 without an honour)."""
    return {
        "org_name": name,
        "legal_rep": "陈志远",
        "staff_count": 320,
        "org_type": "企业",
        "ownership": "非公",
        "key_industry": "是",
        "competition": "是",
        "union_ok": "是",
        "violation_5y_org": "否",
        "highest_honour": None,
        "same_award": "否",
        "county_honour": "是",
        "phone": "0371-67883217",
        "deeds": DEEDS,
        "sensitive": "否",
    }


def labour_model(name: str, number: str, category: str = "一线工人") -> dict[str, Any]:
    """A complete Zhangjiakou 劳动模范 of ``category`` (21 questions: no title nor honour): a welder of a
    state-owned enterprise."""
    return {
        "category": category,
        "name": name,
        "id_number": number,
        "ethnicity": "汉族",
        "political": "群众",
        "employer": "张家口某机械制造有限公司 焊工",
        "cadre_level": "无",
        "title": None,
        "skill_level": "技师",
        "org_type": "企业",
        "ownership": "国有",
        "highest_honour": None,
        "provincial_title": "否",
        "misconduct": "否",
        "retired": "否",
        "deceased": "否",
        "city_model": "否",
        "base_honour": "是",
        "phone": "0313-8012345",
        "deeds": DEEDS,
        "photo": PHOTO,
        "sensitive": "否",
    }


# ------------------------------------------------------------------------------ as a clerk gives them


class Skip:
    """Answer an optional question with its 跳过 button."""


SKIP = Skip()


@dataclass(frozen=True)
class Tap:
    """Answer with the button whose label contains ``label``."""

    label: str


TAPPED = ("category", "section_type")  # their buttons carry more than the answer (a ✕, places left)


def given(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` as a clerk gives them in the chat, still keyed by field: the category and the
    collective type tapped, ``SKIP`` for a skipped optional question, numbers typed. The chat
    harnesses tap any other string a button carries exactly, and type it otherwise."""
    shown: dict[str, Any] = {}
    for key, value in answers.items():
        if key in TAPPED:
            value = Tap(value)
        elif value is None:
            value = SKIP
        elif isinstance(value, int):
            value = str(value)
        shown[key] = value
    return shown


# ------------------------------------------------------------------------------ the stored form


def stored(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` as the intake stores them, for saving through the use cases: the photo as a file
    key, gender and birth date read off the ID number, and the enterprise head's own question
    kept for an enterprise head only (nobody else is asked it)."""
    out = {key: PHOTO_KEY if isinstance(value, bytes) else value for key, value in answers.items()}
    if out.get("id_number"):
        out |= read_off(out["id_number"])
    if out.get("category") != HEAD:
        out.pop("violation_5y_head", None)
    return out


def person(n: int, category: str, **overrides: Any) -> dict[str, Any]:
    """A complete 五一劳动奖章 nominee of ``category`` in the stored form: 张<n>, ID number ``id_number(n)``."""
    return stored(medal(f"张{n}", id_number(n), category)) | overrides


def team(n: int, **overrides: Any) -> dict[str, Any]:
    """A complete 工人先锋号 nominee in the stored form: 郑州第<n>机械厂's 第<n>班组, a state-owned
    enterprise team."""
    return stored(pioneer(f"第{n}班组", parent_org=f"郑州第{n}机械厂")) | overrides


def organisation(name: str, **overrides: Any) -> dict[str, Any]:
    """A complete 五一劳动奖状 nominee in the stored form: the private enterprise ``name``."""
    return stored(certificate(name)) | overrides
