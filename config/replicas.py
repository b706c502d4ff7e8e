"""PostgreSQL read replicas (DATABASE_REPLICA_URLS; API.md "Configuration").

The reads of a safe API request (GET/HEAD under /api/, outside a
transaction) go to a healthy replica, everything else to the primary:
writes, the admin, and the tables that decide who may do what (accounts:
users, token revocation, the second factor), so a revoked token is never
honoured because a replica is behind.

- **Read-your-writes.** After a signed-in user's write, their reads go to the
  primary for REPLICA_PIN_SECONDS, in every process and node: a short-lived
  Redis key per user. Redis unreachable: the primary (it cannot be known).
- **Health.** Each process asks a replica its lag at most every
  CHECK_SECONDS; one that does not answer, or lags more than
  REPLICA_MAX_LAG_SECONDS, is skipped and asked again after RETRY_SECONDS.
- **No 5xx because of a replica.** A safe request that used a replica and
  failed with a 5xx is answered again from the primary (`ReplicaMiddleware`).
"""

import threading
import time
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django_redis import get_redis_connection
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

CHECK_SECONDS = 2.0
RETRY_SECONDS = 5.0
PRIMARY = "default"
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "admin", "contenttypes"})
SAFE_METHODS = frozenset({"GET", "HEAD"})

READS = Counter("clinic_db_reads_total", "Querysets read, by the database that served them", ["database"])

# Lag in seconds: 0 when all WAL received is replayed, else the age of the last replayed transaction.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


# What this request may do: a ContextVar per thread of a request


@dataclass
class _Request:
    replicas_allowed: bool = False
    used: str | None = None  # the replica this request read from, if any


_request: ContextVar[_Request | None] = ContextVar("replica_request", default=None)
_NONE = _Request()  # outside a request opened to replicas: the primary


def _current() -> _Request:
    return _request.get() or _NONE


def _pin_key(user_id) -> str:
    return f"clinic:db-pin:{user_id}"


def pin(user) -> None:
    """Send `user`'s reads to the primary for REPLICA_PIN_SECONDS (they just wrote)."""
    with suppress(Exception):  # Redis down: no pin can be read either, so reads go to the primary
        get_redis_connection("default").set(_pin_key(user.pk), 1, ex=settings.REPLICA_PIN_SECONDS)


def reader_is(user) -> None:
    """Called once the API knows the caller: a pinned user (or Redis
    unreachable) reads from the primary for the rest of the request."""
    state = _current()
    if not state.replicas_allowed:
        return
    try:
        pinned = bool(get_redis_connection("default").exists(_pin_key(user.pk)))
    except Exception:  # Redis down: read-your-writes cannot be known, so the primary
        pinned = True
    if pinned:
        state.replicas_allowed = False


def use_primary() -> None:
    """The rest of this request reads from the primary: what it reads fills a
    shared cache, where a replica's lag would outlive the lag itself."""
    state = _request.get()
    if state is not None:
        state.replicas_allowed = False


# Each replica's health, per process


@dataclass
class ReplicaHealth:
    alias: str
    status: str = "ok"  # ok, down, lagging
    lag: float | None = None
    checked_at: float = 0.0


class _Monitor:
    def __init__(self):
        self._lock = threading.Lock()
        self._health: dict[str, ReplicaHealth] = {}
        self._turn = 0

    def health(self, alias: str, *, fresh: bool = False) -> ReplicaHealth:
        with self._lock:
            state = self._health.setdefault(alias, ReplicaHealth(alias))
        wait = RETRY_SECONDS if state.status != "ok" else CHECK_SECONDS
        if fresh or time.monotonic() - state.checked_at >= wait:
            _check(state)
        return state

    def pick(self) -> str | None:
        """A healthy replica, in turn; None when none is."""
        names = aliases()
        with self._lock:
            self._turn += 1
            start = self._turn
        for offset in range(len(names)):
            alias = names[(start + offset) % len(names)]
            if self.health(alias).status == "ok":
                return alias
        return None

    def suspect(self, alias: str) -> None:
        """A request failed on `alias`: ask it again now."""
        _close_quietly(alias)
        self.health(alias, fresh=True)


monitor = _Monitor()


def _check(state: ReplicaHealth) -> None:
    try:
        with connections[state.alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except Exception:  # any failure to reach it is "down"
        _close_quietly(state.alias)
        state.status, state.lag = "down", None
    else:
        state.lag = float(lag)
        lagging = not in_recovery or state.lag > settings.REPLICA_MAX_LAG_SECONDS
        state.status = "lagging" if lagging else "ok"
    state.checked_at = time.monotonic()


def _close_quietly(alias: str) -> None:
    with suppress(Exception):  # a dead connection may not close cleanly; it is dropped
        connections[alias].close()


def report() -> dict[str, dict]:
    """Each replica's state, asked now (for /health/db): no URL, no password."""
    return {
        alias: {"status": state.status, "lag_seconds": state.lag}
        for alias in aliases()
        for state in [monitor.health(alias, fresh=True)]
    }


class LagCollector:
    """`clinic_db_replica_lag_seconds{replica}`, asked at scrape time (-1: down)."""

    def collect(self):
        lag = GaugeMetricFamily(
            "clinic_db_replica_lag_seconds", "Replay lag of each read replica (-1: down)", labels=["replica"]
        )
        for alias, state in report().items():
            lag.add_metric([alias], -1 if state["lag_seconds"] is None else state["lag_seconds"])
        yield lag


# Django's hooks


class ReplicaRouter:
    """DATABASE_ROUTERS when DATABASE_REPLICA_URLS is set."""

    def db_for_read(self, model, **hints):
        state = _current()
        alias = PRIMARY
        if (
            state.replicas_allowed
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[PRIMARY].in_atomic_block
        ):
            alias = state.used or monitor.pick() or PRIMARY
            if alias != PRIMARY:
                state.used = alias
        READS.labels(alias).inc()
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    """Opens safe API requests to replica reads, answers one that failed on a
    replica again from the primary, and pins a user's reads after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and response.status_code < 500:
                pin(user)
            return response
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        state = _Request(replicas_allowed=True)
        token = _request.set(state)
        try:
            response = self.get_response(request)
            if response.status_code >= 500 and state.used is not None:
                monitor.suspect(state.used)
                _request.set(_Request(replicas_allowed=False))
                response = self.get_response(request)
            return response
        finally:
            _request.reset(token)
