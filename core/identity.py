"""Who a nominee *is*, for the rule that nobody (person or organisation) is nominated twice in
one campaign. Storage puts this key under a unique constraint."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from core.campaign import Award


def _norm(text: Any) -> str:
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def identity_key(award: Award, answers: Mapping[str, Any]) -> str | None:
    """``id:<number>`` for people, ``org:<name>`` / ``org:<parent>/<team>`` for collectives;
    None while the identifying answers are missing. Different awards share the space on purpose:
    the same person cannot be both a 劳动模范 and an 先进工作者 in one campaign."""
    if award.kind == "individual":
        number = answers.get("id_number")
        return f"id:{number}" if number else None
    team = answers.get("team_name")
    if team:
        return f"org:{_norm(answers.get('parent_org'))}/{_norm(team)}"
    name = answers.get("org_name")
    if not name:
        return None
    parent = answers.get("parent_org")
    return f"org:{_norm(parent)}/{_norm(name)}" if parent else f"org:{_norm(name)}"
