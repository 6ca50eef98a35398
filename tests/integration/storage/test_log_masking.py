"""No ID number or mobile number in any log line, even when the database itself quotes one."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import campaigns, nominees
from app.ports import Ports
from bot.logging import MaskPersonalData, mask_personal, setup_logging
from core.idcard import make_id_number
from core.refusals import Duplicate
from tests.nominees import person

from .helpers import clerk

ID = make_id_number("410105", date(1986, 7, 15), 123, female=False)
ID_X = next(
    n for seq in range(500) if (n := make_id_number("410105", date(1990, 1, 1), seq, female=True)).endswith("X")
)
MOBILE = "13912345678"


def test_mask_personal() -> None:
    assert mask_personal(f"id {ID} ok") == f"id {ID[:4]}************** ok"
    assert ID_X not in mask_personal(f"key=id:{ID_X}xyz") and ID_X.lower() not in mask_personal(ID_X.lower())
    assert mask_personal(f"tel:{MOBILE}, +86 {MOBILE}") == "tel:139****5678, +86 139****5678"
    assert mask_personal("tel:+852-91234567, +886-912345678") == "tel:+852-****4567, +886-*****5678"
    assert mask_personal("order 1234567890123 and 2024-03-20") == "order 1234567890123 and 2024-03-20"
    assert ID not in mask_personal(f"glued{ID}1234")  # inside a longer run of digits as well
    assert mask_personal("４１０１０５１９８６０７１５１２３４") != "４１０１０５１９８６０７１５１２３４"  # full-width


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every record at DEBUG, SQLAlchemy's engine log included, through setup_logging's filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    old_filters = {h: list(h.filters) for h in root.handlers}
    root.addHandler(handler)
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_logger.setLevel(logging.DEBUG)  # statements, parameters (hidden anyway) and rows
    setup_logging(logging.DEBUG)
    assert any(isinstance(f, MaskPersonalData) for f in handler.filters)
    try:
        yield stream
    finally:
        engine_logger.setLevel(logging.WARNING)
        root.removeHandler(handler)
        root.setLevel(old_level)
        for other, filters in old_filters.items():  # the other tests' handlers as they were
            other.filters[:] = filters
        logging.captureWarnings(False)


async def test_database_errors_with_an_id_number_leave_no_trace_in_the_logs(
    engine: AsyncEngine, ports: Ports, captured: io.StringIO
) -> None:
    log = logging.getLogger("nominee.test")
    await campaigns.ensure_builtin(ports, "zhengzhou-2024")
    me = await clerk(ports, "zhengzhou-2024", "金水区", 1)

    # 1. A unique violation whose key is the ID number, spelled out in the statement: PostgreSQL
    #    repeats it in its DETAIL line, SQLite in the statement SQLAlchemy quotes.
    insert = text(
        "INSERT INTO invites (code_hash, campaign_id, role, created_at, expires_at) "
        f"VALUES ('{ID}', 'zhengzhou-2024', 'office', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    async with engine.begin() as conn:
        await conn.execute(insert)
    with pytest.raises(DBAPIError) as caught:
        async with engine.begin() as conn:
            await conn.execute(insert)
    assert ID in str(caught.value)  # the raw error does carry it...
    log.error("could not create invite", exc_info=caught.value)  # ...the log line must not

    # 2. A malformed statement with the ID number and a mobile number in it.
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"SELECT * FROM nominees WHERE identity = {ID_X} AND phone = {MOBILE}"))
    except DBAPIError:
        log.exception("bad query for %s (%s)", ID_X, MOBILE)

    # 3. The same person saved twice through the use case: bound parameters, hidden by the engine.
    first = (await nominees.save(ports, me, "medal", person(1, "一线产业工人", id_number=ID, phone=MOBILE))).nominee
    assert first is not None
    answers = person(2, "一线产业工人", id_number=ID, phone=MOBILE)
    again = await nominees.save(ports, me, "medal", answers)
    assert again.refusals == (Duplicate("金水区", "medal", first.id),)
    log.warning("refused %r: %r", again, answers)  # a careless log of everything the clerk typed
    log.debug("stack", stack_info=True)

    lines = captured.getvalue()
    assert "sqlalchemy.engine" in lines and "INSERT INTO invites" in lines  # the engine log was captured
    assert f"{ID[:4]}**************" in lines  # and the masked form shows where it was
    for secret in (ID, ID_X, MOBILE):
        assert secret not in lines, f"{secret[:4]}… leaked into the log"
