"""A request's parameters, however the caller sent them (:func:`read_params` gives :class:`Params`).

The query string, a JSON body, an urlencoded form or a multipart form with uploads (at most
``MAX_UPLOAD_SIZE`` bytes, 413 beyond); the accessors coerce and answer a wrong value with
Telegram's 400 wording. The Bot API methods and the sandbox side both read their input here.

Text that is not UTF-8 is refused at this door, as Telegram refuses it ("strings must be encoded
in UTF-8"): bytes that do not decode, and a lone surrogate that a JSON ``\uDCFF`` escape can
smuggle into a Python string. Such a string could never be written out again, and once queued it
would break every answer that carries it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, hdrs, web

from .wire import JSON, MAX_UPLOAD_SIZE, ApiError, bad_request


@dataclass(slots=True)
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


NOT_UTF8 = "strings must be encoded in UTF-8"


def _is_text(value: str) -> bool:
    """True when ``value`` can be written as UTF-8 (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: Any) -> None:
    """Refuses (400) a string anywhere in ``value`` (JSON: dicts, lists, keys) that is not UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _is_text(item):
                raise bad_request(NOT_UTF8)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Params:
    """Request parameters from the query string, JSON, urlencoded or multipart bodies.

    Form encodings carry every value as a string (aiogram JSON-encodes complex
    values and booleans), so the accessors coerce.
    """

    __slots__ = ("files", "values")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def req_str(self, name: str) -> str:
        value = self.get_str(name, required=True)
        assert value is not None
        return value

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def req_int(self, name: str) -> int:
        value = self.get_int(name, required=True)
        assert value is not None
        return value

    def get_float(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def get_object(self, name: str) -> JSON | None:
        value = self.get_json(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f'field "{name}" must be an Object')
        return value

    def get_list(self, name: str) -> list[Any] | None:
        value = self.get_json(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f'field "{name}" must be an Array')
        return value

    def chat_id(self) -> int | str:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("@"):
                return value
            try:
                return int(value)
            except ValueError:
                raise bad_request("chat not found") from None
        raise bad_request("chat not found")


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query) if request.query_string else {}
    files: dict[str, Upload] = {}
    if request.body_exists:
        ctype = request.content_type
        if ctype == "multipart/form-data":
            await _read_multipart(request, values, files)
        elif ctype == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
        else:  # x-www-form-urlencoded (or untyped)
            raw = await request.read()
            if raw:
                try:
                    form = raw.decode("utf-8")
                    values.update(parse_qsl(form, keep_blank_values=True, encoding="utf-8", errors="strict"))
                except UnicodeDecodeError:
                    raise bad_request(NOT_UTF8) from None
    check_text(values)
    for upload in files.values():
        check_text(upload.filename)
        check_text(upload.content_type)
    return Params(values, files)


async def _read_multipart(request: web.Request, values: dict[str, Any], files: dict[str, Upload]) -> None:
    reader = await request.multipart()
    total = 0
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            try:
                values[part.name] = await part.text()
            except UnicodeDecodeError:
                raise bad_request(NOT_UTF8) from None
            continue
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(1 << 16):
            total += len(chunk)
            if total > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            chunks.append(chunk)
        files[part.name] = Upload(b"".join(chunks), part.filename, part.headers.get(hdrs.CONTENT_TYPE))
