"""JSON shapes of the hottest reads, written out by hand.

DRF's generic serializers walk every field of every row (a fifth of a
millisecond per appointment); the lists, `auth/me` and availability answer
constantly, so their serializers build the dict directly. A test per
serializer pins the output to DRF's generic one, so the two cannot drift.
"""

from django.utils import timezone


def iso_datetime(value) -> str | None:
    """Exactly DRF's DateTimeField output: in TIME_ZONE, ISO 8601, 'Z' for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
