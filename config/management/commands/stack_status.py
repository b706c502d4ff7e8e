"""`manage.py stack_status`: one screen for ops; exit 1 when a person is needed."""

from django.core.management.base import BaseCommand

from config import health, queue_health, status_checks
from config.status_checks import Check


def infrastructure_checks() -> list[Check]:
    db_ok, redis_ok = health.check_db(), health.check_redis()
    checks = [
        Check("postgres", db_ok, "reachable" if db_ok else "UNREACHABLE"),
        Check("redis", redis_ok, "reachable" if redis_ok else "UNREACHABLE"),
    ]
    checks += status_checks.database_checks(db_ok=db_ok)
    if not redis_ok:
        return [*checks, Check("queue", False, "unknown: Redis is unreachable")]
    return checks + queue_checks(queue_health.snapshot())


def queue_checks(state: queue_health.QueueSnapshot) -> list[Check]:
    age = state.scheduler_age
    failed = sum(states["failed"] for states in state.jobs.values())
    waiting = sum(states["queued"] for states in state.jobs.values())
    return [
        Check(
            "workers",
            state.workers > 0,
            f"{state.workers} seen in the last {queue_health.SEEN_WITHIN_SECONDS} s",
        ),
        Check(
            "scheduler",
            age is not None and age <= queue_health.SEEN_WITHIN_SECONDS,
            scheduler_detail(age, state.scheduler_last_seen),
        ),
        Check(
            "rq jobs",
            state.failed_last_day == 0,
            f"{waiting} queued, {state.failed_last_day} failed in the last day ({failed} failed in all)",
        ),
    ]


def scheduler_detail(age: float | None, last_seen: float | None) -> str:
    if age is not None:
        return f"last heartbeat {age:.1f} s ago"
    if last_seen is not None:
        return f"not running; last seen {format_age(last_seen)} ago"
    return "never seen"


def format_age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Command(BaseCommand):
    help = "State of PostgreSQL, Redis, workers, scheduler and jobs; exit 1 when a person is needed."

    def handle(self, *args, **options):
        checks = infrastructure_checks()
        width = max(len(check.name) for check in checks)
        for check in checks:
            mark = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name.ljust(width)}  {check.detail}")
        if not all(check.ok for check in checks):
            raise SystemExit(1)
