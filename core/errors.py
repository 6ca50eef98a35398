"""Errors the core raises for bad input. They carry a code and parameters, never prose:
the chat, the CLI and the exports phrase them in the user's language."""

from __future__ import annotations

from typing import Any


class FieldError(ValueError):
    """An answer that cannot be accepted. ``code`` is a stable key such as ``"id.checksum"``;
    ``params`` holds the numbers a message needs (limits, lengths, ...)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:  # never includes the rejected value: it may be personal data
        return f"FieldError({self.code!r}, {self.params!r})"
