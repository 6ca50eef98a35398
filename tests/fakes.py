"""In-memory implementations of every port in :mod:`app.ports`, for the use cases' unit tests.

They keep the database's semantics, not merely its shapes:

- :class:`FakeDatabase` is :class:`~app.ports.Transactions`. ``read()`` hands out a snapshot
  that refuses writes; ``write()`` works on a copy that becomes the state only when the use case
  calls ``commit()`` (leaving without it, or by an exception, discards the copy). ``commits``
  counts the commits, so a test can say "committed exactly once" or "nothing written".
- Counters take a place with a conditional increment (False when ``used >= cap`` or the counter
  is absent); giving back a place not taken is an error, as the database's ``used >= 0`` check.
- The identity of a nominee is unique per campaign (:class:`~app.ports.IdentityTaken`), checked
  against the transaction's own rows *and* what others committed meanwhile, as a unique index
  does; withdrawing a nominee without giving up its identity is an error (the person could never
  be nominated again).
- The lock order of :mod:`app.ports` is checked: a write transaction touches counters only after
  it locked a unit's row, the unit's counter before the city-wide ones, and those in key order.
- :meth:`FakeDatabase.interleave` runs another use case at a chosen repository call, to tell
  the story of two clerks at the same moment. The fake does not merge concurrent writes: a commit
  after someone else's raises :class:`FakeConflict` (the database would have serialised them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from app import ports as p
from app.ports import (
    AlreadyExists,
    AuditEntry,
    Counter,
    IdentityTaken,
    Invite,
    NomineeRecord,
    Ports,
    Reading,
    StoredCampaign,
)
from core.campaign import Campaign
from core.deadlines import StageDate, with_dates
from core.loader import parse
from core.records import (
    PLACE_HOLDING,
    CampaignInfo,
    Draft,
    HistoryEntry,
    NomineeInfo,
    Role,
    StoredFile,
    UnitState,
    UserInfo,
)
from core.refusals import ReservedOpen

# 10:00 on 1 March 2024 in Zhengzhou: three weeks before the first deadline (2024-03-20).
BEFORE_DEADLINE = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)

NOMINEE_COLUMNS = frozenset(
    {"status", "answers", "identity", "claims", "note", "updated_at", "version", "alternate_for", "procedure"}
)


class FakeMisuse(AssertionError):
    """The use case did something the real database would refuse or silently lose: a write in a
    read snapshot, work after ``commit()``, a counter given back below zero, locks out of order."""


class FakeConflict(AssertionError):
    """Two write transactions overlapped in a way the fake cannot merge (the database would have
    made one wait for the other)."""


def _json(value: Any) -> Any:
    """What a JSON column gives back: the stored value must survive the round trip."""
    return json.loads(json.dumps(value, ensure_ascii=False))


# --------------------------------------------------------------------------- the state


@dataclass
class State:
    """Every table, keyed as the database keys it. Rows are frozen records, replaced on change, so
    copying the containers is enough for a transaction's private copy."""

    users: dict[int, UserInfo] = field(default_factory=dict)
    units: dict[tuple[str, str], UnitState] = field(default_factory=dict)
    campaigns: dict[str, StoredCampaign] = field(default_factory=dict)
    nominees: dict[int, NomineeRecord] = field(default_factory=dict)
    next_nominee: int = 1
    unit_counters: dict[tuple[str, str, str], Counter] = field(default_factory=dict)  # (campaign, unit, award)
    limit_counters: dict[tuple[str, str], Counter] = field(default_factory=dict)  # (campaign, key)
    audit: list[AuditEntry] = field(default_factory=list)
    invites: dict[str, Invite] = field(default_factory=dict)
    reminders: dict[tuple[str, str, str, str, int], str | None] = field(default_factory=dict)
    stage_dates: dict[tuple[str, str], StageDate] = field(default_factory=dict)

    def copy(self) -> State:
        return State(
            users=dict(self.users),
            units=dict(self.units),
            campaigns=dict(self.campaigns),
            nominees=dict(self.nominees),
            next_nominee=self.next_nominee,
            unit_counters=dict(self.unit_counters),
            limit_counters=dict(self.limit_counters),
            audit=list(self.audit),
            invites=dict(self.invites),
            reminders=dict(self.reminders),
            stage_dates=dict(self.stage_dates),
        )


def run_to_end(coroutine: Awaitable[T]) -> T:
    """Steps a coroutine that must never suspend to its result (see FakeDatabase.run)."""
    assert isinstance(coroutine, Coroutine)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise AssertionError(
        "a use case waited for the event loop: on an SQLite file it would fail in the database's thread"
    )


Hook = Callable[[], Awaitable[object]]
T = TypeVar("T")


class FakeDatabase:
    """:class:`~app.ports.Transactions` in memory; ``state`` is what has been committed."""

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0  # successful commit() calls
        self.runs = 0  # use cases run through run()
        self.generation = 0  # grows with every commit: a write transaction begun earlier is stale
        self._definitions: dict[tuple[str, int, str], Campaign] = {}  # parsed once per version
        self._hooks: dict[str, list[Hook]] = {}
        self.drafts = FakeDrafts()  # their own table: a transaction only removes rows of it (tx.drafts)

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """A use case runs to its end without waiting for the event loop, as in the database's
        thread on an SQLite file (storage.db.Database.run): one that would wait fails here too."""
        self.runs += 1
        return run_to_end(fn(*args, **kwargs))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[FakeUnitOfWork]:
        await self._reached("db.read")
        tx = FakeUnitOfWork(self, self.state.copy(), writable=False)
        try:
            yield tx
        finally:
            tx.closed = True

    @asynccontextmanager
    async def write(self) -> AsyncIterator[FakeUnitOfWork]:
        await self._reached("db.write")
        tx = FakeUnitOfWork(self, self.state.copy(), writable=True)
        try:
            yield tx
        finally:
            tx.closed = True  # without commit() the copy is simply dropped

    def interleave(self, point: str, action: Hook) -> None:
        """Runs ``action`` (another use case) once, when a transaction next reaches ``point``
        (a repository call such as "nominees.add", before it does anything), or when the next
        transaction begins ("db.read", "db.write", before its snapshot is taken)."""
        self._hooks.setdefault(point, []).append(action)

    async def _reached(self, point: str) -> None:
        hooks = self._hooks.pop(point, [])
        for hook in hooks:
            await hook()

    def _commit(self, tx: FakeUnitOfWork) -> None:
        if self.generation != tx.generation:
            raise FakeConflict("another transaction committed after this one began")
        self.state = tx.state
        for tg_id in tx.dropped_drafts:
            self.drafts.rows.pop(tg_id, None)
        self.generation += 1
        self.commits += 1

    def definition(self, stored: StoredCampaign) -> Campaign:
        key = (stored.info.id, stored.info.version, stored.info.digest)
        found = self._definitions.get(key)
        if found is None:
            found = self._definitions[key] = _parsed(stored.definition)
        return found


_PARSED: dict[str, Campaign] = {}


def _parsed(text: str) -> Campaign:
    """Definitions are frozen: every test's database may share one parse of the same text."""
    found = _PARSED.get(text)
    if found is None:
        found = _PARSED[text] = parse(text)
    return found


class FakeUnitOfWork:
    """One transaction: :class:`~app.ports.UnitOfWork` over a private copy of the state."""

    def __init__(self, db: FakeDatabase, state: State, *, writable: bool) -> None:
        self.db = db
        self.state = state
        self.writable = writable
        self.generation = db.generation
        self.closed = False
        self.committed = False
        self.unit_locked = False
        self.last_counter: tuple[int, str] | None = None  # (0 unit / 1 city-wide, key) touched last
        # Typed as the ports: mypy checks each fake against its Protocol here.
        self.users: p.Users = FakeUsers(self)
        self.units: p.Units = FakeUnits(self)
        self.campaigns: p.Campaigns = FakeCampaigns(self)
        self.nominees: p.Nominees = FakeNominees(self)
        self.counters: p.Counters = FakeCounters(self)
        self.audit: p.Audit = FakeAudit(self)
        self.invites: p.Invites = FakeInvites(self)
        self.reminders: p.Reminders = FakeReminders(self)
        self.dropped_drafts: list[int] = []  # removed from db.drafts when (and only if) this commits
        self._draft_rows = FakeDraftRows(self)

    @property
    def drafts(self) -> p.DraftRows:
        return self._draft_rows

    async def commit(self) -> None:
        self.check(write=True)
        self.committed = True
        self.db._commit(self)

    def check(self, *, write: bool = False, lock: bool = False) -> None:
        if self.closed:
            raise FakeMisuse("the transaction is over")
        if self.committed:
            raise FakeMisuse("used after commit(): nothing done now would be kept")
        if (write or lock) and not self.writable:
            raise FakeMisuse("a write or a lock in a read snapshot")

    def counter_touched(self, order: int, key: str) -> None:
        """The lock order of app.ports: the unit's row, then its counter, then the city-wide
        counters in key order."""
        if not self.unit_locked:
            raise FakeMisuse(f"counter {key} moved before any unit row was locked")
        here = (order, key)
        if self.last_counter is not None and here < self.last_counter:
            raise FakeMisuse(f"counter {key} moved after {self.last_counter[1]}: out of lock order")
        self.last_counter = here


class _Repository:
    def __init__(self, tx: FakeUnitOfWork) -> None:
        self.tx = tx

    @property
    def state(self) -> State:
        return self.tx.state

    async def _enter(self, point: str, *, write: bool = False, lock: bool = False) -> None:
        self.tx.check(write=write, lock=lock)
        await self.tx.db._reached(point)
        self.tx.check(write=write, lock=lock)


# --------------------------------------------------------------------------- repositories


class FakeUsers(_Repository):
    async def get(self, tg_id: int, *, lock: bool = False) -> UserInfo | None:
        await self._enter("users.get", lock=lock)
        return self.state.users.get(tg_id)

    async def reading(self, tg_id: int, office_unit: str | None = None) -> Reading | None:
        """The user, the campaign's version and a unit: the clerk's own, or ``office_unit`` for
        the office (None when that unit has no row)."""
        await self._enter("users.reading")
        user = self.state.users.get(tg_id)
        if user is None:
            return None
        stored = self.state.campaigns.get(user.campaign_id)
        name = user.unit if user.role == "clerk" else office_unit
        unit = None if name is None else self.state.units.get((user.campaign_id, name))
        return Reading(user, None if stored is None else stored.info.version, unit)

    async def enter(self, tg_id: int) -> tuple[UserInfo, UnitState] | None:
        await self._enter("users.enter", lock=True)
        user = self.state.users.get(tg_id)
        if user is None or user.unit is None:
            return None
        unit = self.state.units.get((user.campaign_id, user.unit))
        if unit is None:
            return None
        self.tx.unit_locked = True
        return user, unit

    async def put(self, user: UserInfo, now: datetime) -> None:
        await self._enter("users.put", write=True)
        self.state.users[user.tg_id] = user

    async def set_language(self, tg_id: int, language: str, now: datetime) -> None:
        await self._enter("users.set_language", write=True)
        user = self.state.users.get(tg_id)
        if user is not None:
            self.state.users[tg_id] = replace(user, language=language)

    async def of_campaign(self, campaign_id: str, unit: str | None, role: Role | None) -> list[UserInfo]:
        await self._enter("users.of_campaign")
        return [
            u
            for _id, u in sorted(self.state.users.items())
            if u.campaign_id == campaign_id and (unit is None or u.unit == unit) and (role is None or u.role == role)
        ]


class FakeUnits(_Repository):
    async def get(self, campaign_id: str, name: str, *, lock: bool = False) -> UnitState | None:
        await self._enter("units.get", lock=lock)
        found = self.state.units.get((campaign_id, name))
        if lock and found is not None:
            self.tx.unit_locked = True
        return found

    async def all(self, campaign_id: str, *, lock: bool = False) -> list[UnitState]:
        await self._enter("units.all", lock=lock)
        found = [u for (cid, _name), u in sorted(self.state.units.items()) if cid == campaign_id]
        if lock and found:
            self.tx.unit_locked = True
        return found

    async def activate(self, campaign_id: str, names: Sequence[str]) -> None:
        await self._enter("units.activate", write=True)
        wanted = set(names)
        for key, unit in list(self.state.units.items()):
            if key[0] == campaign_id:
                self.state.units[key] = replace(unit, active=unit.name in wanted)
        for name in names:
            if (campaign_id, name) not in self.state.units:
                self.state.units[(campaign_id, name)] = UnitState(campaign_id, name, True, None, None)

    def _unit(self, campaign_id: str, name: str) -> UnitState:
        found = self.state.units.get((campaign_id, name))
        if found is None:
            raise FakeMisuse(f"no unit row {name!r} in {campaign_id!r}")
        return found

    async def set_submitted(
        self,
        campaign_id: str,
        name: str,
        at: datetime | None,
        by: int | None,
        given_up: Sequence[ReservedOpen] = (),
    ) -> None:
        await self._enter("units.set_submitted", write=True)
        places = tuple(given_up) if at is not None else ()
        self.state.units[(campaign_id, name)] = replace(self._unit(campaign_id, name), submitted_at=at, given_up=places)

    async def set_reopened(self, campaign_id: str, name: str, at: datetime, until: date | None = None) -> None:
        await self._enter("units.set_reopened", write=True)
        unit = replace(self._unit(campaign_id, name), reopened_at=at, open_until=until)
        self.state.units[(campaign_id, name)] = unit


class FakeCampaigns(_Repository):
    async def version(self, campaign_id: str) -> int | None:
        await self._enter("campaigns.version")
        stored = self.state.campaigns.get(campaign_id)
        return None if stored is None else stored.info.version

    async def definition(self, campaign_id: str, version: int) -> Campaign | None:
        await self._enter("campaigns.definition")
        stored = self.state.campaigns.get(campaign_id)
        if stored is None or stored.info.version != version:
            return None
        dates = [d for (c, _stage), d in self.state.stage_dates.items() if c == campaign_id]
        return with_dates(self.tx.db.definition(stored), dates)

    async def dates(self, campaign_id: str) -> list[StageDate]:
        await self._enter("campaigns.dates")
        return [d for (c, _stage), d in sorted(self.state.stage_dates.items()) if c == campaign_id]

    async def set_date(self, campaign_id: str, date: StageDate, by: int | None, at: datetime) -> None:
        await self._enter("campaigns.set_date", write=True)
        stored = self.state.campaigns[campaign_id]
        self.state.stage_dates[(campaign_id, date.stage)] = date
        info = replace(stored.info, version=stored.info.version + 1)
        self.state.campaigns[campaign_id] = StoredCampaign(info, stored.definition)

    async def stored(self, campaign_id: str, *, lock: bool = False) -> StoredCampaign | None:
        await self._enter("campaigns.stored", lock=lock)
        return self.state.campaigns.get(campaign_id)

    async def put(self, campaign: Campaign, text: str, version: int, now: datetime) -> None:
        """Version 1 is the first load: AlreadyExists when another transaction loaded it meanwhile."""
        await self._enter("campaigns.put", write=True)
        if version == 1 and (campaign.id in self.state.campaigns or campaign.id in self.tx.db.state.campaigns):
            raise AlreadyExists(campaign.id)
        info = CampaignInfo(campaign.id, campaign.name, version, campaign.digest, now)
        self.state.campaigns[campaign.id] = StoredCampaign(info, text)

    async def all(self) -> list[CampaignInfo]:
        await self._enter("campaigns.all")
        return [stored.info for _id, stored in sorted(self.state.campaigns.items())]


class FakeNominees(_Repository):
    def _taken(self, campaign_id: str, identity: str, exclude: int | None) -> NomineeRecord | None:
        """The nominee holding ``identity``: in this transaction, or committed by another
        meanwhile (the unique index sees both)."""
        for rows in (self.state.nominees, self.tx.db.state.nominees):
            for record in rows.values():
                if record.identity == identity and record.info.campaign_id == campaign_id and record.info.id != exclude:
                    return record
        return None

    async def get(self, nominee_id: int, *, lock: bool = False) -> NomineeRecord | None:
        await self._enter("nominees.get", lock=lock)
        return self.state.nominees.get(nominee_id)

    async def holder(self, campaign_id: str, identity: str, exclude: int | None) -> tuple[str, str, int] | None:
        await self._enter("nominees.holder")
        for record in self.state.nominees.values():
            if record.identity == identity and record.info.campaign_id == campaign_id and record.info.id != exclude:
                return record.info.unit, record.info.award, record.info.id
        return None

    async def holding_answers(
        self, campaign_id: str, unit: str, award: str | None, keys: Sequence[str], exclude: int | None
    ) -> list[tuple[str, dict[str, Any]]]:
        await self._enter("nominees.holding_answers")
        return [
            (r.info.award, {k: r.info.answers.get(k) for k in keys})
            for _id, r in sorted(self.state.nominees.items())
            if r.info.campaign_id == campaign_id
            and r.info.unit == unit
            and (award is None or r.info.award == award)
            and r.info.status in PLACE_HOLDING
            and r.info.alternate_for is None
            and r.info.id != exclude
        ]

    async def add(self, info: NomineeInfo, identity: str, claims: Sequence[str]) -> int:
        await self._enter("nominees.add", write=True)
        if self._taken(info.campaign_id, identity, None) is not None:
            raise IdentityTaken(identity)
        nominee_id = self.state.next_nominee
        self.state.next_nominee += 1
        stored = replace(info, id=nominee_id, answers=_json(dict(info.answers)))
        self.state.nominees[nominee_id] = NomineeRecord(stored, identity, tuple(claims))
        return nominee_id

    async def update(self, nominee_id: int, **values: Any) -> None:
        await self._enter("nominees.update", write=True)
        unknown = values.keys() - NOMINEE_COLUMNS
        if unknown:
            raise TypeError(f"no nominee column {sorted(unknown)}")
        record = self.state.nominees.get(nominee_id)
        if record is None:
            raise FakeMisuse(f"no nominee {nominee_id} to update")
        info = record.info
        identity = values.get("identity", record.identity)
        claims = tuple(values.get("claims", record.claims))
        changes = {k: v for k, v in values.items() if k not in ("identity", "claims")}
        if "answers" in changes:
            changes["answers"] = _json(dict(changes["answers"]))
        info = replace(info, **changes)
        if info.status == "withdrawn" and identity is not None:
            raise FakeMisuse("a withdrawn nominee keeps no identity: the person could never be nominated again")
        if identity is not None and self._taken(info.campaign_id, identity, nominee_id) is not None:
            raise IdentityTaken(identity)
        self.state.nominees[nominee_id] = NomineeRecord(info, identity, claims)

    async def of_unit(
        self, campaign_id: str, unit: str, statuses: frozenset[str], *, lock: bool = False
    ) -> list[NomineeRecord]:
        await self._enter("nominees.of_unit", lock=lock)
        return [
            r
            for _id, r in sorted(self.state.nominees.items())
            if r.info.campaign_id == campaign_id and r.info.unit == unit and r.info.status in statuses
        ]

    async def alternates_of(
        self, principal_id: int, *, exclude: int | None = None, lock: bool = False
    ) -> list[NomineeRecord]:
        await self._enter("nominees.alternates_of", lock=lock)
        return [
            r
            for _id, r in sorted(self.state.nominees.items())
            if r.info.alternate_for == principal_id and r.info.status != "withdrawn" and r.info.id != exclude
        ]

    async def page(
        self, campaign_id: str, unit: str | None, offset: int, limit: int, *, include_withdrawn: bool
    ) -> tuple[list[NomineeInfo], int]:
        await self._enter("nominees.page")
        found = [
            r.info
            for _id, r in sorted(self.state.nominees.items())
            if r.info.campaign_id == campaign_id
            and (unit is None or r.info.unit == unit)
            and (include_withdrawn or r.info.status != "withdrawn")
        ]
        return found[offset : offset + limit], len(found)

    async def live(self, campaign_id: str) -> list[NomineeRecord]:
        await self._enter("nominees.live")
        return [
            r
            for _id, r in sorted(self.state.nominees.items())
            if r.info.campaign_id == campaign_id and r.info.status != "withdrawn"
        ]

    async def unit_of(self, nominee_id: int) -> str | None:
        await self._enter("nominees.unit_of")
        record = self.state.nominees.get(nominee_id)
        return None if record is None else record.info.unit


class FakeCounters(_Repository):
    async def take_unit(self, campaign_id: str, unit: str, award: str) -> bool:
        await self._enter("counters.take_unit", write=True)
        self.tx.counter_touched(0, f"{unit}/{award}")
        return _take(self.state.unit_counters, (campaign_id, unit, award))

    async def unit(self, campaign_id: str, unit: str, award: str) -> Counter | None:
        await self._enter("counters.unit")
        return self.state.unit_counters.get((campaign_id, unit, award))

    async def release_unit(self, campaign_id: str, unit: str, award: str) -> None:
        await self._enter("counters.release_unit", write=True)
        self.tx.counter_touched(0, f"{unit}/{award}")
        _release(self.state.unit_counters, (campaign_id, unit, award))

    async def take_limit(self, campaign_id: str, key: str) -> bool:
        await self._enter("counters.take_limit", write=True)
        self.tx.counter_touched(1, key)
        return _take(self.state.limit_counters, (campaign_id, key))

    async def limit(self, campaign_id: str, key: str) -> Counter | None:
        await self._enter("counters.limit")
        return self.state.limit_counters.get((campaign_id, key))

    async def release_limit(self, campaign_id: str, key: str) -> None:
        await self._enter("counters.release_limit", write=True)
        self.tx.counter_touched(1, key)
        _release(self.state.limit_counters, (campaign_id, key))

    async def limit_counts(self, campaign_id: str) -> dict[str, int]:
        await self._enter("counters.limit_counts")
        return {key: c.used for (cid, key), c in sorted(self.state.limit_counters.items()) if cid == campaign_id}

    async def all(self, campaign_id: str) -> tuple[list[Counter], list[Counter]]:
        await self._enter("counters.all")
        units = [c for (cid, _u, _a), c in sorted(self.state.unit_counters.items()) if cid == campaign_id]
        cities = [c for (cid, _k), c in sorted(self.state.limit_counters.items()) if cid == campaign_id]
        return units, cities

    async def replace(self, campaign_id: str, units: Sequence[Counter], limits: Sequence[Counter]) -> None:
        await self._enter("counters.replace", write=True)
        if any(c.unit is None for c in units) or any(c.unit is not None for c in limits):
            raise FakeMisuse("a unit counter names its unit, a city-wide one none")
        if any(c.used < 0 for c in [*units, *limits]):
            raise FakeMisuse("a counter below zero")
        kept_units = {k: c for k, c in self.state.unit_counters.items() if k[0] != campaign_id}
        kept_limits = {k: c for k, c in self.state.limit_counters.items() if k[0] != campaign_id}
        kept_units.update({(campaign_id, c.unit or "", c.key): c for c in units})
        kept_limits.update({(campaign_id, c.key): c for c in limits})
        self.state.unit_counters, self.state.limit_counters = kept_units, kept_limits


def _take(rows: dict[Any, Counter], key: Any) -> bool:
    """``UPDATE … SET used = used + 1 WHERE … AND used < cap``: True when a row was changed."""
    counter = rows.get(key)
    if counter is None or counter.used >= counter.cap:
        return False
    rows[key] = replace(counter, used=counter.used + 1)
    return True


def _release(rows: dict[Any, Counter], key: Any) -> None:
    counter = rows.get(key)
    if counter is None:
        raise FakeMisuse(f"counter {key} given back but absent: the claims and the counters disagree")
    if counter.used <= 0:
        raise FakeMisuse(f"counter {key} given back below zero (CHECK used >= 0)")
    rows[key] = replace(counter, used=counter.used - 1)


class FakeAudit(_Repository):
    async def add(self, entry: AuditEntry) -> None:
        await self._enter("audit.add", write=True)
        self.state.audit.append(replace(entry, changes=_json(dict(entry.changes))))

    async def history(self, nominee_id: int) -> list[HistoryEntry]:
        await self._enter("audit.history")
        return [
            HistoryEntry(e.at, e.actor, e.action, {k: (v[0], v[1]) for k, v in e.changes.items()}, e.note)
            for e in self.state.audit
            if e.nominee_id == nominee_id
        ]


class FakeInvites(_Repository):
    async def add(self, invite: Invite, created_by: int | None, created_at: datetime) -> None:
        await self._enter("invites.add", write=True)
        if invite.code_hash in self.state.invites:
            raise AlreadyExists(invite.code_hash)
        self.state.invites[invite.code_hash] = invite

    async def get(self, code_hash: str, *, lock: bool = False) -> Invite | None:
        await self._enter("invites.get", lock=lock)
        return self.state.invites.get(code_hash)

    async def use(self, code_hash: str, at: datetime, by: int) -> None:
        await self._enter("invites.use", write=True)
        invite = self.state.invites.get(code_hash)
        if invite is None:
            raise FakeMisuse("no such invitation to use")
        self.state.invites[code_hash] = replace(invite, used_at=at)


class FakeReminders(_Repository):
    async def claim(self, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int, at: datetime) -> bool:
        await self._enter("reminders.claim", write=True)
        key = (campaign_id, unit, stage, kind, tg_id)
        if key in self.state.reminders:
            return False
        self.state.reminders[key] = None
        return True

    async def claimed(self, campaign_id: str, stage: str, kind: str) -> set[int]:
        await self._enter("reminders.claimed")
        return {k[4] for k in self.state.reminders if (k[0], k[2], k[3]) == (campaign_id, stage, kind)}

    async def settle(self, campaign_id: str, stage: str, kind: str, tg_id: int, outcome: str) -> None:
        await self._enter("reminders.settle", write=True)
        for k in list(self.state.reminders):
            if (k[0], k[2], k[3], k[4]) == (campaign_id, stage, kind, tg_id):
                self.state.reminders[k] = outcome

    async def deliveries(self, campaign_id: str, stage: str, kind: str) -> list[p.Delivery]:
        await self._enter("reminders.deliveries")
        return [
            p.Delivery(k[1], k[4], outcome)
            for k, outcome in sorted(self.state.reminders.items(), key=lambda kv: (kv[0][1], kv[0][4]))
            if (k[0], k[2], k[3]) == (campaign_id, stage, kind)
        ]


# --------------------------------------------------------------------------- drafts, files, clock


class FakeDraftRows(_Repository):
    async def drop(self, tg_id: int) -> None:
        await self._enter("drafts.drop", write=True)
        self.tx.dropped_drafts.append(tg_id)

    async def of_unit(self, campaign_id: str, unit: str) -> list[Draft]:
        await self._enter("drafts.of_unit")
        users = self.state.users
        found = [
            d
            for d in self.tx.db.drafts.rows.values()
            if d.tg_id not in self.tx.dropped_drafts
            and d.campaign_id == campaign_id
            and d.award is not None
            and (u := users.get(d.tg_id)) is not None
            and u.campaign_id == campaign_id
            and u.unit == unit
        ]
        return sorted(found, key=lambda d: (d.updated_at or datetime.min.replace(tzinfo=UTC), d.tg_id))


class FakeDrafts:
    """One row per user, each save a whole upsert (as the database's)."""

    def __init__(self) -> None:
        self.rows: dict[int, Draft] = {}

    async def load(self, tg_id: int) -> Draft | None:
        found = self.rows.get(tg_id)
        return None if found is None else replace(found, answers=_json(dict(found.answers)))

    async def save(self, draft: Draft) -> None:
        self.rows[draft.tg_id] = replace(draft, answers=_json(dict(draft.answers)))

    async def drop(self, tg_id: int) -> None:
        self.rows.pop(tg_id, None)


class FakeFiles:
    """Content-addressed: the same bytes twice are stored once, under their SHA-256; the first
    upload's name and uploader are kept."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[StoredFile, bytes]] = {}

    async def put(self, data: bytes, mime: str, filename: str, uploaded_by: int, at: datetime) -> str:
        ref = hashlib.sha256(data).hexdigest()
        if ref not in self.blobs:
            self.blobs[ref] = (StoredFile(ref, len(data), mime, filename, uploaded_by, at), bytes(data))
        return ref

    async def get(self, ref: str) -> StoredFile | None:
        found = self.blobs.get(ref)
        return None if found is None else found[0]

    async def read(self, ref: str) -> bytes | None:
        found = self.blobs.get(ref)
        return None if found is None else found[1]


class FakeClock:
    """A clock the test sets: ``clock.now = …`` or ``clock.advance(days=14)``; always aware."""

    def __init__(self, now: datetime = BEFORE_DEADLINE) -> None:
        self.now = now

    def __call__(self) -> datetime:
        if self.now.tzinfo is None:
            raise FakeMisuse("the clock must be aware")
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def ports(
    db: FakeDatabase | None = None,
    *,
    clock: FakeClock | None = None,
    drafts: FakeDrafts | None = None,
    files: FakeFiles | None = None,
) -> Ports:
    """The bundle a use case runs over, every part in memory (fresh unless given)."""
    db = db if db is not None else FakeDatabase()
    if drafts is not None:
        db.drafts = drafts  # the drafts a transaction may remove are these
    return Ports(
        db=db,
        drafts=db.drafts,
        files=files if files is not None else FakeFiles(),
        clock=clock if clock is not None else FakeClock(),
    )


if TYPE_CHECKING:

    def _implements(
        db: FakeDatabase, tx: FakeUnitOfWork, drafts: FakeDrafts, files: FakeFiles, clock: FakeClock
    ) -> None:
        """mypy checks here that every fake implements its port (the repositories are checked
        where FakeUnitOfWork assigns them)."""
        _db: p.Transactions = db
        _tx: p.UnitOfWork = tx
        _drafts: p.Drafts = drafts
        _files: p.Files = files
        _clock: p.Clock = clock


__all__ = [
    "BEFORE_DEADLINE",
    "FakeClock",
    "FakeConflict",
    "FakeDatabase",
    "FakeDrafts",
    "FakeFiles",
    "FakeMisuse",
    "FakeUnitOfWork",
    "State",
    "ports",
]
