"""Documents at rest: encrypted on the storage, key rotation, nothing half-written, the admin."""

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError

from accounts.models import AuditEvent
from clinic.documents import records
from clinic.documents import services as documents
from clinic.models import Document
from clinic.tests.document_support import MARKER, PDF, TEXT, make_document, stored_files, upload


def read_back(document) -> bytes:
    return b"".join(documents.open_document(document))


def test_stored_bytes_never_hold_the_plaintext(world, api, storage_dir):
    assert upload(api(world.staff), world.client, content=PDF, name="marker.pdf").status_code == 201
    assert upload(api(world.staff), world.client, content=TEXT, name="marker.txt").status_code == 201
    files = stored_files(storage_dir)
    assert len(files) == 2
    for path in files:
        stored = path.read_bytes()
        assert MARKER not in stored
        assert b"%PDF" not in stored
        assert b"marker" not in path.name.encode()
    assert sorted(read_back(d) for d in Document.objects.all()) == sorted([PDF, TEXT])


def test_multi_chunk_document_round_trips(world, settings):
    big = b"%PDF-1.7\n" + bytes(range(256)) * (records.CHUNK_SIZE * 3 // 256 + 7)
    document = make_document(world, content=big)
    assert document.size == len(big)
    assert read_back(document) == big


def test_reordered_or_truncated_records_are_refused(world, storage_dir):
    big = b"%PDF-1.7\n" + b"x" * (records.CHUNK_SIZE * 2)
    document = make_document(world, content=big)
    path = storage_dir / document.file.name
    magic, first, second, third, _ = path.read_bytes().split(b"\n")
    for tampered in ([first, third, second], [first, second]):
        path.write_bytes(b"\n".join([magic, *tampered]) + b"\n")
        with pytest.raises(records.DocumentCorrupted):
            read_back(document)


def test_key_rotation_keeps_old_documents_readable(world, settings, storage_dir):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    document = make_document(world, content=TEXT)
    old_name = document.file.name
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert read_back(document) == TEXT  # readable before rotation, under the old key

    assert documents.rotate_document_keys(batch_size=1) == 1
    assert documents.rotate_document_keys(batch_size=1) == 0  # safe to re-run

    document.refresh_from_db()
    assert document.file.name != old_name
    assert [p.name for p in stored_files(storage_dir)] == [document.file.name.rsplit("/", 1)[1]]
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key retired
    document = Document.objects.get(pk=document.pk)
    assert read_back(document) == TEXT
    assert document.title == "Referral letter"
    assert document.original_name == "report.pdf"


def test_a_failed_database_write_leaves_no_file(world, storage_dir):
    # A kind longer than its column: PostgreSQL itself refuses the row.
    with pytest.raises(DataError):
        documents.store_document(
            client=world.client,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
            title="t",
            kind="k" * 40,
            uploaded_by=world.staff,
        )
    assert stored_files(storage_dir) == []
    assert not Document.objects.exists()


def test_storage_name_is_random_not_the_upload_name(world):
    document = documents.store_document(
        client=world.client,
        uploaded_file=SimpleUploadedFile("../../secret/John Smith.pdf", PDF),
        title="t",
        kind="other",
        uploaded_by=world.admin,
    )
    assert "Smith" not in document.file.name
    assert ".." not in document.file.name
    assert document.original_name == "John Smith.pdf"


def test_admin_download_is_audited_and_decrypted(admin_client, world):
    document = make_document(world)
    response = admin_client.get(f"/admin/clinic/document/{document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.object_type, event.object_id) == (world.admin, "document", str(document.pk))


def test_admin_pages_show_metadata_without_a_file_widget(admin_client, world):
    document = make_document(world)
    page = admin_client.get(f"/admin/clinic/document/{document.pk}/change/")
    assert page.status_code == 200
    assert b'type="file"' not in page.content
    assert f"/admin/clinic/document/{document.pk}/download/".encode() in page.content
    assert admin_client.get("/admin/clinic/document/add/").status_code == 403
    listing = admin_client.get(f"/admin/clinic/document/?q={document.client_id}")
    assert listing.status_code == 200
    assert str(document.pk).encode() in listing.content


def test_admin_archive_and_restore_actions(admin_client, world):
    document = make_document(world)
    for action, archived in (("archive", True), ("restore", False)):
        response = admin_client.post(
            "/admin/clinic/document/", {"action": action, "_selected_action": [document.pk]}
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.is_archived is archived
    actions = list(AuditEvent.objects.filter(object_type="document").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "update"]
