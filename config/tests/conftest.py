"""Fixtures of the project-wide tests (errors, health, deployment, docs)."""

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient


@pytest.fixture
def client():
    """An anonymous API client (a module may ask for Django's browser client instead)."""
    return APIClient()


@pytest.fixture(scope="module")
def schema() -> dict:
    """The OpenAPI schema drf-spectacular serves, generated once per module, in
    English as served (a module fixture runs before the per-test language reset)."""
    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)
