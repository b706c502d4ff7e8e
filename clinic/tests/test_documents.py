"""Documents through the API: role scoping, upload rules, download headers, audit."""

import hashlib

import pytest

from accounts.models import AuditEvent
from clinic.models import Document
from clinic.tests.document_support import PDF, TEXT, make_document, stored_files, upload

ROLES = ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient", "anonymous"]


def download(client, document):
    response = client.get(f"/api/v1/clients/{document.client_id}/documents/{document.pk}/download")
    body = b"".join(response.streaming_content) if response.status_code == 200 else None
    return response, body


def assert_not_authenticated(response):
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


SEES = {"admin", "staff", "doctor", "patient"}


@pytest.mark.parametrize("role", ROLES)
def test_list_is_scoped_like_the_client(world, api, role):
    document = make_document(world)
    response = api(world.user(role)).get(f"/api/v1/clients/{world.client.pk}/documents")
    if role == "anonymous":
        assert_not_authenticated(response)
    elif role in SEES:
        assert response.status_code == 200
        assert [d["id"] for d in response.json()["results"]] == [document.pk]
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ROLES)
def test_upload_by_role(world, api, role, storage_dir):
    response = upload(api(world.user(role)), world.client)
    if role == "anonymous":
        assert_not_authenticated(response)
    elif role in SEES:
        assert response.status_code == 201
        body = response.json()
        document = Document.objects.get()
        assert body == {
            "id": document.pk,
            "client": world.client.pk,
            "title": "Blood panel",
            "kind": "lab_result",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "uploaded_by": world.user(role).pk,
            "created_at": body["created_at"],
        }
        assert document.original_name == "report.pdf"
        assert "report" not in document.file.name
        assert len(stored_files(storage_dir)) == 1
        return
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize("role", ROLES)
def test_retrieve_and_download_by_role(world, api, role):
    document = make_document(world)
    client = api(world.user(role))
    detail = client.get(f"/api/v1/clients/{world.client.pk}/documents/{document.pk}/")
    response, body = download(client, document)
    if role == "anonymous":
        assert_not_authenticated(detail)
        assert_not_authenticated(response)
    elif role in SEES:
        assert detail.status_code == 200
        assert detail.json()["id"] == document.pk
        assert response.status_code == 200
        assert body == PDF
    else:
        assert detail.status_code == response.status_code == 404
        assert detail.json()["code"] == response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 204),
        ("staff", 403),
        ("doctor", 403),
        ("patient", 403),
        ("other_doctor", 404),
        ("other_patient", 404),
    ],
)
def test_delete_archives_for_admin_only(world, api, role, status):
    document = make_document(world)
    response = api(world.user(role)).delete(f"/api/v1/clients/{world.client.pk}/documents/{document.pk}")
    assert response.status_code == status
    document.refresh_from_db()
    assert document.is_archived is (status == 204)
    if status == 204:
        assert AuditEvent.objects.filter(
            action="delete", object_type="document", object_id=str(document.pk)
        ).exists()
        listed = api(world.admin).get(f"/api/v1/clients/{world.client.pk}/documents").json()
        assert listed["count"] == 0
        assert (
            api(world.admin).get(f"/api/v1/clients/{world.client.pk}/documents/{document.pk}").status_code
            == 404
        )
    else:
        assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[status]


def test_document_of_another_client_is_404_under_this_client(world, api):
    document = make_document(world, client=world.other_client)
    response = api(world.admin).get(f"/api/v1/clients/{world.client.pk}/documents/{document.pk}")
    assert response.status_code == 404


def test_archived_clients_documents_leave_every_list(world, api):
    document = make_document(world)
    world.client.is_archived = True
    world.client.save()
    for role in ("admin", "staff", "doctor", "patient"):
        client = api(world.user(role))
        assert client.get(f"/api/v1/clients/{world.client.pk}/documents").status_code == 404
        assert download(client, document)[0].status_code == 404


def test_download_headers_and_audit(world, api):
    document = make_document(world, name="../../etc/Blood results.PDF")
    response, body = download(api(world.doctor), document)
    assert response.status_code == 200
    assert body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="Blood results.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.object_type, event.object_id) == (world.doctor, "document", str(document.pk))


def test_audit_rows_hold_the_id_never_the_title_or_file_name(world, api):
    response = upload(api(world.patient), world.client, name="hiv-test-smith.pdf", title="HIV test Smith")
    document_id = response.json()["id"]
    download(api(world.patient), Document.objects.get())
    api(world.admin).delete(f"/api/v1/clients/{world.client.pk}/documents/{document_id}")
    events = AuditEvent.objects.filter(object_type="document")
    assert sorted(events.values_list("action", flat=True)) == ["create", "delete", "view"]
    for event in events:
        assert event.object_id == str(document_id)
        row = repr(AuditEvent.objects.filter(pk=event.pk).values().get())
        assert "HIV" not in row
        assert "smith" not in row.lower()


def test_text_download_is_plain_text(world, api):
    response = upload(api(world.staff), world.client, content=TEXT, name="notes.html", kind="other")
    assert response.status_code == 201
    assert response.json()["content_type"] == "text/plain; charset=utf-8"
    document = Document.objects.get()
    response, body = download(api(world.staff), document)
    assert body == TEXT
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("scan.pdf", b"  <html><body>hello</body></html>"),
        ("result.txt", b"Result attached\n<script src=//evil.test/x.js></script>\n"),
        ("run.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"code"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00"),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("latin1.txt", "caf\u00e9".encode("latin-1")),
        ("nul.txt", b"text with a \x00 byte"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 40),
    ],
)
def test_unsupported_types_are_400_and_leave_nothing(world, api, storage_dir, name, content):
    response = upload(api(world.staff), world.client, content=content, name=name)
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_file_type"
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64, "image/tiff"),
        (b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00UL" + b"\x00" * 64, "application/dicom"),
    ],
)
def test_images_and_dicom_are_accepted_by_their_bytes(world, api, content, content_type):
    response = upload(
        api(world.staff), world.client, content=content, name="upload.bin", kind="imaging_report"
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == content_type


def test_one_byte_over_the_limit_is_413_and_leaves_nothing(world, api, settings, storage_dir):
    settings.DOCUMENT_MAX_MB = 1
    limit = 1024 * 1024
    too_big = b"%PDF-1.4\n" + b"0" * (limit - 9 + 1)
    response = upload(api(world.staff), world.client, content=too_big)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []
    exactly = too_big[:-1]
    assert upload(api(world.staff), world.client, content=exactly).status_code == 201
    assert Document.objects.get().size == limit


def test_missing_fields_are_400_validation_error(world, api):
    response = api(world.staff).post(
        f"/api/v1/clients/{world.client.pk}/documents", {"title": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["errors"]) == {"file"}
    assert not Document.objects.exists()


def test_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    for _ in range(5):
        make_document(world)
    with django_assert_max_num_queries(4):
        response = api(world.doctor).get(f"/api/v1/clients/{world.client.pk}/documents?limit=100")
    assert response.json()["count"] == 5


def test_schema_shows_multipart_upload_and_binary_download(api, world):
    schema = api(world.admin).get("/api/schema/?format=json").json()
    documents = schema["paths"]["/api/v1/clients/{client_id}/documents/"]
    upload_body = documents["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    component = schema["components"]["schemas"][upload_body["$ref"].rsplit("/", 1)[1]]
    assert component["properties"]["file"] == {"type": "string", "format": "binary"}
    download_path = schema["paths"]["/api/v1/clients/{client_id}/documents/{doc_id}/download/"]
    binary = download_path["get"]["responses"]["200"]["content"]["application/pdf"]["schema"]
    assert binary == {"type": "string", "format": "binary"}
