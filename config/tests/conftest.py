"""Fixtures of the project-wide tests (errors, health, deployment, docs)."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def client():
    """An anonymous API client (a module may ask for Django's browser client instead)."""
    return APIClient()
