"""Shared by the unit tests: the real catalogues, compiled into a temporary folder, to read what a
user is told in either language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n

from locales import compile as compile_mod
from locales import extract


@pytest.fixture(scope="session")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Iterator[I18n]:
    """The zh and en catalogues as the bot reads them (``with catalogues.use_locale("en"): ...``)."""
    directory: Path = tmp_path_factory.mktemp("locales")
    for lang in extract.LANGUAGES:
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(extract.catalogue_path(lang), target / f"{extract.DOMAIN}.po")
    compile_mod.compile_all(directory)
    i18n = I18n(path=directory, default_locale="zh", domain=extract.DOMAIN)
    with i18n.context():
        yield i18n
