"""`manage.py worker_health`: the worker container's health check. Exit 0 while
a worker heartbeats and a scheduler holds the queue's lock and beats; exit 1,
with one line saying why, when Redis is unreachable, no worker is seen or the
scheduler is dead (a worker revives its scheduler within ~25 s of Redis coming
back, config.queue_health.HeartbeatMixin)."""

from django.core.management.base import BaseCommand
from redis.exceptions import RedisError

from config import queue_health


class Command(BaseCommand):
    help = "Exit 1 unless an RQ worker and its scheduler are alive (for container health checks)."

    def handle(self, *args, **options):
        try:
            state = queue_health.snapshot()
        except RedisError as error:
            self._fail(f"redis unreachable ({type(error).__name__})")
        if state.workers == 0:
            self._fail(f"no worker seen in the last {queue_health.SEEN_WITHIN_SECONDS} s")
        if not state.healthy:
            self._fail("scheduler not running")
        self.stdout.write(f"ok: {state.workers} worker(s), scheduler beat {state.scheduler_age:.0f} s ago")

    def _fail(self, reason: str):
        self.stderr.write(f"unhealthy: {reason}")
        raise SystemExit(1)
