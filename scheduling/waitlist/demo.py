"""The waitlist step of seed_demo (config/demo.py): a few clients waiting,
put on the list through `entries.add_entry` like any entry: one for the
first doctor and a consultation within three weeks, one for the second
doctor, one for any doctor and type. Cancelling a matching visit ahead (the
demo has many) then offers its time to the oldest of them. Made once: a
database that holds entries gets no more."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from clinic.models import Client
from config.demo import DemoRun
from scheduling.demo import SEEDED_TYPE
from scheduling.models import AppointmentType
from scheduling.waitlist.entries import add_entry
from scheduling.waitlist.models import WaitlistEntry

# (the doctor's place among the run's doctors or None: any, the visit type's name
# or None: any, the first and the last day, counted from today)
ENTRIES = [
    (0, SEEDED_TYPE, 2, 21),
    (1, None, 1, 14),
    (None, None, 7, 35),
]


def seed_waitlist(run: DemoRun) -> None:
    run.created["waitlist_entries"] = 0
    if WaitlistEntry.objects.exists():
        return
    # Clients without an account: the demo patient's record has its series.
    clients = Client.objects.filter(is_archived=False, user__isnull=True).order_by("id")[: len(ENTRIES)]
    doctors = list(User.objects.filter(pk__in=run.doctor_ids[:2]).order_by("id"))
    types = {t.name: t for t in AppointmentType.objects.filter(active=True)}
    today = timezone.localdate()
    for client, (place, type_name, first, last) in zip(clients, ENTRIES, strict=False):
        if place is not None and place >= len(doctors):
            continue
        add_entry(
            client=client,
            doctor=None if place is None else doctors[place],
            appointment_type=types.get(type_name),
            earliest_date=today + timedelta(days=first),
            latest_date=today + timedelta(days=last),
        )
        run.created["waitlist_entries"] += 1
