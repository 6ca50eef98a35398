"""Whether the clerk saw what their last answer led to.

A handler stores first (the draft moves on, a nominee is saved) and shows the next screen after.
When showing fails for good (Telegram unreachable after every retry, or a fault while the screen
is built), the draft has moved on to a question the clerk never saw: their next text must not be
taken as its answer. :class:`Deliveries` remembers, per user, a change stored whose screen has
not arrived; the error handler reads it to tell the truth (recorded or not), and the next message
shows the current step again instead of being taken as an answer.

Kept in memory per bot process, like :class:`handlers.paste.PasteGuard`: after a restart every
draft is offered again first anyway (``handlers.steps.is_stale``).
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, TelegramObject, Update

REMEMBERED = 10_000  # users remembered at most (only a failure leaves an entry behind)

EventKey = tuple[str, int | str]


def event_key(event: TelegramObject | None) -> EventKey | None:
    """Names one incoming message or button press (the same for the handler's event and the
    error handler's update)."""
    match event:
        case Message():
            return ("message", event.message_id)
        case CallbackQuery():
            return ("press", event.id)
        case Update():
            return event_key(event.message or event.edited_message or event.callback_query)
    return None


class Deliveries:
    """One per Dispatcher (``Turn.deliveries``)."""

    def __init__(self) -> None:
        self._pending: dict[int, EventKey | None] = {}  # user → the event whose change is stored, unseen

    def recorded(self, user: int, event: TelegramObject) -> None:
        """``event`` changed what is stored for ``user``; its screen is not shown yet."""
        if len(self._pending) > REMEMBERED:
            self._pending.clear()
        self._pending[user] = event_key(event)

    def delivered(self, user: int) -> None:
        """``user`` has the current screen in front of them."""
        self._pending.pop(user, None)

    def undelivered(self, user: int) -> bool:
        """A change of ``user``'s is stored whose screen never arrived."""
        return user in self._pending

    def recorded_by(self, user: int, update: Update) -> bool:
        """True when ``update`` itself stored its change before it failed (then its screen is
        what is missing)."""
        key = event_key(update)
        return key is not None and self._pending.get(user) == key


__all__ = ["Deliveries", "event_key"]
