"""Swagger UI and ReDoc work offline: their pages load nothing from outside
the project, and every asset they name is served by the project itself."""

import re

import pytest

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_nothing_from_another_host(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "googleapis" not in html
    assets = ASSET.findall(html)
    assert assets, "the page names its scripts"
    external = [a for a in assets if a.startswith(("http:", "https:", "//"))]
    assert external == []


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_page_assets_are_served_by_the_project(client, url):
    html = client.get(url).content.decode()
    scripts = [a for a in ASSET.findall(html) if a.startswith("/static/")]
    assert any(a.endswith(".js") for a in scripts)
    for asset in scripts:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)
