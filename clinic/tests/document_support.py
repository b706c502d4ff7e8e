"""What the document tests share: sample files (PDF and TEXT carry MARKER,
which must never be stored in plain text), an upload through the API and one
through the service."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.documents.services import store_document

MARKER = b"MARKER-7f3c-plaintext-must-not-be-stored"
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 12 Tf 20 100 Td (" + MARKER + b") Tj ET\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
TEXT = b"Lab result: haemoglobin 14.1 g/dL\n" + MARKER + "\nnot\u00e9s in UTF-8\n".encode()


def stored_files(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


def upload(client, record, content=PDF, name="report.pdf", title="Blood panel", kind="lab_result"):
    data = {"file": SimpleUploadedFile(name, content), "title": title, "kind": kind}
    return client.post(f"/api/v1/clients/{record.pk}/documents/", data, format="multipart")


def make_document(world, content=PDF, name="report.pdf", client=None):
    return store_document(
        client=client or world.client,
        uploaded_file=SimpleUploadedFile(name, content),
        title="Referral letter",
        kind="referral",
        uploaded_by=world.staff,
    )
