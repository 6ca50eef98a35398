"""Two clerks of one unit at the same record, and the draft a save replaces.

- An edit remembers the version of the nominee it began from; saving it after someone changed
  the nominee is refused (ChangedMeanwhile) with who changed which answers when — nothing written.
- A save from the chat removes the clerk's draft in its own transaction: the draft is gone
  exactly when the nominee is stored (a refused or rejected save leaves it).
- Whether an ID number is already nominated can be asked before the save (nominees.duplicate).
"""

from __future__ import annotations

from app import nominees, review, submission
from core.records import Draft
from core.refusals import Change, ChangedMeanwhile, Duplicate, NomineeLocked
from tests.nominees import person, team

from .story import CHALCO, JINSHUI, ZHENGDONG, ZZ, World


async def test_an_edit_begun_before_a_colleagues_save_is_refused_with_what_the_colleague_changed(zz: World) -> None:
    a = await zz.clerk(JINSHUI, 2101)
    b = await zz.clerk(JINSHUI, 2102)
    saved = await zz.saved(a, "medal", person(21, "一线产业工人"))
    opened = saved.version  # both open the card now

    zz.clock.advance(minutes=5)
    by_a = await zz.saved(
        a, "medal", person(21, "一线产业工人", phone="13912345678"), nominee_id=saved.id, version=opened
    )
    assert by_a.version == opened + 1

    stale = person(21, "一线产业工人", employer="郑州某电子科技有限公司 总装车间主任")  # still the old phone
    problem = await zz.rejected(nominees.save(zz.ports, b, "medal", stale, nominee_id=saved.id, version=opened))
    assert problem == ChangedMeanwhile(saved.id, (Change(zz.clock(), "unit", "edited", ("phone",)),))

    # Begun again on the version now stored, the colleague's phone is kept with the new employer.
    current = await zz.nothing_written(nominees.editable(zz.ports, b, saved.id))
    merged = dict(current.answers) | {"employer": stale["employer"]}
    by_b = await zz.saved(b, "medal", merged, nominee_id=saved.id, version=current.version)
    assert (by_b.answers["phone"], by_b.answers["employer"]) == ("13912345678", stale["employer"])


async def test_an_edit_begun_before_the_list_was_handed_in_and_returned_names_the_office(zz: World) -> None:
    me = await zz.clerk(CHALCO, 2201)
    worker = await zz.saved(me, "medal", person(22, "一线产业工人"))
    await zz.saved(me, "pioneer", team(22))
    assert await zz.once(submission.submit(zz.ports, me)) == []
    office = await zz.office(2202)
    await zz.once(review.review(zz.ports, office, worker.id, "return", "请补充事迹"))

    edit = nominees.save(
        zz.ports, me, "medal", person(22, "一线产业工人"), nominee_id=worker.id, version=worker.version
    )
    problem = await zz.rejected(edit)
    assert isinstance(problem, ChangedMeanwhile)
    assert [(c.by, c.action, c.fields) for c in problem.changes] == [
        ("you", "submitted", ()),
        ("office", "returned", ()),
    ]


async def test_an_edit_without_a_version_is_not_checked_and_a_locked_nominee_says_so_first(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 2301)
    saved = await zz.saved(me, "medal", person(23, "一线产业工人"))
    await zz.saved(me, "medal", person(23, "一线产业工人", phone="13912345678"), nominee_id=saved.id)
    await zz.once(nominees.withdraw(zz.ports, me, saved.id))
    stale = nominees.save(zz.ports, me, "medal", person(23, "一线产业工人"), nominee_id=saved.id, version=1)
    assert await zz.rejected(stale) == NomineeLocked("withdrawn")


async def test_the_draft_goes_with_the_save_and_stays_when_the_save_is_refused(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 2401)
    other = await zz.clerk(ZHENGDONG, 2402)
    await zz.saved(other, "medal", person(24, "一线产业工人"))

    draft = Draft(me.tg_id, ZZ, "medal", person(24, "一线产业工人"), step="summary")
    await zz.drafts.save(draft)
    refused = await zz.refused(me, "medal", person(24, "一线产业工人"), from_draft=True)
    assert refused == (Duplicate(ZHENGDONG, "medal"),)
    assert await zz.drafts.load(me.tg_id) is not None  # nothing lost: the clerk changes the ID and confirms

    await zz.drafts.save(draft)
    await zz.saved(me, "medal", person(25, "一线产业工人"), from_draft=True)
    assert await zz.drafts.load(me.tg_id) is None


async def test_a_save_whose_transaction_fails_after_the_insert_keeps_the_draft(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 2501)
    await zz.drafts.save(Draft(me.tg_id, ZZ, "medal", person(26, "一线产业工人"), step="summary"))

    async def crash() -> None:
        raise ConnectionError("the database went away before the commit")

    zz.db.interleave("drafts.drop", crash)  # after the insert, the audit entry and the counters
    before = zz.db.commits
    try:
        await nominees.save(zz.ports, me, "medal", person(26, "一线产业工人"), from_draft=True)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the save went on")
    assert zz.db.commits == before
    assert await zz.drafts.load(me.tg_id) is not None
    assert (await zz.places(me, "medal")).used == 0


async def test_a_duplicate_is_told_before_the_save_with_its_number_only_to_its_own_unit(zz: World) -> None:
    jinshui = await zz.clerk(JINSHUI, 2601)
    zhengdong = await zz.clerk(ZHENGDONG, 2602)
    first = await zz.saved(jinshui, "medal", person(27, "一线产业工人"))
    typed = {"category": "一线产业工人", "name": "张某", "id_number": person(27, "一线产业工人")["id_number"]}

    assert await zz.nothing_written(nominees.duplicate(zz.ports, jinshui, "medal", typed)) == Duplicate(
        JINSHUI, "medal", first.id
    )
    assert await zz.nothing_written(nominees.duplicate(zz.ports, zhengdong, "medal", typed)) == Duplicate(
        JINSHUI, "medal"
    )
    own = nominees.duplicate(zz.ports, jinshui, "medal", typed, exclude=first.id)  # its own edit
    assert await zz.nothing_written(own) is None
    assert await zz.nothing_written(nominees.duplicate(zz.ports, jinshui, "medal", {"name": "张某"})) is None
