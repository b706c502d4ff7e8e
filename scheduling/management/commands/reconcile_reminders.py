"""`manage.py reconcile_reminders`: give every pending reminder a live RQ job,
and recover the waitlist's offers the same way (email the unsent, expire the
overdue): what the worker's periodic reconcile runs.

Run it after Redis lost its data (restore, failover, FLUSHALL); workers also
run the same reconcile by themselves every REMINDER_RECONCILE_MINUTES."""

from django.core.management.base import BaseCommand

from scheduling.reminders.services import reconcile_reminders, start_reconcile_chain
from scheduling.waitlist.offers import reconcile_offers


class Command(BaseCommand):
    help = (
        "Re-enqueue pending reminders whose RQ job is missing (fail those missed beyond the grace "
        "period); send waitlist offers not yet emailed and expire overdue ones."
    )

    def handle(self, *args, **options):
        reminders = reconcile_reminders()
        offers = reconcile_offers()
        start_reconcile_chain()
        self.stdout.write(f"reminders: {_counts(reminders)}  offers: {_counts(offers)}")


def _counts(counts: dict[str, int]) -> str:
    return " ".join(f"{name}={value}" for name, value in counts.items())
