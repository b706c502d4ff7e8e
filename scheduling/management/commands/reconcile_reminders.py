"""`manage.py reconcile_reminders`: give every pending reminder a live RQ job.

Run it after Redis lost its data (restore, failover, FLUSHALL); workers also
run the same reconcile by themselves every REMINDER_RECONCILE_MINUTES."""

from django.core.management.base import BaseCommand

from scheduling.reminders.services import reconcile_reminders, start_reconcile_chain


class Command(BaseCommand):
    help = "Re-enqueue pending reminders whose RQ job is missing; fail those missed beyond the grace period."

    def handle(self, *args, **options):
        counts = reconcile_reminders()
        start_reconcile_chain()
        self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
