"""Shared by the unit tests: the real catalogues, compiled into a temporary folder, to read what a
user is told in either language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from locales import compile as compile_mod
from locales import extract

if TYPE_CHECKING:  # importing aiogram takes seconds: only the tests that read texts pay for it
    from aiogram.utils.i18n import I18n


@pytest.fixture(scope="session")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Iterator[I18n]:
    """The zh and en catalogues as the bot reads them (``with catalogues.use_locale("en"): ...``)."""
    from aiogram.utils.i18n import I18n

    directory: Path = tmp_path_factory.mktemp("locales")
    for lang in extract.LANGUAGES:
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(extract.catalogue_path(lang), target / f"{extract.DOMAIN}.po")
    compile_mod.compile_all(directory)
    i18n = I18n(path=directory, default_locale="zh", domain=extract.DOMAIN)
    with i18n.context():
        yield i18n
