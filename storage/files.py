"""Files (:class:`app.ports.Files`): uploaded bytes on disk under ``files_dir``, stored once per
content (the SHA-256 is the reference answers keep), with a ``files`` row each.

A file is written under a temporary name of its own and renamed into place, so a reader never
sees half a file and two clerks sending the same photo at the same moment both keep it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from core.records import StoredFile
from storage.db import Database
from storage.models import FileRow

_INSERT = {
    "sqlite": sqlite.insert(FileRow).on_conflict_do_nothing(index_elements=["sha256"]),
    "postgresql": postgresql.insert(FileRow).on_conflict_do_nothing(index_elements=["sha256"]),
}
_GET = select(
    FileRow.sha256, FileRow.size, FileRow.mime, FileRow.filename, FileRow.path, FileRow.uploaded_by, FileRow.uploaded_at
).where(FileRow.sha256 == bindparam("ref"))


def _store(files_dir: Path, data: bytes) -> tuple[str, str]:
    """(the content's SHA-256, its path under ``files_dir``): written once, atomically."""
    ref = hashlib.sha256(data).hexdigest()
    rel = f"{ref[:2]}/{ref}"
    path = files_dir / rel
    if path.exists() and path.stat().st_size == len(data):
        return ref, rel
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return ref, rel


class DiskFiles:
    def __init__(self, db: Database, files_dir: Path) -> None:
        self._db = db
        self.files_dir = files_dir
        self._insert = _INSERT[db.engine.dialect.name]

    async def put(self, data: bytes, mime: str, filename: str, uploaded_by: int, at: datetime) -> str:
        """Hashing and writing run outside the event loop (a photo is megabytes). Raises OSError when
        the disk refuses; the row is written only after the file is in place."""
        ref, rel = await self._db.blocking(_store, self.files_dir, data)
        values = {
            "sha256": ref,
            "size": len(data),
            "mime": mime,
            "filename": filename,
            "path": rel,
            "uploaded_by": uploaded_by,
            "uploaded_at": at,
        }
        async with self._db.single(write=True) as conn:
            await conn.execute(self._insert, values)
        return ref

    async def _row(self, ref: str) -> tuple[StoredFile, str] | None:
        async with self._db.single(write=False) as conn:
            row = (await conn.execute(_GET, {"ref": ref})).first()
        if row is None:
            return None
        return StoredFile(row.sha256, row.size, row.mime, row.filename, row.uploaded_by, row.uploaded_at), row.path

    async def get(self, ref: str) -> StoredFile | None:
        found = await self._row(ref)
        return None if found is None else found[0]

    async def read(self, ref: str) -> bytes | None:
        """The stored bytes (None for an unknown reference; OSError when the file is gone)."""
        found = await self._row(ref)
        return None if found is None else await self._db.blocking((self.files_dir / found[1]).read_bytes)


__all__ = ["DiskFiles"]
