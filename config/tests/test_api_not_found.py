"""Under /api every unknown path is the contract's JSON 404, DEBUG on or off,
whatever the method: never Django's HTML page, never an APPEND_SLASH redirect.
Known paths answer with or without a trailing slash (API.md, "Paths")."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNKNOWN = [
    "/api",
    "/api/",
    "/api/anything-not-v1",
    "/api/v2/x",
    "/api/v1",
    "/api/v1/",
    "/api/v1/nonexistent",
    "/api/v1/nonexistent/",
]


@pytest.fixture
def client():
    # A browser's POST carries no CSRF token: the 404 must come before any CSRF check.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("url", UNKNOWN)
def test_unknown_api_path_is_json_404(client, settings, debug, method, url):
    settings.DEBUG = debug
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert "Location" not in response


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/schema", 200),
        ("/api/schema/", 200),
        ("/api/docs", 200),
        ("/api/docs/", 200),
        ("/api/redoc", 200),
        ("/api/redoc/", 200),
        ("/api/v1/auth/me", 401),
        ("/api/v1/auth/me/", 401),
        ("/api/v1/clients", 401),
        ("/api/v1/clients/", 401),
    ],
)
def test_known_api_paths_answer_with_or_without_a_slash(client, settings, debug, url, status):
    settings.DEBUG = debug
    response = client.get(url)
    assert response.status_code == status
    assert "Location" not in response


def test_paths_outside_the_api_keep_django_pages(client, settings):
    settings.DEBUG = False
    response = client.get("/apix")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
