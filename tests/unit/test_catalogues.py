"""The chat's translation catalogues (locales/<lang>/LC_MESSAGES/messages.po) against the code.

When a test here fails after adding a ``_("...")`` string: run ``python -m locales.extract``,
translate the new entries in locales/zh/LC_MESSAGES/messages.po, and commit both catalogues.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from locales import compile as compile_mod
from locales import extract

ROOT = extract.ROOT
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")

# Chinese that is meant to be in the code (shown to everyone whatever their language).
ALLOWED_CHINESE = {
    ("handlers/keyboards.py", "中文"),  # the /lang button
    ("handlers/misc.py", "语言已设置为中文。"),  # set_lang's confirmation, in the language just chosen
    ("handlers/misc.py", "Choose the language / 请选择语言"),  # the bilingual /lang prompt (a msgid)
    ("handlers/labels.py", "男"),  # display_value: keys of core.idcard's gender values (data, not text)
    ("handlers/labels.py", "女"),
    ("handlers/menus.py", "中文 / English"),  # the /lang menu entry names both languages in both languages
}
# Files in bot/ that are not chat: their readers are operators at a terminal, bilingual by design.
NOT_CHAT = {
    "bot/cli.py": "the nominee-bot command line (campaign list/check/show), Chinese + English labels",
    "bot/runner.py": "stderr messages of `nominee-bot run`",
    "bot/commands.py": "help and stderr messages of `nominee-bot invite|db|campaign load`",
    "bot/deadline_cli.py": "help and stderr messages of `nominee-bot deadline set`",
}
# /deadline and the reopening's last day take a date typed the Chinese way too (2024年5月20日 17：00).
ALLOWED_CHINESE |= {
    ("handlers/common.py", r"^\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:\s+(\d{1,2})[:：](\d{2}))?\s*$")
}
# help_text(): the /lang line names the language in Chinese inside the English msgid (like the menu).
ALLOWED_CHINESE |= {
    (
        "handlers/texts.py",
        "<b>Commands</b>\n/new — enter a nominee\n/quota — places left for your unit\n/list — your unit's nominees\n"
        "/status N — one nominee's record and history\n/edit N — change a nominee\n/withdraw N — withdraw a "
        "nominee (frees the place)\n/submit — hand the list to the office\n/deadlines — dates and days left\n"
        "/lang — 中文 / English\n/cancel — stop the current step\n\nYour answers are saved at every step; if "
        "you stop, /new continues where you left off.",
    ),
    (
        "handlers/texts.py",
        "<b>Commands for office staff</b>\n/review — review the units' lists: a nominee's record, pass, return "
        "with a reason, final results, an alternate in its head's place, reopen a unit's list\n/list — the "
        "nominees of all units, and the reserved places units gave up\n/status N — one nominee's record and "
        "history\n/audit N — a nominee's full change history\n/deadlines — dates of the campaign\n"
        "/deadline — set or move a stage's date (every clerk is told)\n"
        "/remind — remind the clerks of unfinished units now\n"
        "/lang — 中文 / English\n/help — this list",
    ),
}


def load(lang: str) -> Catalog:
    with extract.catalogue_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=extract.DOMAIN)


def strings(message: Message) -> list[str]:
    value = message.string
    return list(value) if isinstance(value, (list, tuple)) else [value or ""]


def ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def where(message: Message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract.extract_template()


@pytest.fixture(scope="module")
def zh() -> Catalog:
    return load("zh")


# ------------------------------------------------------------------------------ (a) completeness


def test_the_code_has_strings(template: Catalog) -> None:
    assert len(template) > 100
    assert template.get("Cancel") is not None


@pytest.mark.parametrize("lang", extract.LANGUAGES)
def test_every_string_in_the_code_is_translated(template: Catalog, lang: str) -> None:
    catalog = load(lang)
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None:
            problems.append(f"not in the catalogue: {message.id!r} ({where(message)})")
        elif entry.fuzzy:
            problems.append(f"fuzzy (check and remove the flag): {message.id!r} ({where(message)})")
        elif not all(s.strip() for s in strings(entry)):
            problems.append(f"no translation: {message.id!r} ({where(message)})")
    assert not problems, (
        f"locales/{lang}/LC_MESSAGES/messages.po is behind the code; run `python -m locales.extract` "
        "and translate:\n" + "\n".join(problems)
    )


def test_english_says_what_the_msgid_says(template: Catalog) -> None:
    en = load("en")
    differ = [m.id for m in template if m.id and (e := en.get(m.id, m.context)) is not None and strings(e) != ids(m)]
    assert not differ, f"English msgstr differs from its msgid (reword the msgid in the code instead): {differ}"


def test_the_command_menus_are_translated(template: Catalog, zh: Catalog) -> None:
    from handlers.menus import CLERK_MENU, OFFICE_MENU

    missing = [
        d for _c, d in CLERK_MENU + OFFICE_MENU if template.get(d) is None or not ((e := zh.get(d)) and e.string)
    ]
    assert not missing, f"command descriptions not extracted or not translated: {missing}"


# ------------------------------------------------------------------------------ (b) placeholders, (c) HTML


def translated(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id and all(strings(m))]


@pytest.mark.parametrize("lang", extract.LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    wrong = []
    for message in translated(load(lang)):
        expected = set(PLACEHOLDER.findall(ids(message)[0]))
        for text in strings(message):
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{message.id!r}: {sorted(expected)} but {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def tag_problem(text: str) -> str | None:
    stack: list[str] = []
    for closing, name, self_closing in TAG.findall(text):
        if self_closing:
            continue
        if not closing:
            stack.append(name.lower())
        elif not stack or stack.pop() != name.lower():
            return f"unexpected </{name}>"
    return f"unclosed <{stack[-1]}>" if stack else None


def tags(text: str) -> Counter[str]:
    return Counter(f"{c}{n.lower()}" for c, n, _s in TAG.findall(text))


def test_tag_checker() -> None:
    assert tag_problem("<b>a</b> <i>b</i>") is None
    assert tag_problem("<b>a<i>b</i></b>") is None
    assert tag_problem("<b>a") == "unclosed <b>"
    assert tag_problem("<b>a</i>") == "unexpected </i>"
    assert tag_problem("<b>a<i></b></i>") == "unexpected </b>"


def test_chinese_html_is_balanced_and_matches_the_msgid(zh: Catalog) -> None:
    wrong = []
    for message in translated(zh):
        for text in strings(message):
            problem = tag_problem(text)
            if problem is None and tags(text) != tags(ids(message)[0]):
                problem = "other tags than the msgid"
            if problem:
                wrong.append(f"{message.id!r}: {problem} in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_chinese_button_labels_are_short(zh: Catalog) -> None:
    for msgid, expected in {
        "◀ Back": "◀ 上一步",
        "Skip": "跳过",
        "Cancel": "取消",
        "✔ Confirm and save": "✔ 确认保存",
        "✎ {label}": "✎ {label}",
        "{award} · left {left}/{cap}": "{award} · 剩余 {left}/{cap}",
        "Step {i}/{n} · {label}": "第 {i}/{n} 步 · {label}",
    }.items():
        entry = zh.get(msgid)
        assert entry is not None and entry.string == expected, msgid


# ------------------------------------------------------------------------------ (d) compiled, through aiogram


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("locales")
    for lang in extract.LANGUAGES:
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(extract.catalogue_path(lang), target / f"{extract.DOMAIN}.po")
    written = compile_mod.compile_all(directory)
    assert sorted(p.parent.parent.name for p in written) == sorted(extract.LANGUAGES)
    return directory


def test_aiogram_reads_the_compiled_catalogues(compiled: Path) -> None:
    i18n = I18n(path=compiled, default_locale="zh", domain=extract.DOMAIN)
    assert set(extract.LANGUAGES) <= set(i18n.available_locales)
    assert i18n.gettext("Cancel", locale="zh") == "取消"
    assert i18n.gettext("Cancel", locale="en") == "Cancel"
    assert i18n.gettext("Step {i}/{n} · {label}", locale="zh").format(i=2, n=9, label="姓名") == "第 2/9 步 · 姓名"


def test_the_handlers_helpers_follow_the_current_locale(compiled: Path) -> None:
    from handlers.i18n import _, lang

    i18n = I18n(path=compiled, default_locale="zh", domain=extract.DOMAIN)
    with i18n.context():
        assert _("Cancel") == "取消"  # the default language
        with i18n.use_locale("en"):
            assert (_("Cancel"), lang()) == ("Cancel", "en")
        with i18n.use_locale("zh"):
            assert (_("saved (holds a place)"), lang()) == ("已保存（占用名额）", "zh")


# ------------------------------------------------------------------------------ (e) no Chinese in the code


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def chinese_literals() -> set[tuple[str, str]]:
    """(file, literal) for every string constant with Chinese characters, docstrings excepted."""
    found = set()
    for path in extract.source_files():
        if path.relative_to(ROOT).as_posix() in NOT_CHAT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and CJK.search(node.value)
            ):
                found.add((path.relative_to(ROOT).as_posix(), node.value))
    return found


def test_chinese_scanner() -> None:
    tree = ast.parse('"""模块说明"""\ndef f():\n    """函数说明"""\n    return "中文"  # 注释\n')
    skip = docstrings(tree)
    values = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in skip]
    assert values == ["中文"]
    assert CJK.search("请选择") and not CJK.search("“、”（）＃０ · — ◀")


def test_no_chinese_in_the_code_outside_the_catalogues() -> None:
    """Chinese goes into locales/zh, not into handlers/ or bot/ (an English reader would see it)."""
    unexpected = sorted(chinese_literals() - ALLOWED_CHINESE)
    assert not unexpected, "Chinese string literals in the code (use _() with an English msgid):\n" + "\n".join(
        f"{path}: {value!r}" for path, value in unexpected
    )


# ------------------------------------------------------------------------------ the extractor itself


def test_extractor_merges_like_pybabel_update(tmp_path: Path) -> None:
    code = tmp_path / "handlers" / "demo.py"
    code.parent.mkdir()
    (tmp_path / "tgserver").mkdir()  # the local Bot API server speaks JSON codes, not chat sentences
    (tmp_path / "tgserver" / "app.py").write_text('_("API only")\n')
    locales = tmp_path / "locales"

    def catalogue(lang: str) -> Catalog:
        with extract.catalogue_path(lang, locales).open("rb") as fh:
            return read_po(fh, locale=lang)

    def entry(catalog: Catalog, msgid: str) -> Message:
        message = catalog.get(msgid)
        assert message is not None, msgid
        return message

    code.write_text('_("Hello")\n__("Lazy")\n_n("{n} file", "{n} files", 2)\n_("Gone soon")\n')
    first = extract.run(tmp_path, locales)
    assert {p.name for p in first} == {"messages.pot", "messages.po"} and len(first) == 3
    pot = (locales / "messages.pot").read_bytes()
    assert extract.run(tmp_path, locales) == []  # a second run changes nothing
    assert (locales / "messages.pot").read_bytes() == pot
    assert entry(catalogue("en"), "Hello").string == "Hello"
    assert entry(catalogue("en"), "{n} file").string == ("{n} file", "{n} files")
    assert catalogue("zh").get("API only") is None

    zh_path = extract.catalogue_path("zh", locales)
    zh = catalogue("zh")
    entry(zh, "Hello").string = "你好"
    entry(zh, "Gone soon").string = "即将删除"
    zh_path.write_bytes(extract.render(zh))

    code.write_text('_("Hello")\n_("New one")\n')
    extract.run(tmp_path, locales)
    zh = catalogue("zh")
    assert entry(zh, "Hello").string == "你好"
    assert zh.get("New one") is not None and zh.get("Gone soon") is None
    assert "Gone soon" in zh.obsolete
    assert extract.run(tmp_path, locales) == []

    code.write_text('_("Hello")\n_("New one")\n_("Gone soon")\n')  # the string comes back
    extract.run(tmp_path, locales)
    zh = catalogue("zh")
    assert entry(zh, "Gone soon").string == "即将删除" and not entry(zh, "Gone soon").fuzzy
    assert "Gone soon" not in zh.obsolete
