from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import admin_login
from config import errors, health, metrics
from scheduling.views.calendar import subscription_feed

handler404 = "config.errors.handler404"
handler500 = "config.errors.handler500"

urlpatterns = [
    path("health", health.health, name="health"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("health/db", health.db, name="health-db"),
    path("health/redis", health.redis, name="health-redis"),
    path("health/queue", health.queue, name="health-queue"),
    path("metrics", metrics.metrics, name="metrics"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/redoc/?$", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("config.api_urls")),
    # Whatever else is under /api answers a JSON 404 itself: no HTML, no APPEND_SLASH redirect.
    re_path(r"^api(?:/.*)?$", errors.api_not_found),
    # The admin's sign-in and sign-out, rate-limited and audited (accounts/admin_login.py).
    path("admin/login/", admin_login.login),
    path("admin/logout/", admin_login.logout),
    path("admin/", admin.site.urls),
    # Private calendar subscription (API.md, "Calendar"): the token is the credential.
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", subscription_feed, name="calendar-feed-ics"),
]
