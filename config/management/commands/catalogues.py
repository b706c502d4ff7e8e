"""`manage.py catalogues` (`make messages`): the gettext catalogues brought up
to date with the code, then compiled (README, "Languages").

Runs Django's makemessages for every language of LANGUAGES but English (the
code's own) into `locale/<lang>/LC_MESSAGES/django.po`, then compilemessages
into the `.mo` files the server reads. Both need GNU gettext (`msgfmt`,
`xgettext`); the server and the tests do not: the `.mo` files are committed.
"""

import shutil
import tempfile
from contextlib import chdir
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from config.po_files import read_po

# Where the project's strings are: the apps and templates/, not the tools
# around them (nor the tests, whose strings no user sees).
IGNORED = ["clients", "bench", "e2e", "deploy", "monitoring", "cluster", "*/tests/*", "node_modules"]
SOURCES = ("accounts", "clinic", "config", "scheduling", "templates")
MAKEMESSAGES_OPTIONS = {
    "domain": "django",
    "no_obsolete": True,
    "add_location": "file",  # file names without line numbers: edits elsewhere leave the catalogue alone
    "ignore_patterns": IGNORED,
}


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != "en"]


class Command(BaseCommand):
    help = "Update locale/*/LC_MESSAGES/django.po from the code and compile the .mo files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; exit 1 when the catalogues miss a string the code marks, "
            "hold one it no longer has, or leave one untranslated (`make lint`)",
        )

    def handle(self, *args, check=False, **options):
        if check:
            return self.check_catalogues()
        call_command(
            "makemessages",
            locale=translated_languages(),
            verbosity=options["verbosity"],
            **MAKEMESSAGES_OPTIONS,
        )
        call_command(
            "compilemessages",
            locale=translated_languages(),
            ignore_patterns=[".venv", ".data", *IGNORED],
            verbosity=options["verbosity"],
        )
        self.stdout.write("Catalogues updated: translate every empty or fuzzy msgstr, then run this again.")

    def check_catalogues(self) -> None:
        """makemessages over a copy of the sources and catalogues: nothing
        added, nothing dropped, nothing left to translate."""
        base = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory() as temporary:
            copy = Path(temporary)
            for name in SOURCES:
                shutil.copytree(base / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(base / "locale", copy / "locale")
            with override_settings(LOCALE_PATHS=[copy / "locale"]), chdir(copy):
                call_command(
                    "makemessages", locale=translated_languages(), verbosity=0, **MAKEMESSAGES_OPTIONS
                )
            problems = [
                problem
                for language in translated_languages()
                for problem in _differences(language, base, copy)
            ]
        if problems:
            raise CommandError("\n".join([*problems, "Run `make messages` and translate what is new."]))
        self.stdout.write("Catalogues: every marked string is translated.")


def _differences(language: str, base: Path, copy: Path) -> list[str]:
    relative = Path("locale") / language / "LC_MESSAGES" / "django.po"
    fresh = {entry.msgid: entry for entry in read_po(copy / relative)}
    committed = {entry.msgid for entry in read_po(base / relative)}
    unfinished = [m for m, e in fresh.items() if m and ("fuzzy" in e.flags or not all(e.msgstr.values()))]
    return [
        *(f"{language}: new string {msgid!r}" for msgid in sorted(set(fresh) - committed)),
        *(f"{language}: string the code no longer has {msgid!r}" for msgid in sorted(committed - set(fresh))),
        *(f"{language}: untranslated {msgid!r}" for msgid in unfinished),
    ]
