"""Message text as Telegram stores it: plain text plus entities.

Telegram-flavoured HTML becomes plain text and entities with UTF-16 offsets (the "can't parse
entities" errors worded like Telegram's), surrounding whitespace is trimmed with the entities kept
aligned, text and caption lengths are checked, and a user's ``/command`` gets its entity.
"""

from __future__ import annotations

import re

from .wire import JSON, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, ApiError, bad_request


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_START_RE = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_:-][a-zA-Z0-9_:.-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
)
_END_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTR_RE = re.compile(r"([a-zA-Z_:-][a-zA-Z0-9_:.-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_TAG_GUESS_RE = re.compile(r"</?([^\s>]*)")
_SPECIAL_RE = re.compile(r"[<&]")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
}


def _unescape(value: str) -> str:
    if "&" not in value:
        return value
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)) or m.group(0), value)


def _decode_entity(name: str) -> str | None:
    if name[0] == "#":
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return None
    return _NAMED_ENTITIES.get(name)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _unsupported_tag(which: str, source: str, index: int, name: str | None = None) -> ApiError:
    """Telegram's error for a ``which`` ("start"/"end") tag at ``index`` it does not support.

    ``name`` is the tag's parsed name; without it, it is guessed from the source (up to a space or ``>``).
    """
    if name is None:
        guess = _TAG_GUESS_RE.match(source, index)
        name = guess.group(1) if guess else ""
    return bad_request(
        f'can\'t parse entities: Unsupported {which} tag "{name}" at byte offset {_byte_offset(source, index)}'
    )


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text plus entities (UTF-16 offsets).

    Raises :class:`ApiError` with Telegram's "can't parse entities" wording on
    unsupported tags, unmatched end tags and unclosed tags.
    """
    if "<" not in source and "&" not in source:
        return source, []
    out: list[str] = []
    pos = 0  # UTF-16 offset in the plain text
    i = 0
    n = len(source)
    stack: list[tuple[str, int, JSON | None]] = []
    entities: list[JSON] = []
    while True:
        m = _SPECIAL_RE.search(source, i)
        j = m.start() if m else n
        if j > i:
            chunk = source[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
        if m is None:
            break
        if source[j] == "&":
            em = _ENTITY_RE.match(source, j)
            decoded = _decode_entity(em.group(1)) if em else None
            if em is not None and decoded is not None:
                out.append(decoded)
                pos += utf16_len(decoded)
                i = em.end()
            else:
                out.append("&")
                pos += 1
                i = j + 1
            continue
        if source.startswith("</", j):
            end = _END_RE.match(source, j)
            if end is None:
                raise _unsupported_tag("end", source, j)
            name = end.group(1).lower()
            if not stack:
                raise bad_request(
                    f'can\'t parse entities: Unexpected end tag "{name}" at byte offset {_byte_offset(source, j)}'
                )
            tag, start, open_entity = stack.pop()
            if tag != name:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {_byte_offset(source, j)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            if open_entity is not None and pos > start:
                open_entity["offset"] = start
                open_entity["length"] = pos - start
                entities.append(open_entity)
            i = end.end()
            continue
        start_m = _START_RE.match(source, j)
        if start_m is None:
            raise _unsupported_tag("start", source, j)
        name = start_m.group(1).lower()
        attrs = {
            a.group(1).lower(): _unescape(a.group(2) or a.group(3) or a.group(4) or "")
            for a in _ATTR_RE.finditer(start_m.group(2))
        }
        entity: JSON | None
        if name in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[name]}
            if name == "code" and stack and stack[-1][0] == "pre":
                language = attrs.get("class", "")
                parent = stack[-1][2]
                if language.startswith("language-") and parent is not None:
                    parent["language"] = language[len("language-") :]
                entity = None
        elif name == "a":
            href = attrs.get("href")
            if href and href.startswith("tg://user?id="):
                entity = {
                    "type": "text_mention",
                    "user": {"id": int(href[13:] or 0), "is_bot": False, "first_name": ""},
                }
            else:
                entity = {"type": "text_link", "url": href} if href else None
        elif name == "span" and attrs.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif name == "blockquote":
            entity = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
        elif name == "tg-emoji" and "emoji-id" in attrs:
            entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        else:
            raise _unsupported_tag("start", source, j, name)
        stack.append((name, pos, entity))
        i = start_m.end()
    if stack:
        raise bad_request(f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if len(stripped) == len(text):
        return text, entities
    if not entities:
        return stripped, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - shift, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(
    text: str, parse_mode: str | None, entities: list[JSON] | None, *, caption: bool = False
) -> tuple[str, list[JSON]]:
    """Resolve ``text`` + ``parse_mode``/``entities`` into plain text and entities; enforce limits."""
    if entities is not None:
        plain, ents = text, entities
    elif parse_mode and parse_mode.lower() == "html":
        plain, ents = parse_html(text)
    else:
        plain, ents = text, []
    plain, ents = strip_text(plain, ents)
    if caption:
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
    return plain, ents


def command_entities(text: str) -> list[JSON]:
    """Entities a Telegram client attaches to a user's text (bot commands at offset 0)."""
    if not text.startswith("/") or len(text) < 2:
        return []
    end = len(text)
    for k, ch in enumerate(text):
        if ch.isspace():
            end = k
            break
    if end < 2:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}]
