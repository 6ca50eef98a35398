"""The real `nominee-bot run` runs the reminder scheduler: the office dates Zhengzhou's second
review with /deadline, the scheduler ticks at once — the clerk gets the date notice and the
reminder of the first deadline it had not had yet, the office its summary. Reminders go out by
day only (07:00–21:00 in Shanghai): run at night, the story is skipped with that reason."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import HANGKONGGANG, ZHENGZHOU, BotStack

pytestmark = pytest.mark.asyncio(loop_scope="module")
REMINDERS = "on"


async def texts_until(stack: BotStack, user_id: int, fragment: str, timeout: float = 15.0) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        said = [m.text or "" for m in await stack.sb.messages(user_id)]
        if any(fragment in t for t in said) or asyncio.get_running_loop().time() > deadline:
            return said
        await asyncio.sleep(0.2)


async def test_the_office_dates_the_second_review_and_the_clerk_is_told_and_reminded(stack: BotStack) -> None:
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    if not 7 <= hour < 20:
        pytest.skip(f"it is {hour}:00 in Shanghai: reminders and date notices wait for the morning")
    rc, out, err = await stack.cli("invite", "create", "--campaign", ZHENGZHOU, "--role", "office")
    assert rc == 0, err
    office = await stack.clerk(200001)
    await office.join(out.splitlines()[0])
    await stack.clerk(200002, HANGKONGGANG)  # a clerk of the campaign, to be told and reminded

    await office.say("/deadline")
    await office.tap("报送复审材料 · 另行通知")
    await office.say("2024-05-20 17:00")
    office.expect("是否将“报送复审材料”截止时间设定为2024-05-20 17:00")
    await office.tap("确认")
    office.expect("已设定：报送复审材料截止时间为2024-05-20 17:00。正在通知全部填报人。")

    said = await texts_until(stack, 200002, "时间通知")
    assert any("时间通知：报送复审材料截止时间为2024-05-20 17:00" in t for t in said), said
    said = await texts_until(stack, 200002, "提醒：报送初审材料")
    assert any("提醒：报送初审材料截止时间为2024-03-20（剩余 5 天）" in t for t in said), said
    summary = await texts_until(stack, 200001, "已提醒")
    assert any("已提醒 1 个单位的 1 名填报人" in t for t in summary), summary
