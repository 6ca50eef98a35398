"""The cast and the props of the use-case stories: the Zhengzhou campaign loaded into the fakes,
clerks and the office joining by invitation, complete nominees, and the commit rule every use
case keeps (a success commits exactly once; a refusal or a rejection writes nothing)."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from app import joining, nominees, queries
from app.ports import Ports
from core.idcard import make_id_number
from core.quota import UnitAwardStatus
from core.records import NomineeInfo, SaveOutcome, UserInfo
from core.refusals import Problem, Refusal, Rejected
from tests.fakes import FakeClock, FakeDatabase, FakeDrafts, FakeFiles, ports

T = TypeVar("T")

ZZ = "zhengzhou-2024"
AIRPORT = "航空港经济综合试验区"  # 奖章 6: 一线产业工人 4, 一线科教 1, 1 free
ZHENGDONG = "郑东新区"  # 奖章 6: 一线产业工人 4, 一线科教 1, 1 free
JINSHUI = "金水区"  # 奖章 6: 一线产业工人 1, 一线科教 2, 非公新业态农民工 2, 1 free; 先锋号 2 (非公 1)
CHALCO = "长铝公司"  # 奖章 1 (一线产业工人 1), 先锋号 1 (企业班组 1)
# Units with one free 奖章 place each, for the city-wide pools (科级 4, 企业负责人 7).
FREE_PLACE_UNITS = ("金水区", "航空港经济综合试验区", "郑东新区", "中原区", "二七区", "管城区", "巩义市", "登封市")

DEEDS = "该同志长期扎根生产一线，" * 12  # over the 100-character minimum


def id_number(n: int) -> str:
    """The n-th distinct valid ID number (金水区's region code)."""
    return make_id_number("410105", date(1975, 1, 1) + timedelta(days=n // 500), n % 500, female=n % 2 == 0)


def person(n: int, category: str, **overrides: Any) -> dict[str, Any]:
    """A complete 五一劳动奖章 nominee of ``category``, 张<n>."""
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
    """A complete 工人先锋号 nominee: 郑州第<n>机械厂's 第<n>班组, a state-owned enterprise team."""
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


def organisation(name: str, **overrides: Any) -> dict[str, Any]:
    """A complete 五一劳动奖状 nominee: the enterprise ``name``."""
    answers: dict[str, Any] = {
        "org_name": name,
        "legal_rep": "王五",
        "staff_count": 300,
        "org_type": "企业",
        "ownership": "非公",
        "key_industry": "是",
        "competition": "是",
        "union_ok": "是",
        "violation_5y_org": "否",
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


@dataclass
class World:
    """The fakes behind one story, and the moves its people make."""

    db: FakeDatabase = field(default_factory=FakeDatabase)
    clock: FakeClock = field(default_factory=FakeClock)
    drafts: FakeDrafts = field(default_factory=FakeDrafts)
    files: FakeFiles = field(default_factory=FakeFiles)

    @property
    def ports(self) -> Ports:
        return ports(self.db, clock=self.clock, drafts=self.drafts, files=self.files)

    # ------------------------------------------------------------------ the commit rule

    async def once(self, call: Awaitable[T]) -> T:
        """A use case that succeeds: its result, after checking it committed exactly once."""
        before = self.db.commits
        result = await call
        assert self.db.commits - before == 1, f"committed {self.db.commits - before} times"
        return result

    async def nothing_written(self, call: Awaitable[T]) -> T:
        """A reading, or a use case that refuses: its result, after checking nothing was committed."""
        before = self.db.commits
        result = await call
        assert self.db.commits == before, "a refused or read-only use case committed"
        return result

    async def rejected(self, call: Awaitable[object]) -> Problem:
        """A request that cannot be carried out: the problem it was rejected with (nothing written)."""
        before = self.db.commits
        try:
            await call
        except Rejected as rejected:
            assert self.db.commits == before, "a rejected use case committed"
            return rejected.problem
        raise AssertionError("the request was carried out")

    # ------------------------------------------------------------------ people

    async def clerk(self, unit: str, tg_id: int, language: str = "zh") -> UserInfo:
        """The office invites a clerk of ``unit``, who joins with the code."""
        code = await self.once(joining.create_invite(self.ports, ZZ, unit, "clerk"))
        return await self.once(joining.join(self.ports, code, tg_id, language))

    async def office(self, tg_id: int = 1) -> UserInfo:
        code = await self.once(joining.create_invite(self.ports, ZZ, None, "office"))
        return await self.once(joining.join(self.ports, code, tg_id, "zh"))

    # ------------------------------------------------------------------ saving

    async def saved(self, user: UserInfo, award: str, answers: Mapping[str, Any], **options: int | None) -> NomineeInfo:
        """A save that takes its places (one commit)."""
        outcome: SaveOutcome = await self.once(nominees.save(self.ports, user, award, answers, **options))
        assert outcome.nominee is not None and not outcome.refusals, outcome.refusals
        return outcome.nominee

    async def refused(
        self, user: UserInfo, award: str, answers: Mapping[str, Any], **options: int | None
    ) -> tuple[Refusal, ...]:
        """A save refused with its reasons (nothing written)."""
        outcome = await self.nothing_written(nominees.save(self.ports, user, award, answers, **options))
        assert outcome.nominee is None and outcome.refusals
        return outcome.refusals

    # ------------------------------------------------------------------ what a user would see

    async def places(self, user: UserInfo, award: str, unit: str | None = None) -> UnitAwardStatus:
        """The unit's places for ``award`` as /quota shows them."""
        quota = await self.nothing_written(queries.unit_quota(self.ports, user, unit))
        return next(a for a in quota.awards if a.award == award)

    async def pools(self, user: UserInfo) -> dict[str, tuple[int, int]]:
        """The city-wide limits as /quota shows them: key → (used, cap)."""
        quota = await self.nothing_written(queries.unit_quota(self.ports, user))
        return {p.limit.key: (p.used, p.limit.cap) for p in quota.pools}

    async def consistent(self) -> bool:
        """Every counter equals the places its nominees hold."""
        problems = await self.nothing_written(queries.verify_counters(self.ports, ZZ))
        assert problems == [], problems
        return True
