"""The stored form of a document: a sequence of records, one Fernet token per
line, each sealing up to CHUNK_SIZE bytes of the file behind a header (the
file's random id, the record's index, a last-record flag). Fernet is not a
streaming cipher; records keep memory bounded to one chunk for any file size,
and the header stops records from being reordered, dropped or moved between
files. Uploads are checked (size, type) while they are sealed."""

import hashlib
import secrets
import struct
from collections.abc import Iterator

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from clinic.documents.content import SNIFF_BYTES, TEXT_TYPE, TextCheck, max_document_bytes, sniff_content_type
from clinic.documents.storage import documents_storage
from clinic.exceptions import FileTooLarge, UnsupportedFileType
from config.crypto import field_fernet

CHUNK_SIZE = 1024 * 1024
MAGIC = b"clinic-document-v1\n"
HEADER = struct.Struct(">16sQ?")  # file id, record index, is last
READ_SIZE = 256 * 1024


class DocumentCorrupted(Exception):
    """The stored file does not decrypt into a whole, ordered document."""


def read_chunks(uploaded_file) -> Iterator[bytes]:
    """The upload in CHUNK_SIZE pieces (the last one shorter)."""
    buffer = b""
    for piece in uploaded_file.chunks(CHUNK_SIZE):
        buffer += piece
        while len(buffer) >= CHUNK_SIZE:
            yield buffer[:CHUNK_SIZE]
            buffer = buffer[CHUNK_SIZE:]
    if buffer:
        yield buffer


def seal(file_id: bytes, index: int, data: bytes, *, last: bool) -> bytes:
    return field_fernet().encrypt(HEADER.pack(file_id, index, last) + data) + b"\n"


def encrypt_upload(uploaded_file, out) -> tuple[str, int, str]:
    """Encrypt `uploaded_file` into `out`, checking size and type on the way;
    returns (content type, size, sha256 of the plaintext)."""
    limit = max_document_bytes()
    file_id = secrets.token_bytes(16)
    digest = hashlib.sha256()
    text = TextCheck()
    size = 0
    content_type = None
    out.write(MAGIC)
    pending = None  # one chunk held back so the last one can be flagged
    for index, chunk in enumerate(read_chunks(uploaded_file)):
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
            out.write(seal(file_id, index - 1, pending, last=False))
        pending = chunk
    if pending is None:
        raise UnsupportedFileType()  # empty
    if content_type is None:
        text.feed(b"", final=True)
        if not text.ok:
            raise UnsupportedFileType()
        content_type = TEXT_TYPE
    out.write(seal(file_id, index, pending, last=True))
    return content_type, size, digest.hexdigest()


def read_records(name: str) -> Iterator[bytes]:
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


def decrypt(tokens: Iterator[bytes]) -> Iterator[bytes]:
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


def is_under_newest_key(name: str) -> bool:
    tokens = read_records(name)
    try:
        first = next(tokens, None)
    finally:
        tokens.close()
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(first or b"")
    except InvalidToken:
        return False
    return True
