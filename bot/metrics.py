"""Prometheus metrics of one bot process (the official ``prometheus-client``).

Each process keeps its own counters and serves them on its own ``/metrics`` (the webhook server's
port); Prometheus scrapes every process and sums them (``sum(rate(...))``), so no state is shared
between processes here. Names follow Prometheus' conventions (``_total`` counters, seconds).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter("nominee_updates_total", "Telegram updates handled, by update type", ["type"], registry=REGISTRY)
DUPLICATES = Counter(
    "nominee_updates_duplicate_total",
    "Repeated deliveries of an update already handled (or being handled) by some process, not handled again",
    registry=REGISTRY,
)
LATENCY = Histogram(
    "nominee_handler_seconds",
    "Time to handle one update, middlewares and handlers included (seconds)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
ERRORS = Counter(
    "nominee_handler_errors_total", "Updates whose handling raised an exception", ["type"], registry=REGISTRY
)
QUOTA_REFUSALS = Counter(
    "nominee_quota_refusals_total",
    "Nominees refused a place by the quota engine and told to a clerk, by refusal kind",
    ["kind"],
    registry=REGISTRY,
)
REMINDERS_SENT = Counter("nominee_reminders_sent_total", "Deadline reminders delivered", registry=REGISTRY)
REMINDERS_FAILED = Counter(
    "nominee_reminders_failed_total", "Deadline reminders that could not be delivered", registry=REGISTRY
)
LEADER = Counter(
    "nominee_leader_acquired_total",
    "Times this process became the leader of a job (the reminder scheduler)",
    ["job"],
    registry=REGISTRY,
)
LEADING = Gauge(
    "nominee_leader",
    "1 while this process leads the job (exactly one process across all does)",
    ["job"],
    registry=REGISTRY,
)


def exposition() -> tuple[bytes, str]:
    """The registry in Prometheus' text format: (body, content type)."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class MetricsMiddleware(BaseMiddleware):
    """An outer middleware of ``dp.update``: counts every update, its handling time and failures."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:  # one the error handler did not take
            ERRORS.labels(type=kind).inc()
            raise
        finally:
            LATENCY.observe(time.perf_counter() - started)
            UPDATES.labels(type=kind).inc()


class ErrorsMiddleware(BaseMiddleware):
    """An outer middleware of ``dp.errors``: the failures the global error handler answers (they
    never reach :class:`MetricsMiddleware`, the handler having taken them)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update = getattr(event, "update", None)
        ERRORS.labels(type=update.event_type if isinstance(update, Update) else "unknown").inc()
        return await handler(event, data)


__all__ = [
    "DUPLICATES",
    "ERRORS",
    "LATENCY",
    "LEADER",
    "LEADING",
    "QUOTA_REFUSALS",
    "REGISTRY",
    "REMINDERS_FAILED",
    "REMINDERS_SENT",
    "UPDATES",
    "ErrorsMiddleware",
    "MetricsMiddleware",
    "exposition",
]
