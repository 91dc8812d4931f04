"""Rasa's SQL tracker store and Redis lock store, made to ride out a short outage of their backend.

Loaded by module path from `deploy/endpoints.prod.yml` (the Rasa server runs with the project root
on PYTHONPATH). What each outage does with these classes, and what it would do with Rasa's stock
`type: SQL` / `type: redis`, is described in deploy/README.md ("Faults").

- `ResilientSQLTrackerStore`: a message whose tracker cannot be read or written because PostgreSQL
  is unreachable waits (asynchronously, without blocking other conversations' event loop time) and
  retries for up to `outage_budget` seconds (environment `TRACKER_STORE_OUTAGE_BUDGET`, default 20).
  A PostgreSQL restart takes 1–3 s: the message is answered late but normally, with its context, and
  every event reaches the database. Beyond the budget the error goes up to Rasa's own
  FailSafeTrackerStore (answer without context, events kept only in that server's memory).
- `FallbackRedisLockStore`: when Redis cannot be reached, the conversation lock is taken in the
  server's memory instead of failing the message (stock Rasa answers nothing at all while Redis is
  down). Two servers may then process two messages of the same conversation at the same instant;
  the load balancer's affinity makes that rare, and it only lasts as long as the outage.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Awaitable, Callable, Iterable, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.settings import tracker_store_outage_budget

logger = logging.getLogger(__name__)

T = TypeVar("T")

WARN_EVERY_SECONDS = 10.0


def _is_connection_error(error: BaseException) -> bool:
    """True for errors meaning "the database is unreachable", not "the query is wrong"."""
    import sqlalchemy.exc

    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError))


class ResilientSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store whose reads and writes wait out a short database outage."""

    def __init__(self, *args: Any, outage_budget: float | str | None = None, **kwargs: Any) -> None:
        if outage_budget is None or outage_budget == "":  # a blank key of the endpoints file counts as unset
            outage_budget = tracker_store_outage_budget()
        self.outage_budget = float(outage_budget)
        super().__init__(*args, **kwargs)
        # A pooled connection killed by a database restart is detected before use, not during a query.
        self.engine.pool._pre_ping = True

    async def _retrying(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.outage_budget
        delay = 0.2
        attempt = 1
        while True:
            try:
                return await operation()
            except Exception as error:  # only connection errors are retried, see below
                if not _is_connection_error(error) or time.monotonic() + delay > deadline:
                    raise
                logger.warning(
                    "Base de conversations injoignable (%s, essai %d), nouvel essai dans %.1f s : %s",
                    what, attempt, delay, str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                attempt += 1

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retrying("lecture", lambda: super(ResilientSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retrying(
            "lecture complète", lambda: super(ResilientSQLTrackerStore, self).retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Saving is idempotent: the store only appends the events it does not have yet.
        await self._retrying("écriture", lambda: super(ResilientSQLTrackerStore, self).save(tracker))

    async def keys(self) -> Iterable[str]:
        return await self._retrying("liste", lambda: super(ResilientSQLTrackerStore, self).keys())


class FallbackRedisLockStore(RedisLockStore):
    """Redis lock store that falls back to a per-server lock while Redis is unreachable."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs)
        kwargs.setdefault("socket_timeout", 2)
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)
        self._fallback = InMemoryLockStore()
        self._last_warning = 0.0

    def _warn(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_SECONDS:
            self._last_warning = now
            logger.error(
                "Redis injoignable : verrou de conversation pris en mémoire de ce serveur (%s)",
                str(error).splitlines()[0] if str(error) else type(error).__name__,
            )

    @staticmethod
    def _redis_down(error: BaseException) -> bool:
        import redis.exceptions

        seen: BaseException | None = error
        while seen is not None:
            if isinstance(seen, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
                return True
            seen = seen.__cause__ or seen.__context__
        return False

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        ticket: int | None = None
        acquired: TicketLock | None = None
        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        except Exception as error:
            if not self._redis_down(error):
                raise
            self._warn(error)

        if acquired is None:
            async with self._fallback.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as local:
                yield local
            return
        try:
            yield acquired
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except Exception as error:  # the ticket expires by itself in Redis
                if not self._redis_down(error):
                    raise
                self._warn(error)
