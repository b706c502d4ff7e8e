from clinic import document_urls
from config.routers import Router

router = Router()

urlpatterns = router.urls + document_urls.urlpatterns
