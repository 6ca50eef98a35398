"""The reminder scheduler: an asyncio task started with the bot, one tick a minute.

Each tick, for every campaign: the reminders due now (core.reminders.due: per stage the latest
whose moment has come, by day, while the stage is open) go to the clerks of unfinished units, and
a stage date the office set or moved goes to every clerk (a date notice). Every (reminder, chat)
is claimed in the database before it is sent (app.reminders), in batches of about a second's
sending, so several bot processes, a restart or a clock jump never send one twice; a crash between
a claim and its send loses that one message (it is listed to the office as not confirmed) rather
than risk a second copy. Sending is paced (bot.session.Pacer: 30 in any 1.02 s overall, one a second
per chat); a flood wait is waited out (bot.session.Retry) and holds the whole round; a 403 (the
clerk blocked the bot) is recorded, not retried. After a round the office gets a summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from app import campaigns, queries, reminders
from app.ports import Ports
from app.reminders import SUMMARY, Notice
from bot.session import Pacer, pacing
from core.campaign import Campaign, Stage
from core.deadlines import closes_at, entry_stage
from core.reminders import Reminder, daytime, due
from handlers import keyboards, reminder_texts

log = logging.getLogger(__name__)

BATCH = 30  # chats claimed at a time: about a second of sending
LOOKBACK = timedelta(days=7)  # after a start, reminders missed this far back are logged as dropped


@dataclass(frozen=True)
class RoundReport:
    """What one round did in this process: chats claimed and their outcomes."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.blocked + self.failed


Render = Callable[[Campaign, Notice], str]


class Rounds:
    """Sends a round — a reminder, a date notice or the office's /remind — to the chats it has not
    reached yet, claiming each before sending; then the office's summary (once, also claimed)."""

    def __init__(self, ports: Ports, bot: Bot, i18n: I18n, pacer: Pacer | None = None, *, concurrency: int = 8) -> None:
        self.ports = ports
        self.bot = bot
        self.i18n = i18n
        self.pacer = pacer or Pacer()
        self.concurrency = concurrency
        self._lock = asyncio.Lock()  # one round at a time per process: the pace is the bot's, not a round's
        self.wake = asyncio.Event()  # set by kick(): the scheduler ticks at once (a date just set)

    def kick(self) -> None:
        self.wake.set()

    def render(self, language: str, fn: Callable[[], str]) -> str:
        with self.i18n.context(), self.i18n.use_locale("en" if language == "en" else "zh"):
            return fn()

    def keyboard(self, language: str) -> InlineKeyboardMarkup:
        with self.i18n.context(), self.i18n.use_locale("en" if language == "en" else "zh"):
            return keyboards.continue_keyboard()

    async def run(
        self,
        campaign_id: str,
        stage: str,
        kind: str,
        render: Render,
        *,
        audience: reminders.Audience = "unfinished",
        unit: str | None = None,
        title: Callable[[Campaign], str] | None = None,
        button: bool = True,
    ) -> RoundReport:
        async with self._lock:
            pending = await reminders.pending(self.ports, campaign_id, stage, kind, audience, unit)
            report = RoundReport()
            # The next batch is claimed and rendered while the one before it is being sent, so the
            # pace never waits for the database (at most two batches are claimed and not yet sent).
            sending: asyncio.Task[dict[int, str]] | None = None
            flying: list[asyncio.Task[dict[int, str]]] = []
            try:
                for start in range(0, len(pending.notices), BATCH):
                    batch = pending.notices[start : start + BATCH]
                    chats = [(n.missing.unit, n.user.tg_id) for n in batch]
                    won = set(await reminders.claim_many(self.ports, campaign_id, stage, kind, chats))
                    outgoing = [
                        (
                            n.user.tg_id,
                            self.render(n.user.language, functools.partial(render, pending.campaign, n)),
                            self.keyboard(n.user.language) if button else None,
                        )
                        for n in batch
                        if n.user.tg_id in won
                    ]
                    task = asyncio.ensure_future(self.send(outgoing))
                    flying.append(task)
                    if sending is not None:
                        report = await self._settle(report, campaign_id, stage, kind, sending)
                    sending = task
                if sending is not None:
                    report = await self._settle(report, campaign_id, stage, kind, sending)
                    sending = None
            finally:  # a round that fails or is cancelled leaves no send behind
                for left in flying:
                    left.cancel()
                await asyncio.gather(*flying, return_exceptions=True)
            if title is not None and (report.claimed or unit is not None or kind.startswith("now/")):
                await self.summarise(pending.campaign, stage, kind, title)
            return report

    async def _settle(
        self, report: RoundReport, campaign_id: str, stage: str, kind: str, task: asyncio.Task[dict[int, str]]
    ) -> RoundReport:
        outcomes = await task
        await reminders.settle(self.ports, campaign_id, stage, kind, list(outcomes.items()))
        return RoundReport(
            report.sent + sum(o == "sent" for o in outcomes.values()),
            report.blocked + sum(o == "blocked" for o in outcomes.values()),
            report.failed + sum(o == "failed" for o in outcomes.values()),
        )

    async def send(self, outgoing: Sequence[tuple[int, str, InlineKeyboardMarkup | None]]) -> dict[int, str]:
        """Sends each message, paced; chat → "sent", "blocked" (403) or "failed"."""
        outcomes: dict[int, str] = {}
        gate = asyncio.Semaphore(self.concurrency)

        async def one(tg_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
            async with gate:
                try:
                    await self.bot.send_message(tg_id, text, reply_markup=markup)
                    outcomes[tg_id] = "sent"
                except TelegramForbiddenError:
                    outcomes[tg_id] = "blocked"
                except TelegramAPIError as err:  # Retry gave up (a long flood wait, 5xx) or a bad request
                    log.warning("a reminder to chat %s failed: %s", tg_id, err)
                    outcomes[tg_id] = "failed"

        token = pacing.set(self.pacer)  # the tasks below copy this context: their sendMessage is paced
        try:
            await asyncio.gather(*(one(*m) for m in outgoing))
        finally:
            pacing.reset(token)
        return outcomes

    async def summarise(self, campaign: Campaign, stage: str, kind: str, title: Callable[[Campaign], str]) -> None:
        offices = await queries.users(self.ports, campaign.id, role="office")
        won = await reminders.claim_many(self.ports, campaign.id, stage, kind, [(SUMMARY, o.tg_id) for o in offices])
        if not won:
            return
        done = await reminders.deliveries(self.ports, campaign.id, stage, kind)
        outgoing = [
            (
                o.tg_id,
                self.render(o.language, lambda: reminder_texts.summary_text(campaign, title(campaign), done)),
                None,
            )
            for o in offices
            if o.tg_id in won
        ]
        outcomes = await self.send(outgoing)
        await reminders.settle(self.ports, campaign.id, stage, kind, list(outcomes.items()))

    # ---------------------------------------------------------------- the three kinds of round

    async def remind(self, campaign: Campaign, r: Reminder, now: datetime) -> RoundReport:
        stage = _stage(campaign, r.stage)

        def render(c: Campaign, n: Notice) -> str:
            return reminder_texts.reminder_text(c, _stage(c, r.stage), n.missing, now)

        def title(c: Campaign) -> str:
            return reminder_texts.round_title(c, stage, r.days_before)

        return await self.run(campaign.id, r.stage, r.kind, render, title=title)

    async def remind_now(self, campaign_id: str, unit: str | None, now: datetime) -> RoundReport:
        """The office's /remind: every unfinished unit, or one."""
        campaign = await campaigns.current(self.ports, campaign_id)
        stage = entry_stage(campaign)
        key = stage.key if stage is not None else "-"
        kind = f"now/{now:%Y-%m-%dT%H:%M:%S}"

        def render(c: Campaign, n: Notice) -> str:
            s = entry_stage(c)
            if s is not None and s.deadline is not None and now < (closes_at(c, s) or now):
                return reminder_texts.reminder_text(c, s, n.missing, now)
            return reminder_texts.manual_text(c, n.missing)

        def title(c: Campaign) -> str:
            return reminder_texts.round_title(c, None, None)

        return await self.run(campaign_id, key, kind, render, unit=unit, title=title)

    async def announce(self, campaign: Campaign, stage: Stage, kind: str) -> RoundReport:
        """A stage's new or moved date, to every clerk of the campaign."""

        def render(c: Campaign, n: Notice) -> str:
            return reminder_texts.date_notice(c, _stage(c, stage.key))

        return await self.run(campaign.id, stage.key, kind, render, audience="all", button=False)


def _stage(campaign: Campaign, key: str) -> Stage:
    return next(s for s in campaign.stages if s.key == key)


class Scheduler:
    """One tick a minute (``interval`` seconds); :meth:`tick` is the whole of a tick, for tests to
    call with their own clock."""

    def __init__(self, ports: Ports, rounds: Rounds, *, interval: float = 60.0) -> None:
        self.ports = ports
        self.rounds = rounds
        self.interval = interval
        self.last: datetime | None = None

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a tick that fails (database away) is tried again next minute
                log.exception("the reminder scheduler's tick failed")
            self.rounds.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.rounds.wake.wait(), self.interval)

    async def tick(self) -> None:
        now = self.ports.clock()
        since = self.last if self.last is not None else now - LOOKBACK
        for info in await campaigns.listed(self.ports):
            campaign = await campaigns.current(self.ports, info.id)
            to_send, dropped = due(campaign, now, since)
            for r in dropped:
                log.info("reminder dropped (no longer useful): %s %s %s at %s", campaign.id, r.stage, r.kind, r.at)
            for r in to_send:
                report = await self.rounds.remind(campaign, r, now)
                if report.claimed:
                    log.info("reminder %s %s %s: %s", campaign.id, r.stage, r.kind, report)
            if daytime(campaign, now):
                await self.announce_dates(campaign, now)
        self.last = now

    async def announce_dates(self, campaign: Campaign, now: datetime) -> None:
        for d in await reminders.stage_dates(self.ports, campaign.id):
            stage = next((s for s in campaign.stages if s.key == d.stage), None)
            closes = None if stage is None else closes_at(campaign, stage)
            if stage is None or closes is None or closes <= now:
                continue
            await self.rounds.announce(campaign, stage, reminders.date_kind(d))


__all__ = ["BATCH", "RoundReport", "Rounds", "Scheduler"]
