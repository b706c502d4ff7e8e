"""Documents: upload, download, archive and key rotation (API.md, "Documents").
The bytes are sealed as records (clinic/documents/records.py) before they reach
the storage; every step that shows or changes a document is audited."""

import re
import tempfile
from collections.abc import Iterator
from pathlib import PurePath

from django.core.files import File
from django.db import transaction

from accounts.audit import record_event
from accounts.models import AuditAction
from clinic.documents import records
from clinic.documents.content import EXTENSIONS
from clinic.documents.storage import documents_storage
from clinic.models import Client, Document, random_document_name
from config.crypto import field_fernet


def _save_encrypted(encrypted) -> str:
    encrypted.seek(0)
    return documents_storage.save(random_document_name(None, ""), File(encrypted))


def store_document(
    *, client: Client, uploaded_file, title: str, kind: str, uploaded_by, request=None
) -> Document:
    """Encrypt and store an upload on `client`'s record; 413 `file_too_large`
    or 400 `unsupported_file_type` leave nothing behind."""
    with tempfile.TemporaryFile() as encrypted:
        content_type, size, sha256 = records.encrypt_upload(uploaded_file, encrypted)
        name = _save_encrypted(encrypted)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                client=client,
                title=title,
                kind=kind,
                content_type=content_type,
                size=size,
                sha256=sha256,
                file=name,
                original_name=PurePath(str(uploaded_file.name or "").replace("\\", "/")).name[:255],
                uploaded_by=uploaded_by,
            )
            record_event(action=AuditAction.CREATE, actor=uploaded_by, obj=document, request=request)
    except BaseException:
        documents_storage.delete(name)
        raise
    return document


def open_document(document: Document) -> Iterator[bytes]:
    """The decrypted bytes of `document`, chunk by chunk (memory: one chunk)."""
    return records.decrypt(records.read_records(document.file.name))


def read_document(*, document: Document, actor, request=None) -> Iterator[bytes]:
    """A download: recorded as an audit `view` of the document, then its bytes."""
    record_event(action=AuditAction.VIEW, actor=actor, obj=document, request=request)
    return open_document(document)


def download_filename(document: Document) -> str:
    """A safe attachment name: the uploaded stem without any path, and the
    extension of the type the bytes showed (never the uploaded one)."""
    stem = PurePath(document.original_name.replace("\\", "/")).stem
    stem = re.sub(r"[^\w.\- ]+", "_", stem).strip(" ._")[:80] or f"document-{document.pk}"
    return f"{stem}.{EXTENSIONS.get(document.content_type, 'bin')}"


def archive_document(*, document: Document, actor, request=None) -> Document:
    """Archive (the API's DELETE): hidden from every list, restorable in the admin."""
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(is_archived=True)
        document.is_archived = True
        record_event(action=AuditAction.DELETE, actor=actor, obj=document, request=request)
    return document


def restore_document(*, document: Document, actor, request=None) -> Document:
    """Bring an archived document back."""
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(is_archived=False)
        document.is_archived = False
        record_event(
            action=AuditAction.UPDATE, actor=actor, obj=document, request=request, fields=["is_archived"]
        )
    return document


def _rotate_one(document: Document) -> bool:
    """Re-encrypt one document under the newest key; False when it already was."""
    old_name = document.file.name
    if records.is_under_newest_key(old_name):
        return False
    with tempfile.TemporaryFile() as rotated:
        rotated.write(records.MAGIC)
        for token in records.read_records(old_name):
            rotated.write(field_fernet().rotate(token) + b"\n")
        new_name = _save_encrypted(rotated)
    try:
        with transaction.atomic():
            updated = Document.objects.filter(pk=document.pk, file=old_name).update(
                file=new_name, title=document.title, original_name=document.original_name
            )
    except BaseException:
        documents_storage.delete(new_name)
        raise
    if not updated:  # rotated by someone else meanwhile
        documents_storage.delete(new_name)
        return False
    documents_storage.delete(old_name)
    return True


def rotate_document_keys(*, batch_size: int = 100) -> int:
    """Re-encrypt every stored document (and its encrypted title and name)
    under the newest FIELD_ENCRYPTION_KEYS key; safe to re-run. Returns how
    many documents were rewritten."""
    rotated = 0
    last_pk = 0
    while True:
        batch = list(Document.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return rotated
        for document in batch:
            rotated += _rotate_one(document)
        last_pk = batch[-1].pk
