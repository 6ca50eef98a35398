"""Logging that never writes personal data: ID numbers and mobile numbers are masked.

The filter sits on the *handlers* of the root logger (a filter on a logger would not see the
records of its children, e.g. ``sqlalchemy.engine`` or ``aiogram``). It rewrites the message
with its arguments already merged, the exception text and the stack text, so whatever a
formatter later prints has been masked. Database drivers put offending values into their
error messages (PostgreSQL's ``DETAIL: Key (...)=(...)``), so masking the exception text matters
as much as masking the message.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO

# An ID number anywhere, even glued to other text or digits (over-masking a long number is fine).
_ID = re.compile(r"[0-9０-９]{17}[0-9０-９XxＸｘ]")
# A mainland mobile number, optionally with the 86 country code, not part of a longer number.
_MOBILE = re.compile(r"(?<![0-9０-９])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9０-９])")
# A Hong Kong, Macao or Taiwan number as core.phone writes it: +852-91234567, +886-912345678.
_ABROAD = re.compile(r"\+(?:852|853|886)-[0-9]{4,5}(?=[0-9]{4}(?![0-9]))")


def mask_personal(text: str) -> str:
    """Keeps the first four characters of an ID number (as core.idcard.mask_id: a careless log
    of the answers prints the sex and birth date beside it, and the last four would give the
    number away), the first three and last four digits of a mainland mobile and the last four of
    a Hong Kong, Macao or Taiwan number."""
    text = _ID.sub(lambda m: m.group()[:4] + "*" * 14, text)
    text = _ABROAD.sub(lambda m: m.group()[:5] + "*" * (len(m.group()) - 5), text)
    return _MOBILE.sub(lambda m: m.group()[:-8] + "****" + m.group()[-4:], text)


class MaskPersonalData(logging.Filter):
    """Masks the message, its arguments, the exception and the stack text of every record."""

    def __init__(self) -> None:
        super().__init__("mask-personal-data")
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record; show it unformatted
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = mask_personal(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or self._formatter.formatException(record.exc_info)
            record.exc_text = mask_personal(text)
            # The traceback object still holds the raw values; formatters print exc_text instead.
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal(record.stack_info)
        return True


def install_filter(handler: logging.Handler) -> None:
    if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
        handler.addFilter(MaskPersonalData())


def setup_logging(level: int | str = logging.INFO, stream: IO[str] | None = None) -> None:
    """Configures the root logger (once) and puts the masking filter on every root handler."""
    root = logging.getLogger()
    if not root.handlers:
        stream_handler = logging.StreamHandler(stream or sys.stderr)
        stream_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream_handler)
    root.setLevel(level)
    for handler in root.handlers:
        install_filter(handler)
    # Records created while warnings are routed through logging go the same way.
    logging.captureWarnings(True)


__all__ = ["MaskPersonalData", "install_filter", "mask_personal", "setup_logging"]
