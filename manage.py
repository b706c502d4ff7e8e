#!/usr/bin/env python
import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:  # a missing secret, a bad DJANGO_ENV: one line, not a traceback
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
