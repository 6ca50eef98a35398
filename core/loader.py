"""Reading campaign definition files: TOML text -> :class:`Campaign`, or a list of located problems.

Every problem names the file, the line when it can be found, and the key path
(``units[3].quotas.medal.industrial``) — never a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from core.campaign import Campaign
from core.crosscheck import cross_check

BUILTIN_PACKAGE = "core.builtin"

# pydantic's messages for the errors an editor of a definition makes most, in Chinese.
_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "未知的键（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "string_type": "应为文字",
    "list_type": "应为列表 [...]",
    "dict_type": "应为表 {...}",
    "model_type": "应为表 {...}",
    "model_attributes_type": "应为表 {...}",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，如 2024-03-20",
    "date_from_datetime_parsing": "应为日期，如 2024-03-20",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "string_pattern_mismatch": "格式不符（{pattern}）",
    "string_too_short": "不能为空",
    "too_short": "至少需要 {min_length} 项",
    "literal_error": "应为以下之一：{expected}",
}


@dataclass(frozen=True)
class DefinitionProblem:
    """One located problem: ``message`` in Chinese, ``message_en`` in English ("" = the same text,
    for the few messages that carry both languages already)."""

    source: str
    path: str
    message: str
    line: int | None = None
    message_en: str = ""

    def text(self, language: str = "zh") -> str:
        """``file:line: key.path: message`` in ``language`` ("zh" or "en")."""
        message = self.message_en if language == "en" and self.message_en else self.message
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"

    def __str__(self) -> str:
        return self.text("zh")


class DefinitionError(Exception):
    def __init__(self, problems: list[DefinitionProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def builtin_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml") for p in resources.files(BUILTIN_PACKAGE).iterdir() if p.name.endswith(".toml")
    )


def suggest(name: str, known: Sequence[str]) -> str:
    """`` 是否要找 did you mean: a, b?`` for the known names close to ``name`` (difflib), or ""."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.75)
    return f"；是否要找 did you mean: {', '.join(close)}?" if close else ""


def _no_builtin(name: str, *, file_too: bool = False) -> DefinitionProblem:
    names = builtin_names()
    what = (
        "没有名为 “{0}” 的内置评选定义，也没有此文件 (no built-in campaign and no file named “{0}”)"
        if file_too
        else ("没有名为 “{0}” 的内置评选定义 (no built-in campaign named “{0}”)")
    )
    hint = suggest(name, names) or f"；内置 built-in: {', '.join(names)}"
    return DefinitionProblem(name, "", what.format(name) + hint)


def builtin_text(name: str) -> str:
    if name not in builtin_names():
        raise DefinitionError([_no_builtin(name)])
    return resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_builtin(name: str) -> Campaign:
    return parse(builtin_text(name), f"{name}.toml")


MAX_BYTES = 5_000_000
MAX_KEY_DEPTH = 16  # tomllib needs memory quadratic in a dotted key's depth: ``a.a.a...`` can exhaust it


def load_path(path: Path) -> Campaign:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # never more: the path may be /dev/zero
    except OSError as exc:
        raise DefinitionError(
            [DefinitionProblem(str(path), "", f"无法读取文件 (cannot read the file)：{os_reason(exc)}")]
        ) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise DefinitionError([DefinitionProblem(repr(str(path)), "", f"无法读取文件：{exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise DefinitionError(
            [DefinitionProblem(str(path), "", "文件过大（超过 5 MB）", None, "the file is over 5 MB")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            [
                DefinitionProblem(
                    str(path), "", f"不是 UTF-8 编码（第 {exc.start} 字节）", None, f"not UTF-8 (byte {exc.start})"
                )
            ]
        ) from None
    return parse(text, str(path))


def os_reason(exc: OSError) -> str:
    """An operating system's refusal in both languages (its own text is in the system's language)."""
    match exc:
        case FileNotFoundError():
            return "文件不存在 (no such file)"
        case IsADirectoryError():
            return "这是目录，不是文件 (a directory, not a file)"
        case PermissionError():
            return "没有权限 (permission denied)"
        case FileExistsError() | NotADirectoryError():
            return "已有同名文件，不是目录 (a file is in the way, not a directory)"
        case _:
            return f"{exc.strerror or type(exc).__name__}"


def looks_like_name(text: str) -> bool:
    """``zhengzhou-2024`` rather than ``my.toml`` or ``defs/zz``: what a built-in name looks like."""
    return re.fullmatch(r"[a-z0-9][a-z0-9-]*", text) is not None


def load(name_or_path: str) -> Campaign:
    """A built-in name (``zhengzhou-2024``) or a file path. A name that is neither a built-in nor an
    existing file is refused as an unknown built-in, with the close built-in names."""
    if name_or_path in builtin_names():
        return load_builtin(name_or_path)
    path = Path(name_or_path)
    if looks_like_name(name_or_path) and not path.exists():
        raise DefinitionError([_no_builtin(name_or_path, file_too=True)])
    return load_path(path)


_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_DEEP_KEY = re.compile(rf"(?m)(?:^|[\[{{,])\s*(?:{_KEY_PART}\s*\.\s*){{{MAX_KEY_DEPTH},}}{_KEY_PART}")


def parse(text: str, source: str = "<text>") -> Campaign:
    deep = _DEEP_KEY.search(text)
    if deep:
        at = text.count("\n", 0, deep.start()) + 1
        raise DefinitionError(
            [
                DefinitionProblem(
                    source,
                    "",
                    f"键的层级过深（超过 {MAX_KEY_DEPTH} 层）",
                    at,
                    f"a key nested over {MAX_KEY_DEPTH} levels",
                )
            ]
        )
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise DefinitionError(
            [
                DefinitionProblem(
                    source, "", "嵌套过深（数组或表的层级太多）", None, "nested too deeply (arrays or tables)"
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        detail = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise DefinitionError(
            [DefinitionProblem(source, "", f"TOML 语法错误：{detail}", line, f"TOML syntax error: {detail}")]
        ) from None
    problems: list[DefinitionProblem] = []
    pruned = _Pruned(data)
    campaign: Campaign | None = None
    for _round in range(20):  # each round prunes at least one element; a file has few broken ones
        try:
            # strict: a file saying ``total = "120"``, ``total = true`` or ``cap = 4.5`` is wrong, not coerced
            campaign = Campaign.model_validate(pruned.data, strict=True)
            break
        except RecursionError:
            raise DefinitionError(
                [
                    DefinitionProblem(
                        source, "", "嵌套过深（数组或表的层级太多）", None, "nested too deeply (arrays or tables)"
                    )
                ]
            ) from None
        except ValidationError as exc:
            errors = exc.errors()
            for err in errors:
                loc = pruned.original(err["loc"])
                shown = _compact_loc(data, loc)
                # a missing key is not in the text: point at the table that lacks it
                line = _locate(text, shown[:-1] if err["type"] == "missing" else shown)
                zh, en = _message(err, loc)
                problems.append(DefinitionProblem(source, _path(shown), zh, line, en))
            # Check what can still be checked: without the broken elements, the rest is cross-checked too.
            if not pruned.prune([e["loc"] for e in errors]):
                break
    if campaign is not None:
        for p in cross_check(campaign):
            path = pruned.original_path(p.path)
            if pruned.hides(p, path):
                continue
            problems.append(DefinitionProblem(source, path, p.message, _locate(text, _split(path)), p.message_en))
    if problems:
        raise DefinitionError(_ordered(problems))
    assert campaign is not None
    return campaign


def _ordered(problems: list[DefinitionProblem]) -> list[DefinitionProblem]:
    """Each once: the schema's problems, then the cross-checks of what could be read."""
    return list(dict.fromkeys(problems))


# Sections whose elements are pruned when broken; a broken top-level value is replaced by a stand-in.
_LISTS = ("awards", "units", "pools", "proportions", "eligibility", "stages", "tables")
_STAND_INS: dict[str, Any] = {"id": "x-pruned", "name": "?", "office": "?", "timezone": None, "contact": None}


class _Pruned:
    """The definition's data without its broken elements, remembering where each element came
    from so the cross-checks of the rest are reported at their places in the file."""

    def __init__(self, data: Any) -> None:
        self.data: Any = dict(data) if isinstance(data, dict) else data
        self.kept: dict[str, list[int]] = {}
        self.names: set[str] = set()  # keys and names of pruned elements: problems naming them are noise
        self.sections: set[str] = set()

    def original(self, loc: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(loc) >= 2 and loc[0] in self.kept and isinstance(loc[1], int) and loc[1] < len(self.kept[loc[0]]):
            return (loc[0], self.kept[loc[0]][loc[1]], *loc[2:])
        return loc

    def original_path(self, path: str) -> str:
        m = re.match(r"^([a-z]+)\[(\d+)\]", path)
        if m and m.group(1) in self.kept and int(m.group(2)) < len(self.kept[m.group(1)]):
            return f"{m.group(1)}[{self.kept[m.group(1)][int(m.group(2))]}]{path[m.end() :]}"
        return path

    def prune(self, locs: list[tuple[Any, ...]]) -> bool:
        if not isinstance(self.data, dict):
            return False
        drop: dict[str, set[int]] = {}
        changed = False
        for loc in locs:
            head = loc[0] if loc else None
            if head in _LISTS and len(loc) >= 2 and isinstance(loc[1], int) and isinstance(self.data.get(head), list):
                drop.setdefault(str(head), set()).add(loc[1])
            elif head == "fields" and len(loc) >= 2 and isinstance(self.data.get("fields"), dict):
                fields = dict(self.data["fields"])
                if loc[1] in fields:
                    del fields[loc[1]]
                    self.names.add(str(loc[1]))
                    self.data["fields"] = fields
                    self.sections.add("fields")
                    changed = True
            elif head in _STAND_INS and len(loc) == 1:
                if _STAND_INS[str(head)] is None:
                    self.data.pop(head, None)
                else:
                    self.data[head] = _STAND_INS[str(head)]
                changed = True
        for section, indexes in drop.items():
            items = self.data[section]
            kept = self.kept.setdefault(section, list(range(len(items))))
            for i in indexes:
                element = items[i]
                if isinstance(element, dict):
                    self.names.update(str(element[k]) for k in ("key", "name") if isinstance(element.get(k), str))
            self.data[section] = [x for i, x in enumerate(items) if i not in indexes]
            self.kept[section] = [k for i, k in enumerate(kept) if i not in indexes]
            self.sections.add(section)
            changed = True
        if self.sections & {"awards"} and not self.data.get("awards"):
            return False  # nothing left to cross-check against
        return changed

    def hides(self, problem: Any, path: str) -> bool:
        """A cross-check problem caused by the pruning itself (an element naming a pruned one)."""
        if any(f"“{name}”" in problem.message for name in self.names):
            return True
        if path == "units" and self.sections & {"units", "awards"}:
            return True  # sums over a table with a unit left out
        return "awards" in self.sections and problem.message.startswith("未知取值")


def _message(err: Any, loc: tuple[Any, ...] = ()) -> tuple[str, str]:
    """(Chinese, English) for a pydantic error; an unknown key names the close valid ones."""
    english = str(err["msg"]).removeprefix("Value error, ")
    template = _MESSAGES.get(err["type"])
    if template is None:
        zh, _sep, en = english.partition(" | ")
        return zh, en or zh
    try:
        zh = template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        zh = template
    if err["type"] == "extra_forbidden" and loc:
        english = "unknown key (a typo?)"
        close = _close_keys(str(loc[-1]), _keys_at(loc[:-1]))
        if close:
            zh += f"；是否要找 {'、'.join(close)}？"
            english += f"; did you mean {', '.join(close)}?"
    return zh, english


def _close_keys(key: str, known: Sequence[str]) -> list[str]:
    """``pct`` → ``min_pct``, ``max_pct``: the keys containing it, else the close ones (difflib)."""
    inside = [k for k in known if key and (key in k or k in key)]
    return inside[:3] or difflib.get_close_matches(key, known, n=3, cutoff=0.6)


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows in the table at ``loc`` (pydantic's loc of the definition)."""
    ann: Any = Campaign
    parts = list(loc)
    while True:
        ann = _unwrap(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if not parts:
                return list(ann.model_fields)
            part = parts.pop(0)
            if part not in ann.model_fields:
                return []
            ann = ann.model_fields[part].annotation
        elif get_origin(ann) in (list, dict):
            if not parts:
                return []
            parts.pop(0)
            ann = get_args(ann)[-1]
        else:
            return []


def _unwrap(ann: Any) -> Any:
    while True:
        if get_origin(ann) is Annotated:
            ann = get_args(ann)[0]
        elif get_origin(ann) in (Union, UnionType):
            models = [a for a in get_args(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
            ann = models[0] if models else ann
            if not models:
                return ann
        else:
            return ann


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "constrained-")) or part in ("int", "dict[str,any]"):
            continue  # pydantic's names for union branches and validators, not keys of the file
        else:
            out += f".{part}" if out else str(part)
    return out


def _compact_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Name the keys of the compact allocation syntax the file uses: an error pydantic reports at
    ``quotas.medal.reserved[0].count`` is at ``quotas.medal.frontline`` in ``{ cap = 6, frontline = -1 }``."""
    out: list[Any] = []
    node: Any = data
    i = 0
    while i < len(loc):
        part = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(part, str) and part.startswith(("function-", "constrained-")):
            out.append(part)
        elif isinstance(node, dict) and part in ("reserved", "children") and part not in node and isinstance(nxt, int):
            keys = [k for k in node if k not in ("cap", "count")]
            if nxt >= len(keys):
                return loc
            out.append(keys[nxt])
            node = node[keys[nxt]]
            i += 1
        elif (part == "count" and not isinstance(node, dict)) or (
            part == "kind" and not (isinstance(node, dict) and "kind" in node)
        ):
            pass  # ``frontline = 6``: the value is the count, the key is the kind
        else:
            out.append(part)
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        i += 1
    return tuple(out)


def _split(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_\-.\s\"]+?)\s*\]\]?\s*(?:#.*)?$")


def _headers(lines: list[str]) -> list[tuple[int, bool, str]]:
    """(line index, is an [[array]] header, dotted name) of every table header."""
    out = []
    for n, line in enumerate(lines):
        m = _HEADER.match(line)
        if m:
            out.append((n, m.group(1) == "[[", re.sub(r"\s*\.\s*", ".", m.group(2)).replace('"', "")))
    return out


def _array_element(lines: list[str], n: int, assign: re.Pattern[str], index: int) -> int | None:
    """Line of element ``index`` of the inline array assigned on line ``n`` (None: not an array)."""
    m = assign.search(lines[n])
    if m is None:
        return None
    rest = lines[n][m.end() :]
    if not rest.lstrip().startswith("["):
        return None
    depth, count, quote, pending = 0, 0, "", False
    for ln in range(n, len(lines)):
        text = rest if ln == n else lines[ln]
        k = 0
        while k < len(text):
            ch = text[k]
            if quote:
                if ch == "\\" and quote == '"':
                    k += 1
                elif ch == quote:
                    quote = ""
            elif ch == "#":
                break
            elif ch in "\"'":
                quote = ch
                if depth == 1 and pending:
                    pending = False
                    if count == index:
                        return ln
            elif ch in "[{":
                depth += 1
                if depth == 2 and pending:
                    pending = False
                    if count == index:
                        return ln
                if depth == 1:
                    pending = True
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return None
            elif ch == "," and depth == 1:
                count += 1
                pending = True
            elif depth == 1 and pending and not ch.isspace():
                pending = False
                if count == index:
                    return ln
            k += 1
    return None


def _locate(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a key path, read like TOML is: ``[[array]]`` elements, ``[table]``
    headers (also ``[a.b.c]`` for the path ``a.b``), then ``key =`` lines of the current table
    (dotted ``quotas.medal = {...}`` and inline ``{ key = ...}`` included)."""
    lines = text.splitlines()
    headers = _headers(lines)
    start, table = 0, ""
    found: int | None = None

    def within(name: str, array: bool, n: int) -> bool:
        # a header still inside ``table`` (the one entered at line ``start``)
        if not table:
            return True
        if name == table:
            return not array and n != start
        return name.startswith(table + ".")

    def scope() -> list[tuple[int, bool, str]]:
        out = []
        for n, array, name in headers:
            if n <= start:
                continue
            if not within(name, array, n):
                break
            out.append((n, array, name))
        return out

    def assignment_end() -> int:
        return next((n for n, _, _ in headers if n > start), len(lines))

    i = 0
    parts = [p for p in loc if not (isinstance(p, str) and p.startswith(("function-", "constrained-")))]
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            i += 1
            continue
        key = str(part)
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        dotted = f"{table}.{key}" if table else key
        inner = scope() if found is not None or table else [(n, a, name) for n, a, name in headers]
        if isinstance(nxt, int):
            hits = [n for n, array, name in inner if array and name == dotted]
            if len(hits) > nxt:
                start = found = hits[nxt]
                table = dotted
                i += 2
                continue
        # ``key =`` in the current table, before its first sub-table
        first = start if found is not None else 0
        assign = re.compile(rf"(?:^\s*|[{{,.]\s*)\"?{re.escape(key)}\"?\s*[=.]")
        hit = next((n for n in range(first, assignment_end()) if assign.search(lines[n])), None)
        if hit is not None:
            start = found = hit
            i += 1
            if isinstance(nxt, int):  # ``columns = [ {...}, {...} ]``: the line of element ``nxt``
                element = _array_element(lines, hit, assign, nxt)
                if element is not None:
                    start = found = element
                    i += 1
            continue
        # ``[dotted]``, else the first ``[dotted.more]`` or ``[[dotted]]``
        exact = [n for n, array, name in inner if name == dotted and not array]
        nested = [n for n, _, name in inner if name == dotted or name.startswith(dotted + ".")]
        hit = next(iter(exact + nested), None)
        if hit is None:
            break
        start = found = hit
        table = dotted
        i += 1
    return found + 1 if found is not None else None
