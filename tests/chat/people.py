"""The people, teams and files the stories enter, as a clerk would type or tap them.

Answers are keyed by the question as the chat shows it ("第 i/n 步 · 姓名" → ``"姓名"``); a key
may be the beginning of a long label ("所在单位是否已组建工会…" → ``"所在单位是否已组建工会"``).
A plain string is tapped when a button carries exactly it and typed otherwise; ``Tap``, ``SKIP``
and photo bytes say so explicitly.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from PIL import Image

from tests.chat.chat import SKIP, Tap

# 120 characters: the medal asks for 100–2200, the Zhangjiakou model 100–600
DEEDS = (
    "该同志扎根生产一线二十年，带领班组攻克关键工艺难题十余项，累计为企业节约成本三百余万元，"
    "先后培养技术骨干三十余名，所在班组连续五年保持安全生产零事故，多次在全市职工技能竞赛中获奖，"
    "在疫情防控和重点项目建设中冲锋在前，受到职工群众的广泛好评。"
)
assert len(DEEDS) == 120

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number(n: int, *, female: bool = False, born: date = date(1984, 6, 1)) -> str:
    """The n-th valid ID number of the stories (金水区's region code 410105); distinct for
    distinct n. Men have an odd order code, women an even one."""
    birth = born + timedelta(days=n // 400)
    first17 = f"410105{birth:%Y%m%d}{2 * (n % 400) + (0 if female else 1):03d}"
    return first17 + check_char(first17)


def masked(number: str) -> str:
    """An ID number as the bot shows it."""
    return f"{number[:4]}**********{number[-4:]}"


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


PHOTO = jpeg()
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def medal(name: str, number: str, category: str = "一线产业工人") -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖章 nominee of ``category`` (23 questions; an enterprise
    head is asked one more)."""
    cadre = category == "机关和事业单位科级领导干部"
    return {
        "人员类别": Tap(category),
        "姓名": name,
        "身份证号码": number,
        "民族": "汉族",
        "政治面貌": "中共党员",
        "工作单位及职务": "郑州某电子科技有限公司 装配车间班长",
        "干部级别": "科级" if cadre else "无",
        "职称": SKIP,
        "职称级别": "无",
        "技术等级": "高级工",
        "单位类型": "事业单位" if cadre else "企业",
        "单位性质": "国有",
        "是否属于重点产业": "是",
        "所在单位是否已组建工会": "是",
        "（企业负责人）": "否",
        "曾获最高荣誉": SKIP,
        "最高荣誉级别": "市级",
        "是否已获得过": "否",
        "是否具有区县": "是",
        "是否为市第二十届": "否",
        "联系电话": "13803712345",
        "简要事迹": DEEDS,
        "照片": PHOTO,
        "是否为涉敏": "否",
    }


def team(name: str, *, org_type: str = "企业", ownership: str = "国有") -> dict[str, Any]:
    """A complete Zhengzhou 工人先锋号 nominee (15 questions; an enterprise team by default)."""
    return {
        "部门（车间、工段、班组、科室）名称": name,
        "所属单位名称": "郑州某重工有限公司",
        "集体类型": Tap("班组"),
        "单位人数": "12",
        "单位类型": org_type,
        "单位性质": ownership,
        "是否属于重点产业": "是",
        "是否开展了劳动和技能竞赛": "是",
        "曾获最高荣誉": SKIP,
        "最高荣誉级别": "无",
        "是否已获得过": "否",
        "是否具有区县": "是",
        "联系电话": "0371-67883217",
        "简要事迹": DEEDS,
        "是否为涉敏": "否",
    }


def organisation(name: str) -> dict[str, Any]:
    """A complete Zhengzhou 五一劳动奖状 nominee (an enterprise; 16 questions)."""
    return {
        "单位名称": name,
        "法人代表": "陈志远",
        "单位人数": "３２０人",  # full-width digits, as a Chinese keyboard types them
        "单位类型": "企业",
        "单位性质": "非公",
        "是否属于重点产业": "是",
        "是否开展了劳动和技能竞赛": "是",
        "所在单位是否已组建工会": "是",
        "近五年内是否发生": "否",
        "曾获最高荣誉": SKIP,
        "最高荣誉级别": "市级",
        "是否已获得过": "否",
        "是否具有区县": "是",
        "联系电话": "0371-67883217",
        "简要事迹": DEEDS,
        "是否为涉敏": "否",
    }


def labour_model(name: str, number: str, category: str = "一线工人") -> dict[str, Any]:
    """A complete Zhangjiakou 劳动模范 nominee of ``category`` (23 questions)."""
    return {
        "人员类别": Tap(category),
        "姓名": name,
        "身份证号码": number,
        "民族": "汉族",
        "政治面貌": "群众",
        "工作单位及职务": "张家口某机械制造有限公司 焊工",
        "干部级别": "无",
        "职称": SKIP,
        "职称级别": "无",
        "技术等级": "技师",
        "单位类型": "企业",
        "单位性质": "国有",
        "曾获最高荣誉": SKIP,
        "最高荣誉级别": "县级",
        "是否已获得省部级": "否",
        "是否存在违纪违法": "否",
        "是否为离退休人员": "否",
        "是否为已故人员": "否",
        "是否已获得市级劳动模范": "否",
        "是否获得过市五一劳动奖": "是",
        "联系电话": "0313-8012345",
        "简要事迹": DEEDS,
        "2寸彩色近照": PHOTO,
        "是否为涉敏": "否",
    }
