"""Fixtures of the accounts tests."""

import pytest


@pytest.fixture
def rates(settings):
    """Small login limits (2 a minute per account, 100 per IP), the client's own
    address as seen (no trusted proxy); returns the settings to change further."""
    settings.LOGIN_RATE = "2/m"
    settings.LOGIN_IP_RATE = "100/m"
    settings.TRUSTED_PROXY_COUNT = 0
    return settings
