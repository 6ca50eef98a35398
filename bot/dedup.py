"""Each Telegram update handled once, across processes: a claim per ``update_id``.

Telegram delivers an update again when it believes a delivery failed (no 2xx in time, a dropped
connection); behind a load balancer the copy may reach another process. Before an update is
handled its id is claimed:

* ``NEW`` — nobody had it: this process handles it, then marks it ``done`` (kept a day, as long
  as Telegram keeps an undelivered update);
* ``DONE`` — already handled: answered 200 and dropped;
* ``BUSY`` — another delivery is being handled right now (or its process died while handling it):
  answered 503 so that Telegram retries later. A claim is a lease of ``lease`` seconds, so an
  update whose process was killed is handled by a later retry once the lease runs out.

With Redis (several processes) the claims are Redis keys (``SET NX PX``); without it (the
embedded SQLite deployment, one process) they live in this process's memory.
"""

from __future__ import annotations

import enum
import secrets
import time
from typing import Protocol

from redis.asyncio import Redis

DONE_TTL = 24 * 3600.0  # Telegram keeps an update it could not deliver for 24 hours
PREFIX = "nominee:update:"
DONE = "done"
# Deletes a lease only if it is still this claim's (a later claim after expiry is not touched).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class Claim(enum.Enum):
    NEW = "new"
    DONE = "done"
    BUSY = "busy"


class UpdateClaims(Protocol):
    """Claims on update ids; ``token`` is what :meth:`claim` returned with ``NEW``."""

    async def claim(self, bot_id: int, update_id: int) -> tuple[Claim, str]: ...
    async def finish(self, bot_id: int, update_id: int, token: str) -> None: ...
    async def release(self, bot_id: int, update_id: int, token: str) -> None: ...


class RedisClaims:
    """Claims shared by every process on one Redis."""

    def __init__(self, redis: Redis, *, lease: float = 30.0, done_ttl: float = DONE_TTL) -> None:
        self.redis = redis
        self.lease_ms = max(int(lease * 1000), 1)
        self.done_ms = int(done_ttl * 1000)

    @staticmethod
    def key(bot_id: int, update_id: int) -> str:
        return f"{PREFIX}{bot_id}:{update_id}"

    async def claim(self, bot_id: int, update_id: int) -> tuple[Claim, str]:
        token = secrets.token_hex(8)
        key = self.key(bot_id, update_id)
        if await self.redis.set(key, token, nx=True, px=self.lease_ms):
            return Claim.NEW, token
        held = await self.redis.get(key)
        if held is None:  # the lease ran out between the two calls: try once more
            if await self.redis.set(key, token, nx=True, px=self.lease_ms):
                return Claim.NEW, token
            held = await self.redis.get(key)
        text = held.decode() if isinstance(held, bytes) else held
        return (Claim.DONE if text == DONE else Claim.BUSY), ""

    async def finish(self, bot_id: int, update_id: int, token: str) -> None:
        await self.redis.set(self.key(bot_id, update_id), DONE, px=self.done_ms)

    async def release(self, bot_id: int, update_id: int, token: str) -> None:
        await self.redis.eval(_RELEASE, 1, self.key(bot_id, update_id), token)


class MemoryClaims:
    """Claims of one process (the embedded deployment): the same answers, in a dict."""

    def __init__(self, *, lease: float = 30.0, done_ttl: float = DONE_TTL) -> None:
        self.lease = lease
        self.done_ttl = done_ttl
        self._held: dict[tuple[int, int], tuple[str, float]] = {}  # (bot, update) → (token or DONE, expiry)

    def _sweep(self, now: float) -> None:
        if len(self._held) > 100_000:  # forget what expired, so the table stays small
            self._held = {k: v for k, v in self._held.items() if v[1] > now}

    async def claim(self, bot_id: int, update_id: int) -> tuple[Claim, str]:
        now = time.monotonic()
        self._sweep(now)
        held = self._held.get((bot_id, update_id))
        if held is not None and held[1] > now:
            return (Claim.DONE if held[0] == DONE else Claim.BUSY), ""
        token = secrets.token_hex(8)
        self._held[(bot_id, update_id)] = (token, now + self.lease)
        return Claim.NEW, token

    async def finish(self, bot_id: int, update_id: int, token: str) -> None:
        self._held[(bot_id, update_id)] = (DONE, time.monotonic() + self.done_ttl)

    async def release(self, bot_id: int, update_id: int, token: str) -> None:
        held = self._held.get((bot_id, update_id))
        if held is not None and held[0] == token:
            del self._held[(bot_id, update_id)]


__all__ = ["DONE_TTL", "Claim", "MemoryClaims", "RedisClaims", "UpdateClaims"]
