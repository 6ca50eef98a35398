"""Two clerks racing through the real bot process for the last place of a city-wide pool: exactly
one gets it, the other is told why. (Every other refusal is told in-process: tests/chat/.)

The rest of the city is filled in-process through the use cases, as other clerks would have done;
the clerks under test always work through the real bot process.
"""

from __future__ import annotations

import asyncio

import pytest

from app import queries
from core.records import UserInfo
from tests.e2e.conftest import (
    BotStack,
    Clerk,
    medal_answers,
)
from tests.nominees import id_number

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"
NOT_SAVED = "未保存。"


async def pool_used(stack: BotStack, user: UserInfo, key: str) -> tuple[int, int]:
    quota = await queries.unit_quota(stack.ports, user)
    status = next(p for p in quota.pools if p.limit.key == key)
    return status.used, status.limit.cap


async def fill_pool(stack: BotStack, category: str, key: str, units: list[str], *, leave: int, first_id: int) -> None:
    """Other units take places of a city-wide pool (each with its own free place) until only
    ``leave`` are left."""
    for k, unit in enumerate(units):
        member = await stack.member(first_id + k, unit)
        used, cap = await pool_used(stack, member, key)
        if used >= cap - leave:
            return
        number = id_number(first_id + k)
        stack.ids.add(number)
        await stack.save_in_process(member.tg_id, "medal", medal_answers(f"袁{k}号", number, category))
    used, cap = await pool_used(stack, member, key)
    assert used == cap - leave, "not enough units with a free place for the pool"


# ------------------------------------------------------------------------------ 3. refusals


# ------------------------------------------------------------------------------ 6. submitting


# ------------------------------------------------------------------------------ 8. the race


async def enter_head_to_summary(clerk: Clerk, name: str, number: int) -> None:
    await clerk.start_nominee(MEDAL)
    assert "企业负责人" in clerk.buttons, clerk.buttons
    await clerk.fill(medal_answers(name, id_number(number), "企业负责人"))
    assert clerk.on_summary


async def test_two_clerks_race_for_the_last_place_of_a_city_pool(stack: BotStack) -> None:
    units = ["荥阳市", "新郑市", "中牟县", "二七区", "管城区", "金水区", "市电子信息科技工会", "市农业交通建设工会"]
    await fill_pool(stack, "企业负责人", "pool:enterprise_head", units, leave=1, first_id=2800)

    first = await stack.clerk(200801, "新密市")
    second = await stack.clerk(200802, "市汽车装备制造工会")
    await enter_head_to_summary(first, "甲总", 2810)
    await enter_head_to_summary(second, "乙总", 2811)
    buttons = []
    for clerk in (first, second):
        message = await clerk.keyboard_message()
        assert message.message_id is not None
        _label, data = message.find_button("确认保存")
        assert data is not None
        buttons.append((clerk, message.message_id, data))

    await asyncio.gather(*(clerk.press(message_id, data) for clerk, message_id, data in buttons))

    outcomes = sorted(("已保存：#" in c.text, c.user_id) for c in (first, second))
    assert [won for won, _ in outcomes] == [False, True], [c.text for c in (first, second)]
    loser = first if outcomes[0][1] == first.user_id else second
    loser.expect(NOT_SAVED, "全市“企业负责人”名额（全市共 7 个）已用完，不能再添加此类推荐对象。", "请核对填报信息")
    assert await pool_used(stack, await stack.clerk_info(first.user_id), "pool:enterprise_head") == (7, 7)

    # the loser keeps the draft and may report the person under another category
    await loser.tap("✎ 人员类别")
    assert "✕ 企业负责人" in loser.buttons
    await loser.tap("其他一线职工和专业技术人员")
    loser.expect("请核对填报信息", "人员类别：其他一线职工和专业技术人员")
    await loser.tap("✔ 确认保存")
    loser.expect("郑州市五一劳动奖章。")
