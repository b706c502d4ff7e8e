"""`/api/v1/`: one router for every app; paths answer with or without a trailing slash."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False

    def __init__(self):
        super().__init__(trailing_slash="/?")


router = Router()

urlpatterns = router.urls
