"""When the server itself fails in the middle of a step.

The bot's data directory loses its photo store (a disk error) just as a clerk sends the photo:
the clerk gets the short apology in their own language, not silence; the draft keeps every
answer; once the disk is back the same photo continues the form. The error is logged — without
the clerk's personal data.
"""

from __future__ import annotations

import shutil

import pytest

from core.loader import builtin_text
from tests.e2e.conftest import HANGKONGGANG, ZHENGZHOU, BotStack, Clerk, medal_answers
from tests.nominees import PHOTO, id_number

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"


async def send_photo_while_the_disk_fails(stack: BotStack, clerk: Clerk) -> None:
    """The photo store is a plain file while the clerk sends the photo (every write below it
    fails); the clerk may be told of an internal error this once."""
    files = stack.data_dir / "files"
    if files.exists():
        shutil.rmtree(files)
    files.write_text("not a directory")
    stack.errors_expected = True  # the bot logs this failure; the module's ID number check still runs
    clerk.apology_expected = True
    try:
        await clerk.send_photo(PHOTO)
    finally:
        files.unlink()
        clerk.apology_expected = False


async def test_a_disk_error_at_the_photo_gets_an_apology_and_the_draft_waits(stack: BotStack) -> None:
    clerk = await stack.clerk(400101, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    answers = medal_answers("秦立新", id_number(4101))
    await clerk.fill(answers, until="photo")
    where = clerk.progress

    await send_photo_while_the_disk_fails(stack, clerk)
    clerk.expect("系统出现异常", "已填写的内容均已保存")
    assert "Traceback" in stack.log_text() and "NotADirectoryError" in stack.log_text()

    await clerk.say("/new")
    await clerk.tap("继续填写")
    assert clerk.progress == where  # the photo question again, every earlier answer kept
    await clerk.send_photo(PHOTO)
    await clerk.fill(answers)
    clerk.expect("姓名：秦立新")
    await clerk.tap("✔ 确认保存")
    clerk.expect("秦立新 · 郑州市五一劳动奖章。")


async def test_the_apology_speaks_the_clerks_chosen_language(stack: BotStack) -> None:
    clerk = await stack.clerk(400102, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    await clerk.fill(medal_answers("李明", id_number(4102)), until="photo")
    await clerk.say("/lang")
    await clerk.tap("English")
    await clerk.say("/new")
    await clerk.tap("Continue")
    clerk.expect("Photo")

    await send_photo_while_the_disk_fails(stack, clerk)
    clerk.expect("Sorry, something went wrong on our side. Your answers so far are saved")


async def test_a_unit_dropped_from_the_allocation_is_told_to_contact_the_office(stack: BotStack) -> None:
    """The office reloads the definition with 郑东新区's places under another unit's name (it had
    no nominee yet): its clerk, in the middle of /new, is told why nothing can be entered — not an
    error code."""
    clerk = await stack.clerk(400103, "郑东新区")
    await clerk.say("/new")
    text = builtin_text(ZHENGZHOU)
    assert text.count('name = "郑东新区"') == 1
    await stack.load_campaign(text.replace('name = "郑东新区"', 'name = "郑东新区（新）"'))
    await clerk.say("/quota")
    clerk.expect("本单位不在（或已不在）本次评选的名额分配之列，请与办公室联系。")
    await clerk.tap("郑州市五一劳动奖章")
    clerk.expect("本单位不在（或已不在）本次评选的名额分配之列，请与办公室联系。")
