"""A series' RFC 5545 recurrence rule: checked strictly, then expanded in the
clinic's zone.

Accepted parts (each at most once, names in capitals): `FREQ` (`DAILY`,
`WEEKLY` or `MONTHLY`), `INTERVAL` (1 to 52), exactly one of `COUNT` (1 to 52)
and `UNTIL` (`YYYYMMDD`, the whole local day, or `YYYYMMDDTHHMMSSZ`, at most a
year after the first visit), `BYDAY` (`MO`..`SU`; with `MONTHLY` also an
ordinal, `1MO`, `-1FR`). The first visit must itself match the rule (RFC 5545
leaves a start outside the rule undefined), and the rule yields 1 to 52 visits.

The expansion runs on naive local datetimes and each occurrence is then
placed in the zone, so a visit at 09:00 local stays at 09:00 local when the
clocks change (its UTC time moves by the hour instead)."""

import re
from datetime import UTC, datetime, time
from itertools import islice

from dateutil import rrule as rfc
from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from scheduling.selectors import clinic_zone
from scheduling.series.exceptions import InvalidRRule

MAX_OCCURRENCES = 52
MAX_INTERVAL = 52
FREQUENCIES = {"DAILY": rfc.DAILY, "WEEKLY": rfc.WEEKLY, "MONTHLY": rfc.MONTHLY}
WEEKDAYS = {"MO": rfc.MO, "TU": rfc.TU, "WE": rfc.WE, "TH": rfc.TH, "FR": rfc.FR, "SA": rfc.SA, "SU": rfc.SU}
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY")
NUMBER = re.compile(r"[1-9][0-9]{0,2}")
BYDAY_ENTRY = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
UNTIL_DATE = re.compile(r"\d{8}")
UNTIL_UTC = re.compile(r"\d{8}T\d{6}Z")


def occurrences(rule: str, starts_at: datetime) -> list[datetime]:
    """The aware start of every visit `rule` makes from `starts_at` (the first
    one), or InvalidRRule saying what is wrong."""
    zone = clinic_zone()
    first = starts_at.astimezone(zone).replace(tzinfo=None)
    expanded = list(islice(_parse(rule, first), MAX_OCCURRENCES + 1))
    if not expanded or expanded[0] != first:
        raise InvalidRRule(_("starts_at must itself be a date the rule gives."))
    if len(expanded) > MAX_OCCURRENCES:
        raise InvalidRRule(_("The rule gives more than %(max)d visits.") % {"max": MAX_OCCURRENCES})
    return [moment.replace(tzinfo=zone) for moment in expanded]


def _parse(rule: str, first: datetime) -> rfc.rrule:
    parts = _parts(rule)
    if "FREQ" not in parts:
        raise InvalidRRule(_("FREQ is required."))
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise InvalidRRule(_("Give exactly one of COUNT and UNTIL."))
    freq = FREQUENCIES.get(parts["FREQ"])
    if freq is None:
        raise InvalidRRule(_("FREQ must be DAILY, WEEKLY or MONTHLY."))
    return rfc.rrule(
        freq,
        dtstart=first,
        interval=_number(parts, "INTERVAL", MAX_INTERVAL, default=1),
        count=_number(parts, "COUNT", MAX_OCCURRENCES, default=None),
        until=_until(parts.get("UNTIL"), first),
        byweekday=_byday(parts.get("BYDAY"), monthly=freq == rfc.MONTHLY),
    )


def _parts(rule: str) -> dict[str, str]:
    if not isinstance(rule, str) or not rule:
        raise InvalidRRule()
    parts = {}
    for part in rule.split(";"):
        name, equals, value = part.partition("=")
        if name not in PARTS:
            raise InvalidRRule(_("Only FREQ, INTERVAL, COUNT, UNTIL and BYDAY are accepted."))
        if not equals or not value or name in parts:
            raise InvalidRRule(_("Each part is NAME=value, and appears once."))
        parts[name] = value
    return parts


def _number(parts: dict, name: str, highest: int, *, default):
    if name not in parts:
        return default
    value = parts[name]
    if not NUMBER.fullmatch(value) or int(value) > highest:
        raise InvalidRRule(
            _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": highest}
        )
    return int(value)


def _until(value: str | None, first: datetime) -> datetime | None:
    """UNTIL as a naive local datetime: a date is its whole local day, a UTC
    time is converted; either at most a year after the first visit."""
    if value is None:
        return None
    try:
        if UNTIL_DATE.fullmatch(value):
            until = datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time.max)
        elif UNTIL_UTC.fullmatch(value):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            until = moment.astimezone(clinic_zone()).replace(tzinfo=None)
        else:
            raise ValueError(value)
    except ValueError:
        raise InvalidRRule(_("UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ.")) from None
    if until > first + relativedelta(years=1):
        raise InvalidRRule(_("UNTIL must be within a year of starts_at."))
    return until


def _byday(value: str | None, *, monthly: bool) -> list | None:
    if value is None:
        return None
    days = []
    for entry in value.split(","):
        match = BYDAY_ENTRY.fullmatch(entry)
        if match is None or (match.group(1) and not monthly):
            raise InvalidRRule(_("BYDAY lists MO to SU (with an ordinal such as 1MO only when MONTHLY)."))
        day = WEEKDAYS[match.group(2)]
        days.append(day(int(match.group(1))) if match.group(1) else day)
    return days
