"""One error convention: services raise Django's ValidationError or the apps'
domain exceptions, never DRF's; the API handler maps them in one place."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from rest_framework.exceptions import APIException

from config.embedded import BASE_DIR
from config.exceptions import DomainError

APPS = ("accounts", "clinic", "scheduling")
SERVICE_MODULES = [
    path
    for app in APPS
    for name in ("services.py", "selectors.py", "documents.py", "exceptions.py")
    if (path := BASE_DIR / app / name).exists()
]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_services_do_not_import_drf(path):
    drf = {
        name
        for name in _imported_modules(path)
        if name == "rest_framework" or name.startswith("rest_framework.")
    }
    assert drf == set()


@pytest.mark.parametrize("app", APPS)
def test_domain_exceptions_are_not_drf_exceptions(app):
    module = importlib.import_module(f"{app}.exceptions")
    classes = [
        cls for _, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == module.__name__
    ]
    assert classes
    for cls in classes:
        assert issubclass(cls, DomainError) and not issubclass(cls, APIException), cls
