"""The half-typed nominee (the chat's state, stored at every step) and uploaded files."""

from __future__ import annotations

from dataclasses import replace

from app.ports import Ports, usecase
from app.stored import json_safe
from core.records import Draft, StoredFile
from core.refusals import FileTooLarge, Rejected

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


@usecase
async def load(ports: Ports, tg_id: int) -> Draft | None:
    return await ports.drafts.load(tg_id)


@usecase
async def save(ports: Ports, draft: Draft) -> None:
    """The whole draft in one statement, so a crash loses nothing typed before it."""
    await ports.drafts.save(replace(draft, answers=json_safe(draft.answers), updated_at=ports.clock()))


@usecase
async def drop(ports: Ports, tg_id: int) -> None:
    await ports.drafts.drop(tg_id)


@usecase
async def store_file(ports: Ports, data: bytes, mime: str, filename: str, uploaded_by: int) -> str:
    """Stores the bytes once per content; returns the reference answers keep (its SHA-256)."""
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(FileTooLarge(MAX_FILE_BYTES, len(data)))
    return await ports.files.put(data, mime[:100], filename[:255], uploaded_by, ports.clock())


@usecase
async def stored_file(ports: Ports, ref: str) -> StoredFile | None:
    return await ports.files.get(ref)


__all__ = ["MAX_FILE_BYTES", "drop", "load", "save", "store_file", "stored_file"]
