"""Is anyone sending the reminders? (API.md `/health/queue`, `/metrics`.)

RQ writes its worker registry only when a worker starts, so after Redis loses
its data (a failover to an empty replica) a running worker would look gone
until restarted. Instead, "seen" is decided from heartbeats that are written
again and again: each worker adds itself to a sorted set on every heartbeat
(`HeartbeatMixin`, at most every ~25 s), and RQ's scheduler refreshes its
own hash every second. Both reappear within a minute of a FLUSHALL.
"""

import time
from dataclasses import dataclass

import django_rq
from django.conf import settings
from django_redis import get_redis_connection
from rq.defaults import DEFAULT_FAILURE_TTL
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, SCHEDULER_LOCKING_KEY_TEMPLATE
from rq.utils import utcparse

SEEN_KEY = "clinic:rq:workers-seen"
SEEN_WITHIN_SECONDS = 60
# When a scheduler was last seen alive, kept after it dies (its own keys expire with it).
SCHEDULER_SEEN_KEY = "clinic:rq:scheduler-seen"
SCHEDULER_SEEN_TTL_SECONDS = 30 * 24 * 3600
RECENT_FAILURE_SECONDS = 24 * 3600
WORKER_TTL_SECONDS = 40  # RQ heartbeats every worker_ttl - 15 s while idle


class HeartbeatMixin:
    """Makes an RQ worker report itself on every heartbeat (scheduling.reminders.worker uses it)."""

    def __init__(self, *args, worker_ttl=None, **kwargs):
        super().__init__(
            *args, worker_ttl=min(worker_ttl or WORKER_TTL_SECONDS, WORKER_TTL_SECONDS), **kwargs
        )

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout=timeout, pipeline=pipeline)
        connection = pipeline if pipeline is not None else self.connection
        connection.zadd(SEEN_KEY, {self.name: time.time()})
        connection.expire(SEEN_KEY, SEEN_WITHIN_SECONDS * 10)
        scheduler_age(self.connection)  # remembers a live scheduler even if nobody looks

        if pipeline is None:
            self.revive_scheduler()

    def revive_scheduler(self):
        """Run a scheduler whenever this worker can, on every heartbeat (every
        ~25 s) rather than on RQ's maintenance pass (every 10 minutes): restart
        this worker's scheduler process if it died (it does when Redis goes
        away), and take the queue's scheduler lock over once the worker that
        held it is gone (its lock expires 61 s after its last renewal), so
        scheduled reminders keep moving when one of several workers is killed.
        A worker without a scheduler (burst mode) is left alone."""
        scheduler = getattr(self, "scheduler", None)
        if scheduler is None:
            return
        process = getattr(scheduler, "_process", None)
        if process is not None and process.is_alive():
            return
        scheduler.acquire_locks(auto_start=True)

    def register_death(self):
        super().register_death()
        self.connection.zrem(SEEN_KEY, self.name)


@dataclass
class QueueSnapshot:
    workers: int
    scheduler_age: float | None  # seconds since the scheduler's last heartbeat; None: none seen
    jobs: dict[str, dict[str, int]]
    scheduler_last_seen: float | None = None  # seconds since any scheduler was seen alive, even a dead one
    failed_last_day: int = 0  # jobs that failed in the last 24 h (failed ones are kept a year)

    @property
    def healthy(self) -> bool:
        return (
            self.workers > 0 and self.scheduler_age is not None and self.scheduler_age <= SEEN_WITHIN_SECONDS
        )


def _connection():
    """The cache's client: the same Redis, with short timeouts, so a probe never hangs."""
    return get_redis_connection("default")


def workers_seen(connection) -> int:
    now = time.time()
    connection.zremrangebyscore(SEEN_KEY, "-inf", now - SEEN_WITHIN_SECONDS * 10)
    return connection.zcount(SEEN_KEY, now - SEEN_WITHIN_SECONDS, "+inf")


def scheduler_age(connection, queue_name: str = "default") -> float | None:
    owner = connection.get(SCHEDULER_LOCKING_KEY_TEMPLATE % queue_name)
    if not owner:
        return None
    beat = connection.hget(SCHEDULER_KEY_TEMPLATE % owner.decode(), "last_heartbeat")
    if not beat:
        return None
    at = utcparse(beat.decode()).timestamp()
    connection.set(SCHEDULER_SEEN_KEY, at, ex=SCHEDULER_SEEN_TTL_SECONDS)
    return max(0.0, time.time() - at)


def scheduler_last_seen(connection) -> float | None:
    """Seconds since a scheduler was last seen alive, also after it died; None: never."""
    at = connection.get(SCHEDULER_SEEN_KEY)
    return None if at is None else max(0.0, time.time() - float(at))


def failed_recently(queue, seconds: int = RECENT_FAILURE_SECONDS) -> int:
    """Jobs failed in the last `seconds`: RQ scores a failed job by when it
    expires, its failure time + DEFAULT_FAILURE_TTL (the clinic's jobs keep it)."""
    key = FailedJobRegistry(queue.name, connection=queue.connection).key
    return queue.connection.zcount(key, time.time() + DEFAULT_FAILURE_TTL - seconds, "+inf")


def job_counts(queue) -> dict[str, int]:
    registries = {
        "started": StartedJobRegistry,
        "scheduled": ScheduledJobRegistry,
        "deferred": DeferredJobRegistry,
        "finished": FinishedJobRegistry,
        "failed": FailedJobRegistry,
    }
    counts = {"queued": queue.count}
    for state, registry in registries.items():
        counts[state] = registry(queue.name, connection=queue.connection).count
    return counts


def snapshot() -> QueueSnapshot:
    """One look at Redis: raises the client's error when Redis is unreachable."""
    connection = _connection()
    queues = [django_rq.get_queue(name, connection=connection) for name in settings.RQ_QUEUES]
    return QueueSnapshot(
        workers=workers_seen(connection),
        scheduler_age=scheduler_age(connection),
        jobs={queue.name: job_counts(queue) for queue in queues},
        scheduler_last_seen=scheduler_last_seen(connection),
        failed_last_day=sum(failed_recently(queue) for queue in queues),
    )
