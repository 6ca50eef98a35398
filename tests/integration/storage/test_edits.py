"""On both databases: a save from the chat and the draft's removal commit together; an edit on
an older version is refused; and an id no row can have names nothing instead of failing the
driver (SQLite overflows beyond 2⁶³, PostgreSQL's INTEGER beyond 2³¹)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import campaigns, drafts, nominees, prechecks, queries, review
from app.ports import Ports
from core.records import Draft
from core.refusals import AlternateInvalid, ChangedMeanwhile, NomineeNotFound, Rejected
from storage import open_ports
from storage.db import Database
from storage.drafts import SqlDraftRows
from tests.nominees import person

from .conftest import Clock
from .helpers import clerk, office

ZZ = "zhengzhou-2024"
JINSHUI = "金水区"
FAR = [2**31, 2**63, 10**20]  # beyond PostgreSQL's INTEGER, beyond SQLite's 64 bits, beyond both


@pytest.fixture(params=[False, True], ids=["database", "kept"])
async def bot(request: pytest.FixtureRequest, db: Database, tmp_path: Path, clock: Clock) -> Ports:
    """A bot's ports with the Zhengzhou campaign, drafts in the database only or kept in memory."""
    ports = open_ports(db, tmp_path / "files", clock, cache_drafts=request.param)
    await campaigns.ensure_builtin(ports, ZZ)
    return ports


async def test_the_draft_is_gone_exactly_when_the_nominee_is_stored(bot: Ports, db: Database, tmp_path: Path) -> None:
    me = await clerk(bot, ZZ, JINSHUI, 3101)
    answers = person(31, "一线产业工人")
    await drafts.save(bot, Draft(me.tg_id, ZZ, "medal", answers, step="summary"))
    assert await drafts.load(bot, me.tg_id) is not None  # in memory too, when kept

    saved = await nominees.save(bot, me, "medal", answers, from_draft=True)
    assert saved.nominee is not None
    assert await drafts.load(bot, me.tg_id) is None
    another_process = open_ports(db, tmp_path / "files", Clock(), cache_drafts=False)
    assert await drafts.load(another_process, me.tg_id) is None


async def test_a_failure_after_the_insert_and_the_drop_keeps_both_the_draft_and_no_nominee(
    bot: Ports, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await clerk(bot, ZZ, JINSHUI, 3201)
    answers = person(32, "一线产业工人")
    draft = Draft(me.tg_id, ZZ, "medal", answers, step="summary")
    await drafts.save(bot, draft)
    assert await drafts.load(bot, me.tg_id) is not None

    drop = SqlDraftRows.drop

    async def drop_then_die(self: SqlDraftRows, tg_id: int) -> None:
        await drop(self, tg_id)  # the nominee inserted, the draft deleted: nothing committed yet
        raise ConnectionError("killed before the commit")

    monkeypatch.setattr(SqlDraftRows, "drop", drop_then_die)
    with pytest.raises(ConnectionError):
        await nominees.save(bot, me, "medal", answers, from_draft=True)
    monkeypatch.undo()

    kept = await drafts.load(bot, me.tg_id)
    assert kept is not None and kept.answers == draft.answers
    assert (await queries.nominees(bot, me))[1] == 0
    # Confirming it again saves it — not "already nominated by 金水区".
    assert (await nominees.save(bot, me, "medal", answers, from_draft=True)).ok
    assert await drafts.load(bot, me.tg_id) is None


async def test_an_edit_saved_on_an_older_version_is_refused_and_writes_nothing(bot: Ports) -> None:
    a = await clerk(bot, ZZ, JINSHUI, 3301)
    b = await clerk(bot, ZZ, JINSHUI, 3302)
    first = (await nominees.save(bot, a, "medal", person(33, "一线产业工人"))).nominee
    assert first is not None
    await drafts.save(bot, Draft(b.tg_id, ZZ, "medal", dict(first.answers), editing=first.id, version=first.version))
    b_draft = await drafts.load(bot, b.tg_id)
    assert b_draft is not None and b_draft.version == first.version  # the draft keeps where the edit began

    phone = person(33, "一线产业工人", phone="13912345678")
    assert (await nominees.save(bot, a, "medal", phone, nominee_id=first.id, version=first.version)).ok

    employer = person(33, "一线产业工人", employer="郑州某电子科技有限公司 总装车间主任")
    with pytest.raises(Rejected) as refused:
        await nominees.save(bot, b, "medal", employer, nominee_id=first.id, version=b_draft.version, from_draft=True)
    problem = refused.value.problem
    assert isinstance(problem, ChangedMeanwhile)
    assert [(c.by, c.action, c.fields) for c in problem.changes] == [("unit", "edited", ("phone",))]
    stored, _history = await queries.nominee(bot, a, first.id)
    assert stored.answers["phone"] == "13912345678" and stored.version == first.version + 1
    assert await drafts.load(bot, b.tg_id) is not None  # B's typing is not lost either


@pytest.mark.parametrize("far", FAR)
async def test_an_id_out_of_range_names_no_nominee(bot: Ports, far: int) -> None:
    me = await clerk(bot, ZZ, JINSHUI, 3401)
    staff = await office(bot, ZZ, 3402)
    not_found = NomineeNotFound(far)
    for call in (
        queries.nominee(bot, me, far),
        nominees.editable(bot, me, far),
        nominees.alternate_principal(bot, me, far),
        nominees.withdraw(bot, me, far),
        nominees.save(bot, me, "medal", person(34, "一线产业工人"), nominee_id=far),
        prechecks.category_view(bot, me, "medal", [{}], exclude=far),
        review.review(bot, staff, far, "accept"),
    ):
        with pytest.raises(Rejected) as rejected:
            await call
        assert rejected.value.problem == not_found
    with pytest.raises(Rejected) as rejected:
        await nominees.save(bot, me, "medal", person(34, "一线产业工人"), alternate_for=far)
    assert rejected.value.problem == AlternateInvalid(far, "principal_gone")
