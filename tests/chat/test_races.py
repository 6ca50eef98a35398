"""Updates handled at the same moment, as the polling bot handles them (each in its own task):
two clerks of one unit confirming for its last place, and one clerk tapping confirm twice."""

from __future__ import annotations

import asyncio

from tests.chat.chat import Harness
from tests.chat.people import medal
from tests.chat.session import said_in
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
OUTDATED = "此消息已过期，请在最新的消息中操作。"


async def test_two_clerks_confirm_at_once_for_the_last_place_and_exactly_one_is_saved(bot: Harness) -> None:
    first, second = await bot.clerk(13001, "长铝公司"), await bot.clerk(13002, "长铝公司")  # 奖章 1
    for clerk, name in ((first, "杨铝甲"), (second, "杨铝乙")):
        await clerk.command("/new")
        await clerk.tap(MEDAL)
        await clerk.fill(medal(name, id_number(clerk.tg_id)))

    replies = await asyncio.gather(first.tap("✔ 确认保存"), second.tap("✔ 确认保存"))

    saved = [r for r in replies if "已保存：#" in r.text]
    refused = [r for r in replies if "未保存。" in r.text]
    assert len(saved) == 1 and len(refused) == 1, [r.text for r in replies]
    refused[0].expect("郑州市五一劳动奖章：本单位 1 个名额已全部占用。", "请核对填报信息")
    (await first.command("/quota")).expect("郑州市五一劳动奖章：已用 1/1，剩余 0 个")


async def test_a_confirm_tapped_twice_at_once_saves_once(bot: Harness) -> None:
    clerk = await bot.clerk(13101, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("韩梅", id_number(13101, female=True)))
    card = clerk.keyboard_message()
    confirm = card.button("确认保存").data
    assert confirm is not None
    twin = bot.chat(clerk.tg_id)  # the same user's second tap, delivered while the first is handled
    said_before = len(bot.session.said)

    await asyncio.gather(clerk.press(card, confirm), twin.press(card, confirm))

    said = said_in(bot.session.said[said_before:], clerk.tg_id)
    assert sorted(s.text for s in said if s.kind == "answer") == ["正在核验并保存…", OUTDATED]
    assert sum("韩梅 · 郑州市五一劳动奖章。" in s.text for s in said if s.kind != "answer") == 1
    await clerk.command("/list")
    assert clerk.text.count("韩梅") == 1
