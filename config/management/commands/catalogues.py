"""`manage.py catalogues` (`make messages`): the gettext catalogues brought up
to date with the code, then compiled (README, "Languages").

Runs Django's makemessages for every language of LANGUAGES but English (the
code's own) into `locale/<lang>/LC_MESSAGES/django.po`, then compilemessages
into the `.mo` files the server reads. Both need GNU gettext (`msgfmt`,
`xgettext`); the server and the tests do not: the `.mo` files are committed.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Where the project's strings are: the apps and templates/, not the tools
# around them (nor the tests, whose strings no user sees).
IGNORED = ["clients", "bench", "e2e", "deploy", "monitoring", "*/tests/*", "node_modules"]
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

    def handle(self, *args, **options):
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
