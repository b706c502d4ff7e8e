"""Documents nest under a client: `/api/v1/clients/{client_id}/documents/`."""

from clinic.document_views import DocumentViewSet
from config.routers import Router

router = Router()
# DRF's router turns any truthy trailing_slash into "/"; say "optional" again.
router.trailing_slash = "/?"
router.register(r"clients/(?P<client_id>\d+)/documents", DocumentViewSet, basename="client-document")

urlpatterns = router.urls
