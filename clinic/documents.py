"""Documents: upload, download, archive and key rotation (API.md, "Documents").

A stored document is a sequence of records, one Fernet token per line, each
sealing up to CHUNK_SIZE bytes of the file behind a header (the file's random
id, the record's index, a last-record flag). Fernet is not a streaming cipher;
records keep memory bounded to one chunk for any file size, and the header
stops records from being reordered, dropped or moved between files.
"""

import codecs
import hashlib
import re
import secrets
import struct
import tempfile
from collections.abc import Iterator
from pathlib import PurePath

import filetype
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files import File
from django.db import transaction

from accounts.audit import record_event
from accounts.models import AuditAction
from clinic.document_storage import documents_storage
from clinic.exceptions import FileTooLarge, UnsupportedFileType
from clinic.models import Client, Document, random_document_name
from config.crypto import field_fernet

CHUNK_SIZE = 1024 * 1024
MAGIC = b"clinic-document-v1\n"
HEADER = struct.Struct(">16sQ?")  # file id, record index, is last
SNIFF_BYTES = 8192
READ_SIZE = 256 * 1024

ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tiff",
    "application/dicom": "dcm",
}
TEXT_TYPE = "text/plain; charset=utf-8"
EXTENSIONS = {**ACCEPTED_TYPES, TEXT_TYPE: "txt"}
# Markup anywhere in a file is never "plain text": "<" followed by what opens
# a tag (a letter), an end tag ("/"), a comment or doctype ("!") or a
# processing instruction ("?"), the HTML tokenizer's tag-open state. Any other
# "<" ("x < 5", "<5 mmol/L", "<=") is text to a browser too, and stays allowed.
MARKUP = re.compile(rb"<[A-Za-z/!?]")
MARKUP_OVERLAP = 1  # bytes of a chunk searched again with the next: a tag split across chunks
# A script an OS would run.
SHEBANG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*#!")


class DocumentCorrupted(Exception):
    """The stored file does not decrypt into a whole, ordered document."""


def max_document_bytes() -> int:
    return settings.DOCUMENT_MAX_MB * 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """The type the first bytes show, among the accepted ones; None for text or anything else."""
    if len(head) > 132 and head[128:132] == b"DICM":
        return "application/dicom"
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ACCEPTED_TYPES:
        return kind.mime
    return None


class _TextCheck:
    """Incremental plain-text check: valid UTF-8 all through, no NUL byte, no
    shebang, no markup in any chunk (nor across two)."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True
        self.tail = None  # the end of the previous chunk; None before the first

    def feed(self, data: bytes, *, final: bool = False) -> None:
        if not self.ok:
            return
        if self.tail is None and SHEBANG.match(data):
            self.ok = False
            return
        if b"\x00" in data or MARKUP.search((self.tail or b"") + data):
            self.ok = False
            return
        self.tail = data[-MARKUP_OVERLAP:]
        try:
            self.decoder.decode(data, final)
        except UnicodeDecodeError:
            self.ok = False


def _read_chunks(uploaded_file) -> Iterator[bytes]:
    """The upload in CHUNK_SIZE pieces (the last one shorter)."""
    buffer = b""
    for piece in uploaded_file.chunks(CHUNK_SIZE):
        buffer += piece
        while len(buffer) >= CHUNK_SIZE:
            yield buffer[:CHUNK_SIZE]
            buffer = buffer[CHUNK_SIZE:]
    if buffer:
        yield buffer


def _seal(file_id: bytes, index: int, data: bytes, *, last: bool) -> bytes:
    return field_fernet().encrypt(HEADER.pack(file_id, index, last) + data) + b"\n"


def _encrypt_upload(uploaded_file, out) -> tuple[str, int, str]:
    """Encrypt `uploaded_file` into `out`, checking size and type on the way;
    returns (content type, size, sha256 of the plaintext)."""
    limit = max_document_bytes()
    file_id = secrets.token_bytes(16)
    digest = hashlib.sha256()
    text = _TextCheck()
    size = 0
    content_type = None
    out.write(MAGIC)
    pending = None  # one chunk held back so the last one can be flagged
    for index, chunk in enumerate(_read_chunks(uploaded_file)):
        size += len(chunk)
        if size > limit:
            raise FileTooLarge()
        if index == 0:
            content_type = sniff_content_type(chunk[:SNIFF_BYTES])
        if content_type is None:
            text.feed(chunk)
            if not text.ok:
                raise UnsupportedFileType()
        digest.update(chunk)
        if pending is not None:
            out.write(_seal(file_id, index - 1, pending, last=False))
        pending = chunk
    if pending is None:
        raise UnsupportedFileType()  # empty
    if content_type is None:
        text.feed(b"", final=True)
        if not text.ok:
            raise UnsupportedFileType()
        content_type = TEXT_TYPE
    out.write(_seal(file_id, index, pending, last=True))
    return content_type, size, digest.hexdigest()


def _save_encrypted(encrypted) -> str:
    encrypted.seek(0)
    return documents_storage.save(random_document_name(None, ""), File(encrypted))


def store_document(
    *, client: Client, uploaded_file, title: str, kind: str, uploaded_by, request=None
) -> Document:
    """Encrypt and store an upload on `client`'s record; 413 `file_too_large`
    or 400 `unsupported_file_type` leave nothing behind."""
    with tempfile.TemporaryFile() as encrypted:
        content_type, size, sha256 = _encrypt_upload(uploaded_file, encrypted)
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


def _records(name: str) -> Iterator[bytes]:
    """The stored tokens of `name`; the file is opened (and checked) now, not on first read."""
    stored = documents_storage.open(name, "rb")
    if stored.read(len(MAGIC)) != MAGIC:
        stored.close()
        raise DocumentCorrupted()
    return _lines(stored)


def _lines(stored) -> Iterator[bytes]:
    # Read on from the current position (File.__iter__ would seek back to 0).
    with stored:
        buffer = b""
        while piece := stored.read(READ_SIZE):
            buffer += piece
            *lines, buffer = buffer.split(b"\n")
            yield from lines
        if buffer:
            yield buffer


def open_document(document: Document) -> Iterator[bytes]:
    """The decrypted bytes of `document`, chunk by chunk (memory: one chunk)."""
    return _decrypt(_records(document.file.name))


def _decrypt(tokens: Iterator[bytes]) -> Iterator[bytes]:
    file_id = None
    finished = False
    for expected, token in enumerate(tokens):
        if finished:
            raise DocumentCorrupted()
        plain = field_fernet().decrypt(token)
        record_file_id, index, finished = HEADER.unpack_from(plain)
        file_id = file_id or record_file_id
        if record_file_id != file_id or index != expected:
            raise DocumentCorrupted()
        yield plain[HEADER.size :]
    if not finished:
        raise DocumentCorrupted()


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


def _is_under_newest_key(name: str) -> bool:
    tokens = _records(name)
    try:
        first = next(tokens, None)
    finally:
        tokens.close()
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(first or b"")
    except InvalidToken:
        return False
    return True


def _rotate_one(document: Document) -> bool:
    """Re-encrypt one document under the newest key; False when it already was."""
    old_name = document.file.name
    if _is_under_newest_key(old_name):
        return False
    with tempfile.TemporaryFile() as rotated:
        rotated.write(MAGIC)
        for token in _records(old_name):
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
