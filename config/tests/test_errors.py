"""Every 4xx/5xx under /api/ and /health is the contract's JSON, DEBUG on or off."""

import logging

import pytest
from django.urls import path
from rest_framework.test import APIClient
from rest_framework.views import APIView

from config import urls as project_urls


def boom(request):
    raise RuntimeError("unexpected failure holding secret-marker")


class BoomView(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("unexpected failure holding secret-marker")


urlpatterns = [
    path("api/v1/_boom", boom),
    path("api/v1/_boom_drf", BoomView.as_view()),
    *project_urls.urlpatterns,
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def client():
    return APIClient(raise_request_exception=False)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("url", ["/api/v1/no-such-thing", "/api/nothing/", "/health/nope"])
def test_unknown_path_is_json_404(client, settings, debug, url):
    settings.DEBUG = debug
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("url", ["/api/v1/_boom", "/api/v1/_boom_drf"])
def test_unhandled_error_is_json_500_with_error_id(client, settings, caplog, debug, url):
    settings.DEBUG = debug
    with caplog.at_level(logging.ERROR, logger="config.errors"):
        response = client.get(url)
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert body["detail"] == "Internal server error."
    assert "secret-marker" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any(getattr(r, "error_id", None) == body["error_id"] for r in caplog.records)


def test_method_not_allowed_is_json(client):
    response = client.post("/health/live")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_non_api_paths_keep_html_errors(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
