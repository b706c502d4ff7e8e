"""What a document may be: the accepted types, sniffed from the bytes (never
the uploaded name or header), plain text that no browser or OS would run, and
the size limit."""

import codecs
import re

import filetype
from django.conf import settings

SNIFF_BYTES = 8192
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


class TextCheck:
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
