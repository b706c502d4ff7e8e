"""Demo and scale data for `manage.py seed_demo`: each app registers the step
that fills its own tables (in its AppConfig.ready), and the steps run in the
order of INSTALLED_APPS inside one transaction: accounts' users, clinic's
clients, scheduling's working hours and appointments, then a recurring series
and waitlist entries. A step reads what the earlier ones left on the
`DemoRun` (the doctors' ids) and adds its counts, and a note when it leaves
something out. Each creates only what is missing, so a second run adds
nothing. Bulk steps use PostgreSQL COPY, fast enough for a million visits."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 (development demo only)
# Every account seed_demo makes has an address here: any other is somebody's.
DEMO_EMAIL_DOMAIN = "@clinic.localhost"
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
]
LAST_NAMES = [
    "Novak",
    "Okafor",
    "Perez",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Young",
]


@dataclass
class DemoRun:
    """What is asked (totals to reach) and what the steps have done so far."""

    doctors: int
    clients: int
    appointments: int
    rng: random.Random
    doctor_ids: list[int] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    analyze: list[str] = field(default_factory=list)  # tables bulk-loaded: ANALYZE after commit
    notes: list[str] = field(default_factory=list)  # what a step left out, and why (the command says it)


Step = Callable[[DemoRun], None]
_steps: list[Step] = []


def register(step: Step) -> None:
    if step not in _steps:
        _steps.append(step)


def seed(*, doctors: int, clients: int, appointments: int, rng_seed: int = 7) -> DemoRun:
    """Create what is missing up to the given totals; returns the run: what
    was created (`created`) and what was left out (`notes`)."""
    run = DemoRun(doctors, clients, appointments, random.Random(rng_seed))  # noqa: S311 (demo data)
    with transaction.atomic():
        for step in _steps:
            step(run)
    with connection.cursor() as cursor:
        for table in run.analyze:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return run


def demo_name(n: int) -> str:
    """The n-th of a fixed sequence of names: demo rows are the same on every machine."""
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
