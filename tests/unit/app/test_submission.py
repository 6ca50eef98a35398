"""``/submit``: a unit hands its list to the office once it is complete; the list is locked
afterwards; a nominee the office returned is corrected and handed in again, deadline or not."""

from __future__ import annotations

from datetime import UTC, datetime

from app import campaigns, nominees, prechecks, queries, review, submission
from core.loader import builtin_text, parse
from core.refusals import (
    AlternateMissing,
    AnswersMissing,
    NomineeLocked,
    ReservedOpen,
    UnitClosed,
    UnitSubmitted,
    blocking,
    given_up,
    places_digest,
)
from tests.nominees import person, team

from .story import CHALCO, JINSHUI, ZZ, World

CHALCO_MEDAL_OPEN = ReservedOpen("medal", "industrial", "一线产业工人", "frontline industrial workers", 1, 1)
CHALCO_PIONEER_OPEN = ReservedOpen("pioneer", "enterprise", "企业班组", "enterprise teams", 1, 1)


async def test_submit_is_refused_with_the_gaps_then_hands_the_list_in_and_locks_it(zz: World) -> None:
    me = await zz.clerk(CHALCO, 301)
    assert await zz.nothing_written(submission.submit(zz.ports, me)) == [CHALCO_MEDAL_OPEN, CHALCO_PIONEER_OPEN]
    worker = await zz.saved(me, "medal", person(11, "一线产业工人"))
    assert await zz.nothing_written(submission.submit(zz.ports, me)) == [CHALCO_PIONEER_OPEN]
    await zz.saved(me, "pioneer", team(11))

    assert await zz.once(submission.submit(zz.ports, me)) == []
    listed, total = await zz.nothing_written(queries.nominees(zz.ports, me))
    assert total == 2 and {n.status for n in listed} == {"submitted"}
    (state,) = [u for u in await zz.nothing_written(queries.unit_states(zz.ports, ZZ)) if u.name == CHALCO]
    assert state.submitted_at == zz.clock.now

    # Locked: no new nominee, no edit, no withdrawal, no second submit.
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", person(12, "一线产业工人"))) == UnitSubmitted(CHALCO)
    edit = nominees.save(zz.ports, me, "medal", person(11, "一线产业工人"), nominee_id=worker.id)
    assert await zz.rejected(edit) == NomineeLocked("submitted")
    assert await zz.rejected(nominees.withdraw(zz.ports, me, worker.id)) == NomineeLocked("submitted")
    assert await zz.rejected(submission.submit(zz.ports, me)) == UnitSubmitted(CHALCO)
    assert (await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {}))).refusals == (
        UnitSubmitted(CHALCO),
    )


async def test_a_head_without_an_alternate_keeps_the_list_from_being_submitted(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 302)
    head = await zz.saved(me, "medal", person(22, "企业负责人"))
    missing = AlternateMissing("medal", head.id, "张22", "企业负责人", ("一线产业工人", "其他一线职工和专业技术人员"))
    assert missing in await zz.nothing_written(submission.submit(zz.ports, me))

    await zz.saved(me, "medal", person(23, "一线产业工人"), alternate_for=head.id)
    assert missing not in await zz.nothing_written(submission.submit(zz.ports, me))


async def test_the_office_reopens_the_list_and_the_clerk_may_edit_again(zz: World) -> None:
    me = await zz.clerk(CHALCO, 303)
    office = await zz.office(304)
    worker = await zz.saved(me, "medal", person(11, "一线产业工人"))
    await zz.saved(me, "pioneer", team(11))
    assert await zz.once(submission.submit(zz.ports, me)) == []

    assert await zz.once(review.reopen(zz.ports, office, CHALCO)) == 2
    rewritten = person(11, "一线产业工人", deeds="改写后的事迹。" * 20)
    edited = await zz.saved(me, "medal", rewritten, nominee_id=worker.id)
    assert edited.status == "saved"
    _, history = await zz.nothing_written(queries.nominee(zz.ports, me, worker.id))
    assert [h.action for h in history] == ["created", "submitted", "reopened", "edited"]
    assert set(history[-1].changes) == {"deeds"}
    assert await zz.once(submission.submit(zz.ports, me)) == []


async def test_a_returned_nominee_is_corrected_and_handed_in_again_after_the_deadline(zz: World) -> None:
    me = await zz.clerk(CHALCO, 305)
    office = await zz.office(306)
    worker = await zz.saved(me, "medal", person(11, "一线产业工人"))
    await zz.saved(me, "pioneer", team(11))
    assert await zz.once(submission.submit(zz.ports, me)) == []

    zz.clock.now = datetime(2024, 3, 25, 2, 0, tzinfo=UTC)  # five days after the deadline
    returned = await zz.once(review.review(zz.ports, office, worker.id, "return", " 照片不清晰 "))
    assert (returned.status, returned.note) == ("returned", "照片不清晰")

    fixed = await zz.saved(me, "medal", person(11, "一线产业工人", photo="1" * 64), nominee_id=worker.id)
    assert fixed.status == "returned"  # corrected, not yet handed in
    assert await zz.once(submission.submit(zz.ports, me)) == []
    info, history = await zz.nothing_written(queries.nominee(zz.ports, office, worker.id))
    assert (info.status, info.note) == ("submitted", None)
    assert [h.action for h in history] == ["created", "submitted", "returned", "edited", "submitted"]
    assert history[2].note == "照片不清晰"
    # The list itself stays closed for anything new.
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", person(12, "一线产业工人"))) == UnitSubmitted(CHALCO)


async def test_a_question_added_by_a_reload_is_answered_before_the_list_is_handed_in(zz: World) -> None:
    me = await zz.clerk(CHALCO, 307)
    worker = await zz.saved(me, "medal", person(11, "一线产业工人"))
    await zz.saved(me, "pioneer", team(11))
    # The office adds the 法人代表 question to the 奖章 form after the worker was saved.
    text = builtin_text(ZZ)
    form = 'fields = ["name", "id_number", "ethnicity",'
    changed = text.replace(form, 'fields = ["name", "legal_rep", "id_number", "ethnicity",', 1)
    assert changed != text
    assert (await zz.once(campaigns.load(zz.ports, parse(changed), text=changed))).status == "updated"

    assert await zz.nothing_written(submission.submit(zz.ports, me)) == [AnswersMissing(worker.id, ("legal_rep",))]
    answered = person(11, "一线产业工人", legal_rep="王五")
    await zz.saved(me, "medal", answered, nominee_id=worker.id)
    assert await zz.once(submission.submit(zz.ports, me)) == []


async def test_a_unit_without_a_candidate_gives_up_the_open_reserved_places_and_the_office_sees_them(
    zz: World,
) -> None:
    me = await zz.clerk(CHALCO, 308)
    office = await zz.office(309)
    await zz.saved(me, "pioneer", team(11))  # no frontline industrial worker to nominate for 奖章
    gaps = await zz.nothing_written(submission.check(zz.ports, me))
    assert gaps == [CHALCO_MEDAL_OPEN] and blocking(gaps) == []

    # Not without saying so, and not for places other than those the clerk was shown.
    assert await zz.nothing_written(submission.submit(zz.ports, me)) == [CHALCO_MEDAL_OPEN]
    assert await zz.nothing_written(submission.submit(zz.ports, me, places_digest([CHALCO_PIONEER_OPEN]))) == gaps

    assert await zz.once(submission.submit(zz.ports, me, places_digest(given_up(gaps)))) == []
    state = await zz.nothing_written(queries.unit_state(zz.ports, office, CHALCO))
    assert state.submitted_at == zz.clock.now and state.given_up == (CHALCO_MEDAL_OPEN,)

    await zz.once(review.reopen(zz.ports, office, CHALCO))  # open again: nothing is given up any more
    assert (await zz.nothing_written(queries.unit_state(zz.ports, office, CHALCO))).given_up == ()


async def test_a_missing_alternate_is_never_given_up(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 310)
    head = await zz.saved(me, "medal", person(24, "企业负责人"))
    gaps = await zz.nothing_written(submission.check(zz.ports, me))
    (alternate_missing,) = blocking(gaps)
    assert isinstance(alternate_missing, AlternateMissing) and alternate_missing.nominee == head.id
    assert await zz.nothing_written(submission.submit(zz.ports, me, places_digest(given_up(gaps)))) == gaps


async def test_a_closed_list_is_said_before_anything_is_checked(zz: World) -> None:
    me = await zz.clerk(CHALCO, 311)
    saved = await zz.saved(me, "medal", person(25, "一线产业工人"))
    zz.clock.now = datetime(2024, 3, 21, 2, 0, tzinfo=UTC)  # the day after the deadline
    closed = await zz.rejected(submission.check(zz.ports, me))
    assert isinstance(closed, UnitClosed) and closed.deadline.isoformat() == "2024-03-20"
    assert await zz.rejected(nominees.entry_open(zz.ports, me)) == closed
    assert await zz.rejected(nominees.editable(zz.ports, me, saved.id)) == closed
