"""The office's /dashboard: where the campaign stands, in pages (◀ ▶, read afresh at each press)
and as two pictures (every unit's fill; each proportion against its target)."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from app import dashboard as use
from charts.spec import Panel
from core.dashboard import Dashboard
from core.refusals import OfficeOnly, Rejected
from handlers import dashboard_texts, keyboards
from handlers.callbacks import DashCb
from handlers.common import Turn, show
from handlers.i18n import _


async def board(turn: Turn) -> Dashboard | None:
    """The dashboard; a clerk is told why not (None)."""
    try:
        return await use.board(turn.ports, turn.user)
    except Rejected as refused:
        if not isinstance(refused.problem, OfficeOnly):
            raise
        text = _(
            "/dashboard is for the office staff: it shows every unit of the campaign. "
            "Your unit's places: /quota; its list: /list."
        )
        await show(turn.event, text, edit=False)
        return None


def draw(panels: list[Panel]) -> list[bytes]:
    """In a worker thread: matplotlib is imported with the first picture, not at the bot's start."""
    from charts.dashboard import pictures

    return pictures(panels)


async def dashboard(message: Message, turn: Turn) -> None:
    found = await board(turn)
    if found is None:
        return
    pages = dashboard_texts.pages(turn.campaign, found, turn.now)
    await message.answer(pages[0], reply_markup=keyboards.dashboard_keyboard(0, len(pages)))
    panels = dashboard_texts.panels(turn.campaign, found)  # translated here, drawn in a thread
    for panel, png in zip(panels, await asyncio.to_thread(draw, panels), strict=True):
        await message.answer_photo(BufferedInputFile(png, "dashboard.png"), caption=panel.title)


async def page(query: CallbackQuery, callback_data: DashCb, turn: Turn) -> None:
    await query.answer()
    found = await board(turn)
    if found is None:
        return
    pages = dashboard_texts.pages(turn.campaign, found, turn.now)
    at = min(callback_data.page, len(pages) - 1)
    await show(turn.event, pages[at], keyboards.dashboard_keyboard(at, len(pages)))


def setup() -> Router:
    router = Router(name="dashboard")
    router.message.register(dashboard, Command("dashboard"))
    router.callback_query.register(page, DashCb.filter())
    return router


__all__ = ["setup"]
