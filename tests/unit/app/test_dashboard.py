"""The office's dashboard read in one transaction: what the office is shown, and a clerk refused."""

from __future__ import annotations

from app import dashboard, review, submission
from core.refusals import OfficeOnly
from tests.nominees import person, team

from .story import CHALCO, World


async def test_the_office_reads_the_campaign_as_it_stands(zz: World) -> None:
    chalco = await zz.clerk(CHALCO, 1201)
    worker = await zz.saved(chalco, "medal", person(1201, "一线产业工人"))
    pioneer = await zz.saved(chalco, "pioneer", team(1201))
    assert await zz.once(submission.submit(zz.ports, chalco)) == []
    jinshui = await zz.clerk("金水区", 1202)
    head = await zz.saved(jinshui, "medal", person(1202, "企业负责人"))
    await zz.saved(jinshui, "medal", person(1203, "一线产业工人"), alternate_for=head.id)  # holds no place
    office = await zz.office(1204)
    for nominee in (worker, pioneer):
        await zz.once(review.review(zz.ports, office, nominee.id, "accept"))

    board = await zz.nothing_written(dashboard.board(zz.ports, office))
    assert dict(board.phases) == {"not_started": 35, "in_progress": 1, "submitted": 0, "accepted": 1}
    medal = next(a for a in board.awards if a.key == "medal")
    assert medal.standing.count == 2  # the alternate takes no place
    props = {p.key: p for p in medal.proportions}
    assert (props["medal_head"].count, props["medal_industrial"].count) == (1, 1)
    assert {s.limit.key: s.used for s in medal.limits}["pool:enterprise_head"] == 1
    assert [r.name for r in board.units][:2] == ["航空港经济综合试验区", "郑东新区"]  # the table's order


async def test_a_clerk_is_refused_the_dashboard(zz: World) -> None:
    clerk = await zz.clerk("金水区", 1301)
    assert await zz.rejected(dashboard.board(zz.ports, clerk)) == OfficeOnly()
