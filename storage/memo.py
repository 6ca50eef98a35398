"""Rows that one process alone writes, kept in memory write-through (the least recently used
dropped): the drafts of the chat (storage.drafts) and aiogram's FSM rows (storage.fsm), read on
every update and written by the same process. Sound only while no other process writes them —
several bot instances use Redis instead, and these caches are off."""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class _Missing(enum.Enum):
    MISSING = enum.auto()


MISSING = _Missing.MISSING  # not in memory (a remembered value may itself be None: "no row")


class WriteThrough(Generic[K, V]):
    """At most ``size`` rows (0: none). A read remembers what it found only when no write of this
    process ran meanwhile (``writes`` before, ``remember_read`` after): it may have seen the row
    as it was before that write."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.writes = 0
        self._rows: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | _Missing:
        found = self._rows.get(key, MISSING)
        if found is not MISSING:
            self._rows.move_to_end(key)
        return found

    def remember(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        self._rows[key] = value
        self._rows.move_to_end(key)
        if len(self._rows) > self.size:
            self._rows.popitem(last=False)

    def remember_read(self, writes: int, key: K, value: V) -> None:
        """``value`` read from the database after ``writes`` was taken."""
        if writes == self.writes:
            self.remember(key, value)

    @contextmanager
    def writing(self, key: K) -> Iterator[None]:
        """Around a write of ``key``: memory holds nothing for it until the caller remembers the
        committed value (an exception leaves it to the next read), and reads that overlapped the
        write are not remembered."""
        self.begin(key)
        try:
            yield
        finally:
            self.writes += 1

    def begin(self, key: K) -> None:
        """A write of ``key`` has begun (maybe inside a longer transaction): forget it, and keep
        reads from remembering what they see until :meth:`end`."""
        self.writes += 1
        self._rows.pop(key, None)

    def end(self, key: K) -> None:
        """A write begun has committed or rolled back: memory holds nothing for ``key`` (a read
        meanwhile may have remembered the row as it was before), the next read fetches it."""
        self.writes += 1
        self._rows.pop(key, None)


__all__ = ["MISSING", "WriteThrough"]
