from config.routers import Router

router = Router()

urlpatterns = router.urls
