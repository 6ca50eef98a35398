"""The broadcast's pace (bot.session.Pacer) with a controlled clock: never more than 30 sends in
any 1.02 s, one a second per chat, a flood wait holds everything — and a late wake-up costs
nothing afterwards."""

from __future__ import annotations

import asyncio

from bot.session import Pacer


class Time:
    def __init__(self) -> None:
        self.now = 0.0
        self.late = 0.0  # every sleep wakes this much late, as a busy event loop does

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late


def at_most(moments: list[float], count: int, span: float) -> bool:
    return all(sum(1 for u in moments if t <= u < t + span) <= count for t in moments)


async def sends(pacer: Pacer, t: Time, chats: list[int]) -> list[float]:
    moments = []
    for chat in chats:
        await pacer.slot(chat)
        moments.append(t.now)
    return moments


async def test_thirty_in_any_window_and_the_round_keeps_thirty_a_second_even_when_woken_late() -> None:
    t = Time()
    t.late = 0.003
    moments = await sends(Pacer(clock=t.clock, sleep=t.sleep), t, list(range(300)))
    assert at_most(moments, 30, 1.02)
    assert 9.5 <= moments[-1] <= 10.3  # 300 messages: ten windows of 1.02 s, not 300 × (1/30 s + 3 ms) = 11 s


async def test_one_a_second_per_chat_and_a_flood_wait_holds_every_slot() -> None:
    t = Time()
    pacer = Pacer(clock=t.clock, sleep=t.sleep)
    moments = await sends(pacer, t, [7, 7, 7])
    assert [round(m, 3) for m in moments] == [0.0, 1.0, 2.0]
    pacer.hold(5.0)
    [after] = await sends(pacer, t, [8])
    assert after >= 7.0


class YieldingTime(Time):
    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0)  # the others run meanwhile, as they would while a real sleep waits


async def test_concurrent_senders_take_slots_one_at_a_time() -> None:
    t = YieldingTime()
    pacer = Pacer(rate=10, clock=t.clock, sleep=t.sleep)
    moments: list[float] = []
    order: list[int] = []

    async def one(chat: int) -> None:
        await pacer.slot(chat)
        moments.append(t.now)
        order.append(chat)

    await asyncio.gather(*(one(c) for c in range(40)))
    assert order == list(range(40))  # first come, first served
    assert at_most(sorted(moments), 10, 1.02)
