"""Health probes (API.md, "Health and docs"). Never cached, no auth."""

import django_rq
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_redis import get_redis_connection
from rq import Worker
from rq.scheduler import RQScheduler


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


def check_queue() -> tuple[int, bool]:
    """Workers registered on the default queue, and whether a scheduler holds its
    lock: a live scheduler refreshes that lock every second, with a 61 s lease.
    Read over the cache's connection (same Redis), which has short timeouts."""
    try:
        queue = django_rq.get_queue("default", connection=get_redis_connection("default"))
        workers = Worker.count(queue=queue)
        scheduler = bool(queue.connection.exists(RQScheduler.get_locking_key(queue.name)))
    except Exception:  # an unreachable Redis means no worker can be seen either
        return 0, False
    return workers, scheduler


def _answer(checks: dict[str, bool]) -> JsonResponse:
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _single(ok: bool) -> JsonResponse:
    return JsonResponse({"status": "ok" if ok else "down"}, status=200 if ok else 503)


@require_GET
@never_cache
def health(request):
    return _answer({"db": check_db(), "redis": check_redis()})


@require_GET
@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def db(request):
    return _single(check_db())


@require_GET
@never_cache
def redis(request):
    return _single(check_redis())


@require_GET
@never_cache
def queue(request):
    workers, scheduler = check_queue()
    healthy = workers > 0 and scheduler
    body = {
        "status": "ok" if healthy else "degraded",
        "workers": workers,
        "scheduler": "ok" if scheduler else "down",
    }
    return JsonResponse(body, status=200 if healthy else 503)
