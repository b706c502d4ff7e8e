"""What observability costs: `/health/live` requests/s with and without the
metrics middleware (same run, alternating), and the time of one `/metrics` scrape.

    .venv/bin/python -m bench.metrics_cost
"""

import os
import statistics
import time

from bench import load, stack
from bench.__main__ import free_port
from bench.load import Request

TOKEN = "bench-metrics-token"  # noqa: S105 (a throwaway token for a local run)


def live_rps(env: dict, seconds: int) -> float:
    with stack.gunicorn(env, free_port()) as base:
        load.run(base, [Request("GET", "/health/live", {})], seconds=2, connections=32)  # warm up
        return load.run(base, [Request("GET", "/health/live", {})], seconds=seconds, connections=32).rps


def scrape_ms(env: dict, scrapes: int = 50) -> float:
    with stack.gunicorn(env, free_port()) as base:
        load.run(base, [Request("GET", "/health/live", {})], seconds=2, connections=32)  # some samples
        timings = []
        for _ in range(scrapes):
            started = time.perf_counter()
            status, _, _ = stack.request(base, "GET", "/metrics", TOKEN)
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"/metrics answered {status}")
        return statistics.median(timings)


def main() -> int:
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    env, servers = stack.prepare(int(os.environ.get("BENCH_SCALE", "100000")))
    env["METRICS_TOKEN"] = TOKEN
    without = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_without_metrics"}
    try:
        rounds = [(live_rps(env, seconds), live_rps(without, seconds)) for _ in range(3)]
        scrape = scrape_ms(env)
    finally:
        from config import embedded

        embedded.stop_started(servers)
    with_metrics = statistics.median(r[0] for r in rounds)
    without_metrics = statistics.median(r[1] for r in rounds)
    print(f"/health/live with metrics middleware:    {with_metrics:8.1f} req/s (median of {len(rounds)})")
    print(f"/health/live without metrics middleware: {without_metrics:8.1f} req/s")
    print(f"middleware cost: {100 * (1 - with_metrics / without_metrics):.1f}% of the ceiling")
    print(f"one /metrics scrape: {scrape:.1f} ms (median of 50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
