"""Where one request's time goes, end to end through the project's WSGI
handler (every middleware, no network): the mean over N requests, then
cProfile's top entries by own time.

    .venv/bin/python -m bench.profile_request /health/live
    .venv/bin/python -m bench.profile_request /api/v1/auth/me --as dr.house

Runs against the database and Redis of DATABASE_URL/REDIS_URL (the bench's
seeded one: `make bench` prints nothing here, it only reads)."""

import argparse
import cProfile
import io
import os
import pstats
import time


def environ(path: str, token: str | None) -> dict:
    path, _, query = path.partition("?")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), **headers,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--as", dest="username", help="sign the requests with this user's access token")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django
    from django.core.handlers.wsgi import WSGIHandler

    django.setup()
    from accounts import tokens
    from accounts.models import User

    token = tokens.access_for(User.objects.get(username=options.username)) if options.username else None
    handler, status = WSGIHandler(), []

    def start_response(line, headers):
        status.append(line)

    def serve(count: int) -> None:
        for _ in range(count):
            b"".join(handler(environ(options.path, token), start_response))

    serve(200)  # warm: imports, caches, connections
    started = time.perf_counter()
    serve(options.n)
    mean_us = (time.perf_counter() - started) / options.n * 1e6
    print(f"{options.path}: {status[-1]}; {mean_us:.0f} µs per request (mean of {options.n}, no profiler)")
    profile = cProfile.Profile()
    profile.runcall(serve, options.n)
    pstats.Stats(profile).sort_stats("tottime").print_stats(options.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
