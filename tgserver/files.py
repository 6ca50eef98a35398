"""The files the server holds and how uploaded bytes become one.

:class:`StoredFile` keeps the bytes and gives their Telegram shapes (``PhotoSize`` list,
``Document``, ``File``); :func:`new_file` makes one from an upload (Pillow reads a photo's size).
"""

from __future__ import annotations

import io
import mimetypes
import secrets
from dataclasses import dataclass

from PIL import Image

from .wire import JSON, bad_request


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)

    def photo_sizes(self) -> list[JSON]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width or 0,
                "height": self.height or 0,
                "file_size": self.file_size,
            }
        ]

    def document_dict(self) -> JSON:
        d: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            d["file_name"] = self.file_name
        if self.mime_type:
            d["mime_type"] = self.mime_type
        d["file_size"] = self.file_size
        return d

    def file_dict(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def info(self) -> JSON:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "file_path": self.file_path,
        }


def image_info(data: bytes) -> tuple[int, int, str] | None:
    """(width, height, format) read with Pillow (header only), or ``None`` if not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return width, height, (image.format or "").lower()
    except Exception:
        return None


_EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "bmp": "bmp", "tiff": "tif"}


def new_file(n: int, data: bytes, kind: str, *, file_name: str | None, mime_type: str | None) -> StoredFile:
    """The server's ``n``-th file: ``data`` as a ``"photo"`` or ``"document"``, with Telegram-like ids and path.

    A photo must be a decodable image of Telegram's proportions (400 ``IMAGE_PROCESS_FAILED`` /
    ``PHOTO_INVALID_DIMENSIONS`` otherwise); a document's MIME type is guessed from its name when
    the upload gave none (or only ``application/octet-stream``).
    """
    width = height = None
    if kind == "photo":
        info = image_info(data)
        if info is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height, fmt = info
        if width + height > 10000 or width / max(height, 1) > 20 or height / max(width, 1) > 20:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        ext = _EXTENSIONS.get(fmt, "jpg")
        path = f"photos/file_{n}.{ext}"
        file_id = f"AgACAgIAAxkBAAI{n:06d}{secrets.token_urlsafe(18)}"
        mime_type = mime_type or mimetypes.guess_type(path)[0]
    else:
        if file_name and (mime_type is None or mime_type == "application/octet-stream"):
            mime_type = mimetypes.guess_type(file_name)[0] or mime_type
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1][:16]
        path = f"documents/file_{n}{ext}"
        file_id = f"BQACAgIAAxkBAAI{n:06d}{secrets.token_urlsafe(18)}"
    return StoredFile(
        file_id=file_id,
        file_unique_id=f"AQAD{n:06d}{secrets.token_hex(3)}",
        kind=kind,
        data=data,
        file_path=path,
        file_name=file_name if kind == "document" else None,
        mime_type=mime_type if kind == "document" else None,
        width=width,
        height=height,
    )
