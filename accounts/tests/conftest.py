import pytest


@pytest.fixture
def redis_unreachable(settings, tmp_path):
    """Point the cache at a socket nobody listens on: the real client, failing."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0",
        }
    }
