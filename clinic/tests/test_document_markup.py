"""Plain text holds no markup anywhere: HTML deep in a file, or split across the
chunks the upload is read in, is refused (API.md, "Documents")."""

import pytest

from clinic.documents.records import CHUNK_SIZE
from clinic.models import Document
from clinic.tests.document_support import stored_files, upload

DEEP = 100_000  # far past the first bytes the type is sniffed from
LINE = b"Lab result: haemoglobin 14.1 g/dL, all within range.\n"


def text_of(size: int) -> bytes:
    return (LINE * (size // len(LINE) + 1))[:size]


def assert_refused(response, storage_dir):
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_file_type"
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize(
    "markup",
    [
        b"<script>alert(1)</script>",
        b"<svg onload=alert(1)>",
        b'<iframe src="https://evil.test">',
        b'<a href="https://evil.test">results</a>',
        b"<!DOCTYPE html>",
        b'<?xml version="1.0"?>',
        b"<!-- hidden -->",
        b"</p>",
    ],
)
def test_markup_deep_in_a_text_file_is_refused(world, api, storage_dir, markup):
    content = text_of(DEEP) + markup + b"\n" + text_of(1000)
    response = upload(api(world.staff), world.client, content=content, name="results.txt", kind="other")
    assert_refused(response, storage_dir)


def test_a_tag_split_across_two_chunks_is_refused(world, api, storage_dir):
    head = text_of(CHUNK_SIZE - 1) + b"<"  # the first chunk ends on "<", the next starts "script>"
    content = head + b"script>alert(1)\n"  # no other "<" after the split
    assert len(head) == CHUNK_SIZE
    response = upload(api(world.staff), world.client, content=content, name="results.txt", kind="other")
    assert_refused(response, storage_dir)


def test_a_tag_in_a_later_chunk_is_refused(world, api, storage_dir):
    content = text_of(2 * CHUNK_SIZE + 10) + b"<scr" + b"ipt>alert(1)</script>\n"
    response = upload(api(world.staff), world.client, content=content, name="results.txt", kind="other")
    assert_refused(response, storage_dir)


def test_comparisons_in_a_lab_report_are_plain_text(world, api, storage_dir):
    content = (
        text_of(DEEP)
        + b"Glucose <5 mmol/L; x < 5 and y > 3; ratio <= 1.2; 1 << 2; -> see below\n"
        + text_of(CHUNK_SIZE)
    )
    response = upload(api(world.staff), world.client, content=content, name="results.txt", kind="other")
    assert response.status_code == 201
    assert response.json()["content_type"] == "text/plain; charset=utf-8"
    assert Document.objects.get().size == len(content)
    assert len(stored_files(storage_dir)) == 1
