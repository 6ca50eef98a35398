"""The cast of the use-case stories: the Zhengzhou campaign loaded into the fakes, clerks and the
office joining by invitation, and the commit rule every use case keeps (a success commits exactly
once; a refusal or a rejection writes nothing). Complete nominees are ``tests.nominees``' stored form."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app import joining, nominees, queries
from app.ports import Ports
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

    async def saved(self, user: UserInfo, award: str, answers: Mapping[str, Any], **options: Any) -> NomineeInfo:
        """A save that takes its places (one commit)."""
        outcome: SaveOutcome = await self.once(nominees.save(self.ports, user, award, answers, **options))
        assert outcome.nominee is not None and not outcome.refusals, outcome.refusals
        return outcome.nominee

    async def refused(
        self, user: UserInfo, award: str, answers: Mapping[str, Any], **options: Any
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
