#!/usr/bin/env python
"""Django's command line. With DATABASE_URL/REDIS_URL unset (a fresh clone), it
is the one explicit entry that starts the embedded PostgreSQL and Redis for the
command and stops, when the command ends, what it started (a server already
running, e.g. under `make run`, is reused and left running)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config import embedded

    servers = embedded.ensure_services()
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:  # a missing secret, a bad DJANGO_ENV: one line, not a traceback
        sys.exit(f"error: {error}")
    finally:
        embedded.stop_started(servers)


if __name__ == "__main__":
    main()
