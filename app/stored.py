"""How a nominee's answers are stored and audited: a plain JSON copy, the identity's hash instead
of the ID number, and the audit log's change record with ID and phone numbers masked
(DESIGN.md: no ID number in logs, error texts or audit changes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, cast

from core.campaign import Campaign
from core.phone import mask_phone


def identity_hash(key: str) -> str:
    """Stored instead of the key, so a constraint message (PostgreSQL quotes it) carries no ID number."""
    return hashlib.sha256(key.encode()).hexdigest()


def json_safe(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A plain JSON copy: what is stored is exactly what will be read back, on both databases."""
    return cast(dict[str, Any], json.loads(json.dumps(dict(answers), ensure_ascii=False)))


HIDDEN_IN_AUDIT = frozenset({"id_number"})  # DESIGN.md: no ID number in logs, error texts or audit changes


_PERSONAL_TYPES = frozenset({"id_number", "phone"})


def _personal_keys(campaign: Campaign) -> dict[str, str]:
    """The answers the audit log must not hold in full: key → field type (ID numbers, phones)."""
    keys = {key: "id_number" for key in HIDDEN_IN_AUDIT}
    keys.update({key: f.type for key, f in campaign.fields.items() if f.type in _PERSONAL_TYPES})
    return keys


def _audited(kind: str | None, value: Any) -> Any:
    """An ID number is recorded as stars of its length (the log says it changed, never what to);
    a phone number masked as the chat shows it (``139****5678``)."""
    if value is None or kind is None:
        return value
    return mask_phone(str(value)) if kind == "phone" else "*" * len(str(value))


def diff(old: Mapping[str, Any], new: Mapping[str, Any], campaign: Campaign) -> dict[str, list[Any]]:
    """The audit log's change record: key → [old, new] for every answer that changed (ID and
    phone numbers hidden, see :func:`_audited`)."""
    personal = _personal_keys(campaign)
    return {
        k: [_audited(personal.get(k), old.get(k)), _audited(personal.get(k), new.get(k))]
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


__all__ = ["HIDDEN_IN_AUDIT", "diff", "identity_hash", "json_safe"]
