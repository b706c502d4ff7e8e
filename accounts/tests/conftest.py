"""Fixtures of the accounts tests."""

from types import SimpleNamespace

import pytest

from accounts import ratelimits


@pytest.fixture
def rates(settings):
    """Small login limits (2 a minute per account, 100 per IP), the client's own
    address as seen (no trusted proxy); returns the settings to change further."""
    settings.LOGIN_RATE = "2/m"
    settings.LOGIN_IP_RATE = "100/m"
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


@pytest.fixture
def one_window(monkeypatch):
    """The in-process fallback counts in fixed windows (accounts/ratelimits.py):
    hold its clock ten seconds into a minute, so no window turns between tries."""
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))
