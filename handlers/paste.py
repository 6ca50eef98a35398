"""The rest of an over-long paste is not an answer.

Telegram carries at most 4,096 characters a message: a client sends a longer paste as several
messages at once. After an over-long text is refused, what follows within :attr:`PasteGuard.window`
seconds (by the messages' own send times, which Telegram gives to the second) is its rest — the
904 characters after 4,096 would otherwise pass as the deeds. Kept in memory per bot process.
"""

from __future__ import annotations

from datetime import datetime

from core.errors import AnswerProblem, TextTooLong

SPLIT_AT = 4000  # a part at least this long is a full part of a split paste: more may follow
WINDOW = 2.0  # seconds between the parts' send times
REMEMBERED = 10_000  # users remembered at most (only the last few seconds matter)


class PasteGuard:
    """One per Dispatcher (handlers ask for ``paste``)."""

    def __init__(self, window: float = WINDOW, split_at: int = SPLIT_AT) -> None:
        self.window = window
        self.split_at = split_at
        self._last: dict[int, float] = {}  # user → send time of the last part refused

    def is_rest(self, user: int, sent: datetime, text: str) -> bool:
        """True for a part that follows a refused over-long text of the same paste."""
        at = sent.timestamp()
        last = self._last.pop(user, None)
        if last is None or not 0 <= at - last <= self.window:
            return False
        if len(text) >= self.split_at:
            self._last[user] = at  # a middle part: more follows
        return True

    def refused(self, user: int, sent: datetime, text: str, problem: AnswerProblem) -> None:
        """An answer was refused: when it was a full part of a paste, its rest may follow."""
        if isinstance(problem, TextTooLong) and len(text) >= self.split_at:
            if len(self._last) > REMEMBERED:
                self._last.clear()
            self._last[user] = sent.timestamp()


__all__ = ["PasteGuard"]
