"""The worker `manage.py rqworker` runs (settings.RQ["WORKER_CLASS"])."""

from django.db import close_old_connections
from rq import SimpleWorker

from config.queue_health import HeartbeatMixin
from scheduling.reminders.services import QUEUE_NAME, reconcile_now, start_reconcile_chain

SERVER_KEY = "clinic:reminders:redis-run-id"  # the Redis server reminders were last reconciled on


class ReminderWorker(HeartbeatMixin, SimpleWorker):
    """An RQ worker that runs jobs in its own process and keeps the periodic
    reminder reconcile alive.

    No fork per job: measured on 1,000 due reminders, RQ's forking `Worker`
    sent 12 a second (each job paid a fork and a new database connection),
    this one over 100. The price is isolation, so database connections are
    handled as Django does around a request: stale or broken ones are closed
    before and after each job. A job that crashes the process is found by RQ's
    abandoned-job cleanup and by reconcile.

    RQ's own cron (rq/cron.py) runs as a separate `rq cron` / `rqcron` process
    and `Repeat` is a finite count, so neither works inside
    `rqworker --with-scheduler`. Instead each worker, at start-up and at every
    maintenance pass (every 10 minutes), makes sure the next reconcile job is
    scheduled; its id names its time slot, so there is one chain however many
    workers run, and it comes back after Redis loses everything. Its heartbeats
    also tell /health/queue it is alive (config.queue_health)."""

    def perform_job(self, job, queue, execution):
        close_old_connections()
        try:
            return super().perform_job(job, queue, execution)
        finally:
            close_old_connections()

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout=timeout, pipeline=pipeline)
        if pipeline is None and QUEUE_NAME in self.queue_names():
            self.reconcile_after_a_new_redis()

    def register_birth(self):
        """Also notes which Redis server the worker starts on, so a failover
        before its first heartbeat is seen as one too."""
        super().register_birth()
        self._redis_run_id = self._server_run_id()

    def reconcile_after_a_new_redis(self):
        """A different Redis server answers than before (Sentinel promoted a
        replica, or Redis came back empty): scheduled reminders the old one
        held may be lost, so reconcile now, not at the next periodic run.
        "Before" is the run id kept in Redis itself (SERVER_KEY: a promoted
        replica holds the old master's, replicated, so a worker started after
        the failover sees it too), else the one this worker last saw. One
        reconcile per new server, however many workers."""
        run_id = self._server_run_id()
        kept = self.connection.set(SERVER_KEY, run_id, get=True)
        before = kept.decode() if kept is not None else getattr(self, "_redis_run_id", None)
        self._redis_run_id = run_id
        if before is not None and before != run_id:
            reconcile_now(reason=run_id)

    def _server_run_id(self) -> str | None:
        return self.connection.info("server").get("run_id")

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if QUEUE_NAME in self.queue_names():
            start_reconcile_chain()
