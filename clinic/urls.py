from django.urls import re_path

from clinic.documents.views import DocumentViewSet
from clinic.emergency import EmergencyAccessView
from clinic.views import ClientViewSet, RegisterView
from config.routers import Router

router = Router()
router.register("clients", ClientViewSet, basename="client")
router.register(r"clients/(?P<client_id>\d+)/documents", DocumentViewSet, basename="client-document")

urlpatterns = [
    # A patient's sign-up sits with the other auth endpoints (accounts/urls.py).
    re_path(r"^auth/register/?$", RegisterView.as_view(), name="auth-register"),
    re_path(
        r"^clients/(?P<pk>\d+)/emergency-access/?$",
        EmergencyAccessView.as_view(),
        name="client-emergency-access",
    ),
    *router.urls,
]
