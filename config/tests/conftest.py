"""Fixtures of the project-wide tests (errors, health, deployment, docs)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient


@pytest.fixture
def client():
    """An anonymous API client (a module may ask for Django's browser client instead)."""
    return APIClient()


@pytest.fixture(scope="module")
def schema() -> dict:
    """The OpenAPI schema drf-spectacular serves, generated once per module."""
    return SchemaGenerator().get_schema(request=None, public=True)
