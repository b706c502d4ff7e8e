"""Instants as the clinic's clocks show them (TIME_ZONE): "HH:MM", and in the
hour the clocks go back, when each wall-clock time comes twice, with its UTC
offset ("02:30 (UTC+2)", then "02:30 (UTC+1)") so that the two can be told
apart. The day schedule's rows and the printed schedule use these labels."""

from datetime import datetime

from django.utils.translation import gettext as _

from scheduling.selectors import clinic_zone


def local(moment: datetime) -> datetime:
    return moment.astimezone(clinic_zone())


def is_repeated(moment: datetime) -> bool:
    """True when the clinic's clocks show `moment`'s wall-clock time twice
    that day (the hour after they go back)."""
    shown = local(moment)
    return shown.replace(fold=1 - shown.fold).utcoffset() != shown.utcoffset()


def utc_offset(moment: datetime) -> str:
    """The clinic's offset from UTC at `moment`, short: "+2", "-3", "+5:30"."""
    minutes = int(local(moment).utcoffset().total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def clock(moment: datetime) -> str:
    """`moment`'s local "HH:MM", with its UTC offset when that time comes twice."""
    text = f"{local(moment):%H:%M}"
    if is_repeated(moment):
        return _("%(time)s (UTC%(offset)s)") % {"time": text, "offset": utc_offset(moment)}
    return text


def iso_minutes(moment: datetime) -> str:
    """`moment` as local "YYYY-MM-DDTHH:MM+HH:MM": the offset makes it one
    instant even in the hour that comes twice (the booking links' `starts_at`)."""
    return local(moment).isoformat(timespec="minutes")
