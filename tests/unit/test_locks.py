"""The two locks (scripts/lock): ``requirements-run.lock``, what ``./run-bot`` installs, pins every
runtime dependency of pyproject.toml and the build backend, and nothing of the development tools,
at the very versions and hashes of ``requirements.lock`` (what ``./run-tests`` installs over it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)((?:\s*\\\n\s*--hash=\S+)+)", re.M)


def name(requirement: str) -> str:
    """The normalised project name of a requirement such as ``aiogram[i18n]>=3.13,<4``."""
    found = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert found, requirement
    return re.sub(r"[-_.]+", "-", found.group()).lower()


def pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (version, hashes)} of a pip-compile lock."""
    text = (ROOT / lock).read_text()
    found = {name(n): (v, frozenset(re.findall(r"--hash=(\S+)", h))) for n, v, h in PIN.findall(text)}
    assert len(found) == len(re.findall(r"^[A-Za-z0-9._-]+==", text, re.M)), f"a pin of {lock} has no hash"
    return found


def test_the_runtime_lock_is_the_full_lock_without_the_development_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {name(r) for r in project["project"]["dependencies"]}
    backend = {name(r) for r in project["build-system"]["requires"]}
    dev = {name(r) for r in project["project"]["optional-dependencies"]["dev"]}
    full, run = pins("requirements.lock"), pins("requirements-run.lock")

    assert runtime | backend <= set(run), sorted((runtime | backend) - set(run))
    assert not dev & set(run), sorted(dev & set(run))
    different = {n: (run[n][0], full.get(n, ("absent",))[0]) for n in run if full.get(n) != run[n]}
    assert not different, different  # same versions, same files
    assert dev <= set(full)
