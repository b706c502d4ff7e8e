"""`make bench`: load-test the hot endpoints against gunicorn at a realistic scale,
beside the floor: a bare Django application under the same gunicorn settings
(bench/floor.py).

Rounds are interleaved (the floor, then each endpoint; again), so a noisy
minute on a shared machine hits every figure alike. For each endpoint it
prints the medians over the rounds of requests/s, p50, p99 and its ratio to
the floor measured in the same round, with the ratio's spread (min-max), the
queries and server time per request (from the Server-Timing header); writes
bench/results/latest.json and ends with one
`bench: <name> ratio=… rps=… p99_ms=…` line per endpoint (median ratio to the
floor). `/health/live`'s ratio is the fixed cost of the project's stack.

Environment: BENCH_SCALE (appointments, default 100000), BENCH_SECONDS
(per endpoint and round, default 10), BENCH_CONNECTIONS (default 32),
BENCH_ROUNDS (default 3), BENCH_ONLY (a comma list of scenario names: only
those, beside the floor, their figures in bench/results/partial.json instead),
BENCH_REDIS_DB (the Redis database the bench uses and empties, default 1).
`report` is a quarter of every doctor's utilization per day
(bench/report.py times it in process, with its query plan).
"""

import json
import os
import platform
import random
import re
import socket
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bench import load, stack
from bench.load import Request
from bench.report import last_full_quarter
from config import embedded

DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 (the demo accounts seed_demo creates)
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
PARTIAL_RESULTS = RESULTS.with_name("partial.json")  # a BENCH_ONLY run's: latest.json stays the full run's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(base: str, username: str) -> str:
    status, _, body = stack.request(
        base, "POST", "/api/v1/auth/login", body={"username": username, "password": DEMO_PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"bench: login as {username} failed ({status}): {body[:200]!r}")
    return json.loads(body)["access_token"]


def get_json(base: str, path: str, token: str):
    status, _, body = stack.request(base, "GET", path, token)
    if status != 200:
        raise SystemExit(f"bench: GET {path} answered {status}: {body[:200]!r}")
    return json.loads(body)


def weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Scenario:
    """What to warm up with, what to measure under load, and what to sample for
    server figures (requests the load did not send, so an uncached scenario
    stays uncached)."""

    measure: list[Request]
    warm: list[Request] = field(default_factory=list)
    sample: list[Request] = field(default_factory=list)
    once: bool = False  # each request may be sent once (a slot, a cache miss): rounds split them

    def for_round(self, index: int, rounds: int) -> list[Request]:
        if not self.once:
            return self.measure
        size = len(self.measure) // rounds
        return self.measure[index * size : (index + 1) * size]


def repeated(requests: list[Request]) -> Scenario:
    return Scenario(measure=requests, warm=requests[:200], sample=requests[:20])


def scenarios(base: str) -> dict[str, Scenario]:
    doctor, staff = login(base, "dr.house"), login(base, "frontdesk")
    doctors = [d["id"] for d in get_json(base, "/api/v1/doctors/", staff)]
    clients = [c["id"] for c in get_json(base, "/api/v1/clients/?limit=100", staff)["results"]]
    as_doctor = {"Authorization": f"Bearer {doctor}"}
    as_staff = {"Authorization": f"Bearer {staff}", "Content-Type": "application/json"}
    soon = weekdays(date.today() + timedelta(days=1), 20)
    rng = random.Random(42)  # noqa: S311 (load shape, not secrets)
    # A unique, ignored parameter per request: every page is computed, none served from Redis.
    uncached = [
        Request("GET", f"/api/v1/appointments/?limit=20&nocache={uuid.uuid4().hex}", as_doctor)
        for _ in range(50_040)
    ]
    book = bookings(doctors, clients, as_staff, rng)
    first, last = last_full_quarter(date.today())  # every doctor's utilization, per day (bench/report.py)
    report = f"/api/v1/reports/utilization?from={first}&to={last}"
    # A type with buffers that needs a room (seed_demo's "Minor procedure"), in each of the rooms.
    types = get_json(base, "/api/v1/appointment-types/?limit=100", staff)["results"]
    visit_type = next(t for t in types if t["requires_room"] and t["buffer_after_minutes"])
    rooms = [r["id"] for r in get_json(base, "/api/v1/rooms/?limit=100", staff)["results"]]
    return {
        "live": repeated([Request("GET", "/health/live", {})]),
        "me": repeated([Request("GET", "/api/v1/auth/me", as_doctor)]),
        "list_cached": repeated([Request("GET", "/api/v1/appointments/?limit=20", as_doctor)]),
        "list_uncached": Scenario(
            measure=uncached[:50_000], warm=uncached[-40:-20], sample=uncached[-20:], once=True
        ),
        "availability": repeated(
            [
                Request("GET", f"/api/v1/doctors/{d}/availability?date={day}&duration=30", as_staff)
                for d in doctors[:10]
                for day in soon
            ]
        ),
        "avail_type_room": repeated(
            [
                Request(
                    "GET",
                    f"/api/v1/doctors/{d}/availability?date={day}&type={visit_type['id']}&room={room}",
                    as_staff,
                )
                for d in doctors[:10]
                for day in soon
                for room in rooms
            ]
        ),
        "book": Scenario(measure=book[:-20], sample=book[-20:], once=True),
        "report": repeated([Request("GET", report, as_staff)]),
    }


def bookings(doctors, clients, headers, rng) -> list[Request]:
    """Unique slots far beyond the seeded range, inside working hours (08:00-18:00 UTC, weekdays).
    Each doctor's visits go to one client, so no client is booked twice at one time (409)."""
    days = weekdays(date.today() + timedelta(days=800), 400)
    slots = [(position, d, day, n) for position, d in enumerate(doctors) for day in days for n in range(20)]
    rng.shuffle(slots)
    requests = []
    for position, doctor, day, n in slots[:30_000]:
        starts_at = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(minutes=30 * n)
        body = {
            "client": clients[position % len(clients)],
            "doctor": doctor,
            "starts_at": starts_at.isoformat(),
            "duration_minutes": 30,
            "reason": stack.BENCH_REASON,
        }
        requests.append(Request("POST", "/api/v1/appointments/", headers, json.dumps(body)))
    return requests


def server_figures(base: str, requests: list[Request]) -> tuple[float, float]:
    """Mean queries and server milliseconds per request, from Server-Timing."""
    queries, millis = [], []
    for r in requests:
        token = r.headers.get("Authorization", "").removeprefix("Bearer ") or None
        body = json.loads(r.body) if r.body else None
        _, response_headers, _ = stack.request(base, r.method, r.path, token, body)
        timing = response_headers.get("Server-Timing", "")
        if match := re.search(r'app;dur=([\d.]+).*desc="(\d+) queries"', timing):
            millis.append(float(match[1]))
            queries.append(int(match[2]))
    return (
        (sum(queries) / len(queries), sum(millis) / len(millis)) if queries else (float("nan"), float("nan"))
    )


def warm_up(base: str, requests: list[Request]) -> None:
    for r in requests:
        token = r.headers.get("Authorization", "").removeprefix("Bearer ") or None
        stack.request(base, r.method, r.path, token, json.loads(r.body) if r.body else None)


FLOOR = [Request("GET", "/health/live", {})]


def main() -> int:
    scale = int(os.environ.get("BENCH_SCALE", "100000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    env, servers = stack.prepare(scale)
    try:
        with stack.gunicorn(env, free_port()) as base, stack.floor(env, free_port()) as floor:
            plans = chosen(scenarios(base), only)
            for scenario in plans.values():
                warm_up(base, scenario.warm)
            warm_up(floor, FLOOR * 50)
            runs: dict[str, list[load.Result]] = {"floor": [], **{name: [] for name in plans}}
            samples = {}
            for index in range(rounds):
                runs["floor"].append(load.run(floor, FLOOR, seconds=seconds, connections=connections))
                for name, scenario in plans.items():
                    requests = scenario.for_round(index, rounds)
                    runs[name].append(load.run(base, requests, seconds=seconds, connections=connections))
                    if index == 0:  # right after its own load, as that load left the caches
                        samples[name] = server_figures(base, scenario.sample)
                print(f"  round {index + 1}/{rounds}: floor {runs['floor'][-1].rps:.0f} req/s", flush=True)
    finally:
        embedded.stop_started(servers)
    results = {name: summarise(runs[name], runs["floor"], samples.get(name)) for name in runs}
    path = PARTIAL_RESULTS if only else RESULTS
    report(results, path=path, scale=scale, seconds=seconds, connections=connections, rounds=rounds)
    return 0


def chosen(plans: dict[str, Scenario], only: list[str]) -> dict[str, Scenario]:
    """The scenarios BENCH_ONLY names (every one when it names none)."""
    unknown = [name for name in only if name not in plans]
    if unknown:
        raise SystemExit(f"bench: no scenario {', '.join(unknown)}; there are {', '.join(plans)}")
    return {name: plans[name] for name in only} if only else plans


def summarise(runs: list[load.Result], floor: list[load.Result], sample) -> dict:
    """Medians over the rounds; the ratio is to the floor of the same round."""
    ratios = [run.rps / base.rps if base.rps else 0.0 for run, base in zip(runs, floor, strict=True)]
    queries, server_ms = sample or (0.0, 0.0)
    return {
        "rps": round(statistics.median(run.rps for run in runs), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "p50_ms": round(statistics.median(run.p50_ms for run in runs), 2),
        "p99_ms": round(statistics.median(run.p99_ms for run in runs), 2),
        "non_2xx": sum(run.non_2xx for run in runs),
        "errors": sum(run.errors for run in runs),
        "queries": round(queries, 2),
        "server_ms": round(server_ms, 2),
        "rounds_rps": [round(run.rps, 1) for run in runs],
    }


def report(results: dict, *, path: Path, scale: int, seconds: int, connections: int, rounds: int) -> None:
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "scale_appointments": scale,
        "seconds_per_endpoint": seconds,
        "rounds": rounds,
        "connections": connections,
        "load_tool": load.engine(),
        "ratio_to": "floor: a bare Django view under the same gunicorn settings (bench/floor.py)",
        "results": results,
    }
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"\n{summary['date']}; {summary['machine']}; {scale} appointments; {connections} connections; "
        f"{rounds} rounds of {seconds} s; {load.engine()}; medians, ratio to the floor (min-max)"
    )
    columns = ("req/s", "ratio", "min-max", "p50 ms", "p99 ms", "non-2xx", "queries", "srv ms")
    print(f"{'endpoint':<14}" + "".join(f"{c:>12}" for c in columns))
    for name, f in results.items():
        spread = f"{f['ratio_min']:.2f}-{f['ratio_max']:.2f}"
        print(
            f"{name:<14}{f['rps']:>12.1f}{f['ratio']:>12.3f}{spread:>12}{f['p50_ms']:>12.2f}{f['p99_ms']:>12.2f}"
            f"{f['non_2xx']:>12}{f['queries']:>12.1f}{f['server_ms']:>12.2f}"
        )
    print()
    for name, f in results.items():
        if name != "floor":
            print(f"bench: {name} ratio={f['ratio']} rps={f['rps']} p99_ms={f['p99_ms']}")


if __name__ == "__main__":
    raise SystemExit(main())
