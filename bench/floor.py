"""The floor of `make bench`: a bare Django application (one view returning a
small JSON body, SecurityMiddleware and CommonMiddleware only, no database),
served by the same gunicorn configuration as the project
(bench/floor_gunicorn.py). Every endpoint's ratio is to this floor, so what
the project's stack costs shows instead of hiding in the denominator.

    gunicorn -c bench/floor_gunicorn.py bench.floor:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-floor-not-a-secret",  # noqa: S106 (serves one constant JSON body on loopback)
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    DATABASES={},
    MIDDLEWARE=["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"],
    USE_TZ=True,
)


def live(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/live", live)]
application = get_wsgi_application()
