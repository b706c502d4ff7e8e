"""Strict input fields: each takes what the schema says and nothing DRF or
Django would coerce into it (`0` or `"on"` for a boolean, `1.9` for an id,
`08:00:00+05:00` for a local time)."""

import re
from datetime import time

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

MAX_ID = 2_147_483_647  # PostgreSQL `integer`, the type of every id column
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_ID = re.compile(r"[1-9][0-9]{0,9}")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

WALL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
_WALL_CLOCK = re.compile(WALL_CLOCK_PATTERN, re.ASCII)


def parse_id(text: str) -> int | None:
    """The id a query string spells, or None when it is not a positive integer in range."""
    if not _ID.fullmatch(text) or int(text) > MAX_ID:
        return None
    return int(text)


class IdFormField(forms.Field):
    """A query-string id (django-filter builds its filters on form fields)."""

    default_error_messages = {
        "invalid": format_lazy(_("Must be an id: a whole number from 1 to {maximum}."), maximum=MAX_ID)
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_id(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class IsoDateField(serializers.DateField):
    """`YYYY-MM-DD` only, as `format: date` says; Python's parser also takes `20260105` or `2026-W01-1`."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StrictTextMixin:
    """A text field takes a JSON string, as the schema says: DRF would turn `0`
    or `true` into "0"/"True" and save it, and judge `maxLength` only after
    trimming whitespace; here both are a 400."""

    def run_validation(self, data=serializers.empty):
        # Before DRF's own, which returns a whitespace-only string as "" unjudged.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # as sent, before trimming
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, (bool, int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictTextMixin, serializers.CharField):
    """Text: a JSON string only, its length counted as sent."""


class StrictEmailField(StrictTextMixin, serializers.EmailField):
    """An email address: a JSON string only, its length counted as sent."""


class StrictURLField(StrictTextMixin, serializers.URLField):
    """A URL: a JSON string only, its length counted as sent."""


class StrictIPAddressField(StrictTextMixin, serializers.IPAddressField):
    """An IP address: a JSON string only."""


class EmptyIsGivenMixin:
    """In a form or a query string, `name=` is a value that was sent (and is
    judged: a 400 where empty is not allowed), where DRF would read it as left
    out and take the default, which the schema does not allow."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class StrictChoiceField(EmptyIsGivenMixin, serializers.ChoiceField):
    """A choice; a blank one in a form (`kind=`) is a 400, not the default."""


class QueryIntegerField(EmptyIsGivenMixin, serializers.IntegerField):
    """An integer in a query string; `?duration=` is a 400, not the default."""


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id; a JSON `""` is a 400 where DRF would read it as null."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON `true` or `false` only; DRF's own also takes 1, "yes", "on" and the like."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


@extend_schema_field({"type": "string", "pattern": WALL_CLOCK_PATTERN, "example": "08:00"})
class WallClockTimeField(serializers.Field):
    """A local wall-clock time as `HH:MM`: no seconds, no offset, 00:00 to 23:59."""

    default_error_messages = {"invalid": _("Enter a local time as HH:MM, 00:00 to 23:59.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _WALL_CLOCK.fullmatch(data):
            self.fail("invalid")
        return time(int(data[:2]), int(data[3:]))

    def to_representation(self, value):
        return value.strftime("%H:%M")
