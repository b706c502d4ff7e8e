"""Fixtures of the clinic tests: every one stores documents in a directory of its own."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path) -> Path:
    """Documents go to a fresh directory per test, never to .data/media."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location
