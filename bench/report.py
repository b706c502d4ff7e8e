"""The utilization report at scale, in process: a quarter of every active
doctor (the last full calendar quarter before today), per day and per week.
Prints the median time of `utilization_report` alone and of the whole
request (every middleware, the JSON and the CSV rendered), the queries it
made, and `EXPLAIN (ANALYZE, BUFFERS)` of its one aggregate query. The
contract's bar: a quarter of 50 doctors at 1M appointments within 500 ms.

    .venv/bin/python -m bench.report            # on DATABASE_URL, read only

Runs against the database of DATABASE_URL/REDIS_URL, seeded as `make bench`
seeds: `BENCH_SCALE=1000000 make bench` leaves `bench_1000000`, or
`manage.py seed_demo --doctors 50 --clients 100000 --appointments 1000000`
on an empty database (about 2 minutes)."""

import os
import statistics
import time
from datetime import date, timedelta

RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "7"))


def last_full_quarter(today: date) -> tuple[date, date]:
    first_month = (today.month - 1) // 3 * 3 + 1  # this quarter's first month
    this_quarter = date(today.year, first_month, 1)
    last = this_quarter - timedelta(days=1)
    return date(last.year, (last.month - 1) // 3 * 3 + 1, 1), last


def median_ms(action, runs: int = RUNS) -> float:
    action()  # warm: imports, connections, PostgreSQL's buffers
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts import tokens
    from accounts.models import User
    from scheduling.models import Appointment
    from scheduling.reports.utilization import DAY, WEEK, appointment_figures, utilization_report

    staff = (
        User.objects.filter(role="staff", is_active=True).first() or User.objects.filter(role="admin").first()
    )
    first, last = last_full_quarter(timezone.localdate())
    doctors = list(User.objects.active_doctors().values_list("id", flat=True))
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access_for(staff)}")
    query = f"from={first}&to={last}"
    print(
        f"{Appointment.objects.count()} appointments, {len(doctors)} active doctors; "
        f"{first} to {last}; median of {RUNS} runs"
    )
    for group in (DAY, WEEK):
        with CaptureQueriesContext(connection) as queries:
            report = utilization_report(user=staff, first=first, last=last, group=group)
        query_count = len(queries)  # now: each request below empties Django's query log
        function_ms = median_ms(
            lambda g=group: utilization_report(user=staff, first=first, last=last, group=g)
        )
        json_ms = median_ms(lambda g=group: client.get(f"/api/v1/reports/utilization?{query}&group={g}"))
        csv_ms = median_ms(lambda g=group: client.get(f"/api/v1/reports/utilization.csv?{query}&group={g}"))
        booked = sum(sum(row.appointments.values()) for row in report.rows)
        print(
            f"group={group}: {len(report.rows)} rows, {booked} appointments, {query_count} queries; "
            f"utilization_report {function_ms:.0f} ms, JSON request {json_ms:.0f} ms, "
            f"CSV request {csv_ms:.0f} ms"
        )
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the aggregate (group=day):")
    print(appointment_figures(doctors, first, last, DAY).explain(analyze=True, buffers=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
