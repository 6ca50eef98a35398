"""When the server itself fails in the middle of a step.

The bot's data directory loses its photo store (a disk error) just as a clerk sends the photo:
the clerk gets the short apology in their own language, not silence, saying the photo was not
recorded; the draft keeps every earlier answer; once the disk is back the same photo continues
the form. The error is logged — without
the clerk's personal data.
"""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.conftest import HANGKONGGANG, BotStack, Clerk, medal_answers
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
    clerk.expect("系统出现异常", "您刚才发送的内容未能记录", "重新发送")
    assert "Traceback" in stack.log_text() and "NotADirectoryError" in stack.log_text()

    await clerk.say("/new")
    await clerk.tap("继续填写")
    assert clerk.progress == where  # the photo question again, every earlier answer kept
    await clerk.send_photo(PHOTO)
    await clerk.fill(answers)
    clerk.expect("姓名：秦立新")
    await clerk.tap("✔ 确认保存")
    clerk.expect("秦立新 · 郑州市五一劳动奖章。")
