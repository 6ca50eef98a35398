"""Eligibility rules of a campaign evaluated on a nominee's answers.

A rule fires when every field in its ``when`` has been answered and matches. Hard rules refuse
the nominee; soft rules ("原则上", "一般") let it through only with a written reason, stored in
the answers under :func:`reason_key` and flagged for the office.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.campaign import Campaign, EligibilityRule
from core.selectors import fields_of, matches

REASON_PREFIX = "reason."


def reason_key(rule: EligibilityRule) -> str:
    return f"{REASON_PREFIX}{rule.key}"


def rules_for(campaign: Campaign, award_key: str) -> list[EligibilityRule]:
    return [r for r in campaign.eligibility if award_key in r.awards]


def fires(rule: EligibilityRule, answers: Mapping[str, Any]) -> bool:
    return all(k in answers for k in fields_of(rule.when)) and matches(rule.when, answers)


@dataclass(frozen=True)
class Eligibility:
    hard: tuple[EligibilityRule, ...]
    soft: tuple[EligibilityRule, ...]  # fired soft rules (with or without a reason yet)

    @property
    def refused(self) -> bool:
        return bool(self.hard)

    def unexplained(self, answers: Mapping[str, Any]) -> list[EligibilityRule]:
        """Soft rules that fired but have no written reason yet."""
        return [r for r in self.soft if not answers.get(reason_key(r))]


def evaluate(campaign: Campaign, award_key: str, answers: Mapping[str, Any]) -> Eligibility:
    fired = [r for r in rules_for(campaign, award_key) if fires(r, answers)]
    return Eligibility(tuple(r for r in fired if r.kind == "hard"), tuple(r for r in fired if r.kind == "soft"))
