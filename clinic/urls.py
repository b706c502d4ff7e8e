from clinic.views import ClientViewSet
from config.routers import Router

router = Router()
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls
