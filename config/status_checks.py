"""The checks of `manage.py stack_status` that belong to the apps above config:
each registers its own in its AppConfig.ready (scheduling: the reminders), and
the command runs them beside config's own (PostgreSQL, Redis, the RQ queue)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


_database_checks: dict[str, Callable[[], Check]] = {}


def register_database_check(name: str, check: Callable[[], Check]) -> None:
    """A check that reads the database: reported as unknown while it is unreachable."""
    _database_checks[name] = check


def database_checks(*, db_ok: bool) -> list[Check]:
    return [
        check() if db_ok else Check(name, False, "unknown: PostgreSQL is unreachable")
        for name, check in _database_checks.items()
    ]
