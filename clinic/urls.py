from clinic.document_views import DocumentViewSet
from clinic.views import ClientViewSet
from config.routers import Router

router = Router()
router.register("clients", ClientViewSet, basename="client")
router.register(r"clients/(?P<client_id>\d+)/documents", DocumentViewSet, basename="client-document")

urlpatterns = router.urls
