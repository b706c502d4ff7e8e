"""Health probes (API.md, "Health and docs"). Never cached, no auth."""

from functools import wraps

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe
from django_redis import get_redis_connection

from config import queue_health, replicas

# never_cache's Cache-Control as a constant: probes call these many times a second.
UNCACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


def uncached(view):
    """Django's never_cache, without building the header on every call."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = UNCACHED
        return response

    return wrapper


def check_db() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure to reach the database is "down", not a 500
        connection.close_if_unusable_or_obsolete()
        return False


def check_redis() -> bool:
    try:
        return bool(get_redis_connection("default").ping())
    except Exception:  # timeouts, refused connections, auth errors: all "down"
        return False


def _answer(checks: dict[str, bool]) -> JsonResponse:
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _single(ok: bool) -> JsonResponse:
    return JsonResponse({"status": "ok" if ok else "down"}, status=200 if ok else 503)


@require_safe
@uncached
def health(request):
    return _answer({"db": check_db(), "redis": check_redis()})


@require_safe
@uncached
def live(request):
    return JsonResponse({"status": "ok"})


@require_safe
@uncached
def ready(request):
    """Readiness for a load balancer: the API serves while the database answers
    (without Redis it skips the cache and counts rate limits per process)."""
    return _single(check_db())


@require_safe
@uncached
def db(request):
    """The primary decides the status; with DATABASE_REPLICA_URLS, each
    replica's state (`ok`, `down`, `lagging`) and lag are reported beside it."""
    ok = check_db()
    if not replicas.aliases():
        return _single(ok)
    state = "ok" if ok else "down"
    body = {"status": state, "primary": state, "replicas": replicas.report()}
    return JsonResponse(body, status=200 if ok else 503)


@require_safe
@uncached
def redis(request):
    return _single(check_redis())


@require_safe
@uncached
def queue(request):
    """200 when a worker with a live scheduler was seen in the last minute, else 503."""
    try:
        state = queue_health.snapshot()
    except Exception:  # Redis unreachable: nobody can be seen
        return JsonResponse({"status": "degraded", "workers": 0, "scheduler": "down"}, status=503)
    body = {
        "status": "ok" if state.healthy else "degraded",
        "workers": state.workers,
        "scheduler": "ok" if state.scheduler_age is not None and state.scheduler_age <= 60 else "down",
    }
    return JsonResponse(body, status=200 if state.healthy else 503)
