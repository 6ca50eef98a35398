"""The half-typed nominee kept at every step, the uploaded files, and reminders sent once."""

from __future__ import annotations

from app import drafts, reminders
from core.records import Draft, StoredFile
from core.refusals import FileTooLarge

from .story import AIRPORT, ZZ, World


async def test_a_draft_is_kept_at_every_step_until_it_is_dropped(zz: World) -> None:
    assert await drafts.load(zz.ports, 1501) is None
    first = Draft(1501, ZZ, "medal", {"category": "农民工", "name": "李四"}, step="id_number", in_summary=True)
    await drafts.save(zz.ports, first)
    zz.clock.advance(minutes=3)
    await drafts.save(zz.ports, Draft(1501, ZZ, "medal", {**first.answers, "ethnicity": "回族"}, step="political"))

    loaded = await drafts.load(zz.ports, 1501)
    assert loaded is not None
    assert (loaded.step, loaded.in_summary, loaded.answers["ethnicity"]) == ("political", False, "回族")
    assert loaded.updated_at == zz.clock.now
    await drafts.drop(zz.ports, 1501)
    assert await drafts.load(zz.ports, 1501) is None
    assert zz.db.commits == 1  # the campaign's load: drafts are outside the transactions


async def test_a_draft_keeps_exactly_what_will_be_read_back(zz: World) -> None:
    await drafts.save(zz.ports, Draft(1502, ZZ, "medal", {"staff_count": 12, "choices": ("甲", "乙")}))
    loaded = await drafts.load(zz.ports, 1502)
    assert loaded is not None and loaded.answers == {"staff_count": 12, "choices": ["甲", "乙"]}


async def test_a_file_is_stored_once_per_content(zz: World) -> None:
    photo = b"\xff\xd8jpeg bytes"
    ref = await drafts.store_file(zz.ports, photo, "image/jpeg", "照片.jpg", 1501)
    assert ref == await drafts.store_file(zz.ports, photo, "image/jpeg", "again.jpg", 1502)
    assert await drafts.stored_file(zz.ports, ref) == StoredFile(
        ref, len(photo), "image/jpeg", "照片.jpg", 1501, zz.clock.now
    )
    long_name = "很长的文件名" * 60 + ".jpg"
    other = await drafts.store_file(zz.ports, b"\xff\xd8other", "image/jpeg; " + "x" * 200, long_name, 1503)
    stored = await drafts.stored_file(zz.ports, other)
    assert stored is not None and len(stored.mime) == 100 and stored.filename == long_name[:255]
    assert await drafts.stored_file(zz.ports, "0" * 64) is None


async def test_a_file_over_the_limit_is_refused_with_its_size(zz: World) -> None:
    too_big = bytes(drafts.MAX_FILE_BYTES + 1)
    problem = await zz.rejected(drafts.store_file(zz.ports, too_big, "image/jpeg", "big.jpg", 1501))
    assert problem == FileTooLarge(max_bytes=20 * 1024 * 1024, size=20 * 1024 * 1024 + 1)
    assert zz.files.blobs == {}
    # Exactly at the limit is accepted.
    await drafts.store_file(zz.ports, too_big[:-1], "image/jpeg", "big.jpg", 1501)


async def test_a_reminder_is_claimed_once_per_stage_kind_and_chat(zz: World) -> None:
    assert await zz.once(reminders.claim(zz.ports, ZZ, AIRPORT, "initial", "3d", 1501))
    assert not await zz.once(reminders.claim(zz.ports, ZZ, AIRPORT, "initial", "3d", 1501))
    assert await zz.once(reminders.claim(zz.ports, ZZ, AIRPORT, "initial", "1d", 1501))
    assert await zz.once(reminders.claim(zz.ports, ZZ, AIRPORT, "initial", "3d", 1502))
