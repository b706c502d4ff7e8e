"""Strict input on clients and documents: id filters are positive integers,
and a download's Content-Type is one the schema declares."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.documents.services import store_document
from clinic.models import Document

pytestmark = pytest.mark.django_db

NOT_IDS = ["1.9", "1.5", "0", "-1", "01", "1e0", "2147483648", "99999999999999999999"]
DOWNLOAD_PATH = "/api/v1/clients/{client_id}/documents/{doc_id}/download/"
SAMPLES = {
    "application/pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "image/png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64,
    "image/tiff": b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64,
    "application/dicom": b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00UL" + b"\x00" * 64,
    "text/plain": b"Lab result: haemoglobin 14.1 g/dL\n",
}


@pytest.mark.parametrize("value", NOT_IDS)
def test_assigned_doctor_filter_takes_only_positive_integers(api, world, value):
    response = api(world.staff).get("/api/v1/clients/", {"assigned_doctor": value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["assigned_doctor"]


def test_assigned_doctor_filter_matches_by_id(api, world):
    response = api(world.staff).get("/api/v1/clients/", {"assigned_doctor": world.doctor.pk})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.client.pk]


@pytest.mark.parametrize("kind", ["", "lab", "OTHER"])
def test_upload_kind_outside_its_enum_is_400_even_when_blank(api, world, kind):
    data = {"file": SimpleUploadedFile("a.txt", SAMPLES["text/plain"]), "title": "Scan", "kind": kind}
    response = api(world.staff).post(
        f"/api/v1/clients/{world.client.pk}/documents/", data, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["kind"]
    assert not Document.objects.exists()


def test_upload_without_kind_is_other(api, world):
    data = {"file": SimpleUploadedFile("a.txt", SAMPLES["text/plain"]), "title": "Scan"}
    response = api(world.staff).post(
        f"/api/v1/clients/{world.client.pk}/documents/", data, format="multipart"
    )
    assert response.status_code == 201
    assert Document.objects.get().kind == "other"


@pytest.mark.parametrize("media_type", SAMPLES)
def test_download_content_type_is_declared_in_the_schema(api, world, media_type):
    document = store_document(
        client=world.client,
        uploaded_file=SimpleUploadedFile("upload.bin", SAMPLES[media_type]),
        title="Scan",
        kind="other",
        uploaded_by=world.staff,
    )
    staff = api(world.staff)
    response = staff.get(f"/api/v1/clients/{world.client.pk}/documents/{document.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SAMPLES[media_type]
    assert response["Content-Type"].partition(";")[0] == media_type
    schema = staff.get("/api/schema/?format=json").json()
    declared = schema["paths"][DOWNLOAD_PATH]["get"]["responses"]["200"]["content"]
    assert sorted(declared) == sorted(SAMPLES)
    assert declared[media_type]["schema"] == {"type": "string", "format": "binary"}
