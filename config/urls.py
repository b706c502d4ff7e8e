"""The root URLconf: config's own routes (health, metrics, schema) and the
apps' routes included by dotted name, so config imports none of the apps."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from config import admin_autocomplete, errors, health, metrics
from config.schema_view import EnglishSchemaView

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
    re_path(r"^api/schema/?$", EnglishSchemaView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/redoc/?$", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("config.api_urls")),
    # Whatever else is under /api answers a JSON 404 itself: no HTML, no APPEND_SLASH redirect.
    re_path(r"^api(?:/.*)?$", errors.api_not_found),
    # The admin's sign-in and sign-out, rate-limited and audited (accounts/admin_login.py).
    path("admin/", include("accounts.admin_urls")),
    path("admin/autocomplete/", admin_autocomplete.autocomplete),  # labelled results
    path("admin/", admin.site.urls),
    # Private calendar subscription (API.md, "Calendar"): the token is the credential.
    path("", include("scheduling.feed_urls")),
]
