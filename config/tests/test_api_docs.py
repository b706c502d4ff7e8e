"""docs/api.md, the contract's copy, and README.md stay in step with the
schema the server publishes: the operations index lists exactly the schema's
operations, and no count in the README can drift from it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
INDEX_ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)` \|", re.MULTILINE)


@pytest.fixture(scope="module")
def operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path.rstrip('/')}"
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    }


def _read(name: str) -> str:
    return (Path(settings.BASE_DIR) / name).read_text()


def _index() -> list[str]:
    text = _read("docs/api.md")
    section = text.split("\n## Operations index\n", 1)[1].split("\n## ", 1)[0]
    return [f"{method} {path.rstrip('/')}" for method, path in INDEX_ROW.findall(section)]


def test_operations_index_lists_exactly_the_schemas_operations(operations):
    index = _index()
    assert len(index) == len(set(index)), "an operation listed twice"
    assert set(index) - operations == set(), "listed in docs/api.md, not in the schema"
    assert operations - set(index) == set(), "in the schema, missing from docs/api.md's Operations index"


def test_readme_states_no_operation_count_the_schema_disagrees_with(operations):
    counts = [int(n.replace(",", "")) for n in re.findall(r"\b(\d[\d,]*) operations\b", _read("README.md"))]
    assert all(count == len(operations) for count in counts), (counts, len(operations))
