"""The worker `manage.py rqworker` runs (settings.RQ["WORKER_CLASS"])."""

from rq import Worker

from scheduling.reminders import QUEUE_NAME, start_reconcile_chain


class ReminderWorker(Worker):
    """An RQ worker that keeps the periodic reminder reconcile alive.

    RQ's own cron (rq/cron.py) runs as a separate `rq cron` / `rqcron` process
    and `Repeat` is a finite count, so neither works inside
    `rqworker --with-scheduler`. Instead each worker, at start-up and at every
    maintenance pass (every 10 minutes), makes sure the next reconcile job is
    scheduled; its id names its time slot, so there is one chain however many
    workers run, and it comes back after Redis loses everything."""

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if QUEUE_NAME in self.queue_names():
            start_reconcile_chain()
