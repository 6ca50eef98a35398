"""We lean only on what our dependencies publish, and each layer imports only what it may.

Read from the syntax trees of the product code (app, core, charts, handlers, bot, storage, sheets,
tgserver, locales; not tests, bench or migrations), so an upgrade of SQLAlchemy, aiosqlite, asyncpg, aiogram,
redis, openpyxl or python-calamine cannot break us through a private detail:

- no private name of theirs (a dotted component starting with ``_``, or an ``AsyncAdapt_*``
  adapter) is imported (``from x import _y``, ``import x._y``, ``from x._y import z``) or read as
  an attribute of a module or class imported from them;
- a class of ours subclasses one of theirs only where their documentation invites it (``INVITED``);
- ``core/`` imports none of them nor openpyxl (it is the pure domain);
- nothing outside ``tgserver/``, ``sandbox/`` and the tests imports ``tgserver`` (the bot does not
  ship it; the sandbox is where the two meet).

Every problem is reported as ``file:line: what``. Private attributes of *instances* of their
classes (``connection._x``) cannot be told from ours in the syntax tree and are not checked.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app", "core", "charts", "handlers", "bot", "storage", "sheets", "tgserver", "sandbox", "locales")
THEIRS = ("sqlalchemy", "aiosqlite", "asyncpg", "aiogram", "redis", "openpyxl", "python_calamine")
NOT_IN_CORE = THEIRS
SKIPPED_DIRS = {".git", ".venv", "venv", "build", "dist", "__pycache__", "node_modules", "tests", "tgserver", "sandbox"}

# The classes whose documentation invites subclassing them, each with where it says so.
INVITED = (
    # aiogram, Client session > Base: "If you want to create your own session, you must inherit from this class."
    "aiogram.client.session.base.BaseSession",
    # aiogram, Client session middlewares > "Class based session middleware": RequestLogging(BaseRequestMiddleware)
    "aiogram.client.session.middlewares.base.BaseRequestMiddleware",
    # aiogram, Middlewares: "Middleware should be subclass of BaseMiddleware ... or any async callable"
    "aiogram.dispatcher.middlewares.base.BaseMiddleware",
    # aiogram, Finite State Machine: "class Form(StatesGroup): name = State() ..."
    "aiogram.fsm.state.StatesGroup",
    # aiogram, Filtering events: "If you want to register own filters ... you will need to write subclass of this class"
    "aiogram.filters.base.Filter",
    # aiogram, Callback Data Factory: "This class should be used as super-class of user-defined callbacks."
    "aiogram.filters.callback_data.CallbackData",
    # aiogram, Storages > "Writing own storages": BaseStorage, "Base class for all FSM storages"
    "aiogram.fsm.storage.base.BaseStorage",
    # aiogram, Translation: "or define you own based on abstract I18nMiddleware middleware"
    "aiogram.utils.i18n.middleware.I18nMiddleware",
    # SQLAlchemy, Declarative Mapping Styles: a "Declarative Base" class "by subclassing the DeclarativeBase superclass"
    "sqlalchemy.orm.DeclarativeBase",
    # SQLAlchemy, Augmenting Existing Types: TypeDecorator "is preferred to direct subclassing of [the] built-in types"
    "sqlalchemy.types.TypeDecorator",
)


def top(dotted: str) -> str:
    return dotted.split(".", 1)[0]


def is_private(component: str) -> bool:
    """``_x`` or ``AsyncAdapt_x``; a dunder (``__version__``) is public by convention."""
    dunder = component.startswith("__") and component.endswith("__")
    return (component.startswith("_") and not dunder) or component.startswith("AsyncAdapt_")


def imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name → the dotted path it was imported as (absolute imports only)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:  # `import a.b.c` binds `a`
                    names[top(alias.name)] = top(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    """The dotted path ``node`` stands for when it is an imported name or attributes of one."""
    parts: list[str] = []
    root = node
    while isinstance(root, ast.Attribute):
        parts.append(root.attr)
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in names:
        return None
    return ".".join([names[root.id], *reversed(parts)])


def private_use(path: str, tree: ast.AST) -> Iterator[str]:
    """Private names of THEIRS imported or read as attributes."""
    names = imported_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if top(alias.name) in THEIRS and any(map(is_private, alias.name.split("."))):
                    yield f"{path}:{node.lineno}: imports {alias.name}, a private name of {top(alias.name)}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and top(node.module) in THEIRS:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if any(map(is_private, full.split("."))):
                    yield f"{path}:{node.lineno}: imports {full}, a private name of {top(full)}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            used = dotted(node, names)
            if used is not None and top(used) in THEIRS:
                yield f"{path}:{node.lineno}: uses {used}, a private name of {top(used)}"


def resolve(path: str) -> object:
    """The object at a dotted path (the longest importable module, then attributes)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def invited() -> list[object]:
    return [resolve(path) for path in INVITED]


def uninvited_subclasses(path: str, tree: ast.AST) -> Iterator[str]:
    """Our classes whose base is a class of THEIRS that is not in INVITED."""
    names = imported_names(tree)
    allowed = invited()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for base in node.bases:
            expr = base.value if isinstance(base, ast.Subscript) else base  # TypeDecorator[datetime]
            full = dotted(expr, names)
            if full is None or top(full) not in THEIRS:
                continue
            try:
                known = resolve(full) in allowed
            except (ImportError, AttributeError):
                known = False
            if not known:
                yield (
                    f"{path}:{node.lineno}: class {node.name} subclasses {full}, which {top(full)}'s documentation"
                    " does not invite (use it as shipped, or add it to INVITED with where the docs say so)"
                )


def imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import, wherever it stands (functions, TYPE_CHECKING)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def core_imports(path: str, tree: ast.AST) -> Iterator[str]:
    if path.startswith("core/"):
        for line, module in imports(tree):
            if top(module) in NOT_IN_CORE:
                yield f"{path}:{line}: core imports {module} (the core is pure: no framework, database or Excel)"


def tgserver_imports(path: str, tree: ast.AST) -> Iterator[str]:
    if not path.startswith(("tgserver/", "sandbox/", "tests/")):
        for line, module in imports(tree):
            if top(module) == "tgserver":
                yield f"{path}:{line}: imports {module} (the local Bot API server is for the tests only)"


def parsed(paths: Iterator[Path]) -> list[tuple[str, ast.AST]]:
    return [
        (rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel))
        for path in paths
        for rel in [path.relative_to(ROOT).as_posix()]
    ]


def product_files() -> list[tuple[str, ast.AST]]:
    return parsed(
        path
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if not {"migrations", "__pycache__"} & set(path.relative_to(ROOT).parts)
    )


def files_outside_tgserver_and_tests() -> list[tuple[str, ast.AST]]:
    def walk(folder: Path) -> Iterator[Path]:
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
                if not entry.name.endswith(".egg-info"):
                    yield from walk(entry)
            elif entry.suffix == ".py":
                yield entry

    return parsed(walk(ROOT))


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


# ------------------------------------------------------------------------------ the product code


def test_no_private_name_of_a_dependency_is_imported_or_used() -> None:
    problems = [p for path, tree in product_files() for p in private_use(path, tree)]
    assert not problems, report(problems)


def test_our_classes_subclass_theirs_only_where_their_documentation_invites_it() -> None:
    problems = [p for path, tree in product_files() for p in uninvited_subclasses(path, tree)]
    assert not problems, report(problems)


def test_the_core_imports_no_framework_database_or_excel_library() -> None:
    problems = [p for path, tree in product_files() for p in core_imports(path, tree)]
    assert not problems, report(problems)


def test_only_tgserver_itself_and_the_tests_import_tgserver() -> None:
    problems = [p for path, tree in files_outside_tgserver_and_tests() for p in tgserver_imports(path, tree)]
    assert not problems, report(problems)


def test_every_invited_class_exists_in_the_installed_version() -> None:
    for path in INVITED:
        assert isinstance(resolve(path), type), path


# ------------------------------------------------------------------------------ the checks themselves


def found(path: str, code: str) -> list[str]:
    tree = ast.parse(code)
    checks = (private_use, uninvited_subclasses, core_imports, tgserver_imports)
    return [problem for check in checks for problem in check(path, tree)]


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        (
            "storage/x.py",
            "from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection",
            "storage/x.py:1: imports sqlalchemy.dialects.sqlite.aiosqlite.AsyncAdapt_aiosqlite_connection",
        ),
        (
            "bot/x.py",
            "from aiogram.filters.logic import _InvertFilter",
            "bot/x.py:1: imports aiogram.filters.logic._Inv",
        ),
        ("bot/x.py", "import aiogram._hidden.api", "bot/x.py:1: imports aiogram._hidden.api, a private"),
        ("storage/x.py", "from redis._parsers import x", "storage/x.py:1: imports redis._parsers.x, a private"),
        (
            "storage/x.py",
            "import sqlalchemy.dialects.sqlite.aiosqlite as dialect\n\nX = dialect.AsyncAdapt_aiosqlite_cursor",
            "storage/x.py:3: uses sqlalchemy.dialects.sqlite.aiosqlite.AsyncAdapt_aiosqlite_cursor",
        ),
        (
            "storage/x.py",
            "import aiosqlite\n\naiosqlite.core._x()",
            "storage/x.py:3: uses aiosqlite.core._x, a private",
        ),
        (
            "storage/x.py",
            "from sqlalchemy.engine import Connection\n\nConnection._execute_context",
            "storage/x.py:3: uses sqlalchemy.engine.Connection._execute_context",
        ),
        (
            "bot/x.py",
            "from aiogram.client.session.aiohttp import AiohttpSession\n\nclass BotSession(AiohttpSession): ...",
            "bot/x.py:3: class BotSession subclasses aiogram.client.session.aiohttp.AiohttpSession",
        ),
        (
            "storage/x.py",
            "from sqlalchemy.dialects.sqlite import aiosqlite as d\n\nclass Cursor(d.AsyncAdapt_aiosqlite_cursor): ...",
            "storage/x.py:3: class Cursor subclasses sqlalchemy.dialects.sqlite.aiosqlite.AsyncAdapt_aiosqlite_cursor",
        ),
        ("core/x.py", "def f():\n    import openpyxl", "core/x.py:2: core imports openpyxl"),
        ("core/x.py", "from sqlalchemy import select", "core/x.py:1: core imports sqlalchemy"),
        ("bot/x.py", "from tgserver.client import SandboxClient", "bot/x.py:1: imports tgserver.client"),
        ("bench/x.py", "import tgserver", "bench/x.py:1: imports tgserver"),
    ],
)
def test_each_kind_of_problem_is_named_with_its_file_and_line(path: str, code: str, expected: str) -> None:
    problems = found(path, code)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("handlers/x.py", "from aiogram.filters import Filter\n\nclass Joined(Filter): ..."),
        ("bot/x.py", "from aiogram import BaseMiddleware\n\nclass M(BaseMiddleware): ..."),
        ("storage/x.py", "from sqlalchemy.types import TypeDecorator\n\nclass T(TypeDecorator[str]): ..."),
        ("storage/x.py", "import sqlalchemy.orm as orm\n\nclass Base(orm.DeclarativeBase): ...\nclass Row(Base): ..."),
        ("handlers/x.py", "from aiogram.utils.i18n import gettext as _\n\n_('Hello')"),
        ("bot/x.py", "import argparse\n\nargparse._SubParsersAction"),  # the standard library is not checked here
        ("storage/x.py", "from sqlalchemy import __version__\n\nclass S:\n    def f(self):\n        self._x = 1"),
        ("storage/x.py", "from ._helpers import _private"),  # our own modules
        ("tgserver/x.py", "from tgserver.state import ServerState"),
        ("tests/x.py", "from tgserver import serve"),
        ("storage/x.py", "import openpyxl"),
    ],
)
def test_public_use_and_our_own_names_pass(path: str, code: str) -> None:
    assert found(path, code) == []
