"""Test-wide fixtures. The embedded servers start when settings load (when
DATABASE_URL/REDIS_URL are unset) and are stopped here when the run ends."""

import pytest
from django.core.cache import cache

from config import embedded


def pytest_unconfigure(config):
    embedded.stop_started()


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty Redis: no cached page or count leaks across tests."""
    cache.clear()
    yield
