"""Django's createsuperuser (this app comes first in INSTALLED_APPS, so this
one is found), with the password validators applied in `--noinput` mode too
(DJANGO_SUPERUSER_PASSWORD) and an audit event for the account it creates."""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from accounts.audit import record_event
from accounts.models import AuditAction


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        if not options["interactive"] and "DJANGO_SUPERUSER_PASSWORD" in os.environ:
            self._validate_env_password(options)
        manager = self.UserModel._default_manager.db_manager(options["database"])
        last_pk = manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        with transaction.atomic(using=options["database"]):
            super().handle(*args, **options)
            for user in manager.filter(pk__gt=last_pk, is_superuser=True):
                record_event(action=AuditAction.CREATE, obj=user, fields=["is_superuser", "role"])

    def _validate_env_password(self, options):
        username_field = self.UserModel.USERNAME_FIELD
        env = os.environ
        candidate = self.UserModel(
            **{
                username_field: options[username_field]
                or env.get(f"DJANGO_SUPERUSER_{username_field.upper()}"),
                **{
                    name: options.get(name) or env.get(f"DJANGO_SUPERUSER_{name.upper()}")
                    for name in self.UserModel.REQUIRED_FIELDS
                },
            }
        )
        try:
            validate_password(env["DJANGO_SUPERUSER_PASSWORD"], candidate)
        except ValidationError as error:
            raise CommandError("DJANGO_SUPERUSER_PASSWORD: " + " ".join(error.messages)) from error
