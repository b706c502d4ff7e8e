"""`/api/v1/`: each app contributes its own `urls.py`."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("clinic.urls")),
    path("", include("scheduling.urls")),
]
