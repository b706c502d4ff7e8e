"""The project's gettext catalogues (locale/<lang>/LC_MESSAGES/django.po), read
in pure Python (for the catalogue tests and `catalogues --check`): the server
and the tests need no GNU gettext."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")$')


@dataclass
class Entry:
    """One message: its id (and plural and context), the translations by
    plural index, and its flags (`fuzzy`, `python-format`, ...)."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self):
        """The key gettext's compiled catalogue uses for it (GNUTranslations._catalog)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first; obsolete (`#~`) ones are left out."""
    entries, entry, target = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip() or line.startswith("#~"):
            if entry is not None:
                entries.append(entry)
            entry = target = None
            continue
        entry = entry or Entry()
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, index, text = _KEYWORD.match(line).groups()
            target = (keyword, int(index or 0))
            _set(entry, target, ast.literal_eval(text))
    return entries


def _set(entry: Entry, target, text: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = text
    else:
        setattr(entry, keyword, text)


def _append(entry: Entry, target, text: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, keyword, getattr(entry, keyword) + text)


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def placeholders(text: str) -> set[str]:
    """`%(name)s` and `{name}`: what a translation must keep, each of them."""
    return set(PLACEHOLDER.findall(text))
