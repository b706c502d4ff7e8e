"""`/api/schema/`, served in English (API.md, "Languages")."""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView


class EnglishSchemaView(SpectacularAPIView):
    """`/api/schema/`: developer documentation, in English whatever the request
    asks, like API.md beside it (model labels and enum names would otherwise
    follow Accept-Language into titles and descriptions)."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            response.render()  # lazy texts in the document become English here
        response["Content-Language"] = "en"
        return response
