"""The translation catalogues are complete and compiled (README, "Languages").

- every message of each committed .po has its translation: none empty, none
  fuzzy, each keeping the placeholders of its English;
- each committed .mo holds exactly what its .po says (a .po edited without
  `make messages` fails here);
(That the .po files hold every string the code marks is `manage.py catalogues
--check`, in `make lint`: it needs GNU gettext, which `make test` does not.)
"""

import gettext
import re

import pytest

from config.management.commands.catalogues import translated_languages
from config.po_files import LOCALE_DIR, mo_path, placeholders, po_path, read_po

LANGUAGES = translated_languages()
SOURCES = ("accounts", "clinic", "config", "scheduling", "templates")


def test_every_language_but_english_has_a_catalogue():
    assert LANGUAGES == ["de", "fr", "es"]
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    header, *entries = read_po(po_path(language))
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert f"Language: {language}\n" in header.msgstr[0]
    plural_forms = int(re.search(r"nplurals=(\d+);", header.msgstr[0]).group(1))
    assert len(entries) > 250
    problems = []
    for entry in entries:
        forms = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected = plural_forms if entry.msgid_plural else 1
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if len(entry.msgstr) != expected or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.msgid!r}")
        for text in entry.msgstr.values():
            if placeholders(text) != placeholders(forms[-1]):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
    assert problems == [], f"{po_path(language)}: translate these, then `make messages`"


def test_the_catalogues_hold_the_same_messages():
    ids = {
        language: {(e.msgctxt, e.msgid, e.msgid_plural) for e in read_po(po_path(language))}
        for language in LANGUAGES
    }
    assert ids["de"] == ids["fr"] == ids["es"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_mo_file_matches_its_po_file(language):
    with mo_path(language).open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    expected = {}
    for entry in read_po(po_path(language)):
        if entry.msgid == "":  # msgfmt leaves the POT creation date out of the compiled header
            expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", entry.msgstr[0])
        elif entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, index): text for index, text in entry.msgstr.items()})
    assert catalog == expected, f"{mo_path(language)} is stale: run `make messages`"
