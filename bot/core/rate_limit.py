"""Token buckets per key, in memory (pure logic, clock injected).

Used per conversation by the channels: nginx and the ingress limit requests per address, but a
WebSocket carries any number of messages in one request.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable


class RateLimiter:
    """`capacity` messages at once, then one every `1 / refill_per_second` seconds, per key."""

    def __init__(self, capacity: float, refill_per_second: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000) -> None:
        self.capacity = capacity
        self.refill = refill_per_second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, last time)

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:  # the least recently seen keys go first: memory stays bounded
            self._buckets.popitem(last=False)
        return allowed
