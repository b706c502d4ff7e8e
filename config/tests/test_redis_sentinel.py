"""Redis Sentinel (REDIS_SENTINELS) with real servers: a master, a replica
and three Sentinels (config/redis_failover.py), gunicorn and an RQ worker
configured with the Sentinels only. The master is killed (SIGKILL) under
load: Sentinel promotes the replica, the app follows without a restart and
answers no 5xx, logout's deny-list and new reminder jobs land on the new
master, and the worker reconciles reminders on seeing the new server."""

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from accounts import tokens
from accounts.tests.factories import PASSWORD
from config import redis_failover
from config.queues import get_queue
from config.tests.faults import Load, call
from config.tests.live import child_database_url, gunicorn, rq_worker, wait_until
from scheduling.reminders.services import QUEUE_NAME, RECONCILE_JOB_PREFIX
from scheduling.reminders.worker import SERVER_KEY, ReminderWorker
from scheduling.tests.factories import next_slot

pytestmark = pytest.mark.django_db(transaction=True)
FOLLOW_WITHIN_SECONDS = 15


@pytest.fixture
def sentinels():
    directory = Path(tempfile.mkdtemp(prefix="clinic-sentinel-"))
    found = redis_failover.start(directory)
    yield found
    found.stop()
    shutil.rmtree(directory, ignore_errors=True)


def sentinel_env(sentinels, tmp_path) -> dict:
    return {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": "",
        "REDIS_SENTINELS": sentinels.addresses,
        "REDIS_SENTINEL_MASTER": redis_failover.MASTER_NAME,
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "LOGIN_RATE": "1000/m",
        "LOGIN_IP_RATE": "1000/m",
    }


def scheduled_jobs(server) -> int:
    return server.client().zcard("rq:scheduled:default")


def test_the_app_follows_a_failover_with_no_5xx(world, sentinels, tmp_path):
    staff_token = tokens.access_for(world.staff)
    with gunicorn(**sentinel_env(sentinels, tmp_path)) as base:
        slot = iter(range(1, 10_000))

        def read():
            return ("read", *call("GET", f"{base}/api/v1/clients", token=staff_token))

        def book():
            body = {
                "client": world.client.pk,
                "doctor": world.doctor.pk,
                "starts_at": next_slot(days=30 + next(slot)).isoformat(),
                "duration_minutes": 30,
            }
            return ("book", *call("POST", f"{base}/api/v1/appointments", body, token=staff_token))

        def login():
            body = {"username": world.patient.username, "password": PASSWORD}
            return ("login", *call("POST", f"{base}/api/v1/auth/login", body))

        with Load([read, book, login]) as load:
            time.sleep(2)
            assert call("GET", f"{base}/health/redis")[0] == 200
            load.phase = "failover"
            sentinels.master.kill()
            killed = time.monotonic()
            followed = wait_until(
                lambda: (
                    sentinels.current_master_port() == sentinels.replica.port
                    and call("GET", f"{base}/health/redis")[0] == 200
                ),
                seconds=FOLLOW_WITHIN_SECONDS,
            )
            seconds = time.monotonic() - killed
            jobs_at_failover = scheduled_jobs(sentinels.replica)
            load.phase = "after"
            time.sleep(3)
        print({phase: dict(counter) for phase, counter in load.seen.items()}, f"followed in {seconds:.1f} s")
        assert followed, "the app did not follow the new master"
        assert load.bodies == []  # not one 5xx in any phase
        after = load.statuses("after")
        assert after[("read", 200)] and after[("book", 201)] and after[("login", 200)], after
        assert scheduled_jobs(sentinels.replica) > jobs_at_failover  # reminders went to the new master

        refresh = call(
            "POST", f"{base}/api/v1/auth/login", {"username": world.staff.username, "password": PASSWORD}
        )[1]
        access = refresh["access_token"]
        assert call("GET", f"{base}/api/v1/auth/me", token=access)[0] == 200
        out = call(
            "POST", f"{base}/api/v1/auth/logout", {"refresh_token": refresh["refresh_token"]}, token=access
        )
        assert out[0] == 204
        assert (
            call("GET", f"{base}/api/v1/auth/me", token=access)[0] == 401
        )  # the deny-list is on the new master


def test_a_worker_reconciles_reminders_after_a_failover(sentinels, tmp_path):
    env = sentinel_env(sentinels, tmp_path)
    with contextlib.ExitStack() as running:
        workers = [running.enter_context(rq_worker(**env))]
        assert wait_until(lambda: sentinels.master.client().exists("rq:workers"), seconds=30)
        sentinels.master.kill()
        assert wait_until(lambda: sentinels.current_master_port() == sentinels.replica.port, seconds=15)
        new_master = sentinels.replica.client()
        run_id = new_master.info("server")["run_id"]

        def reconciled() -> bool:
            if workers[-1].poll() is not None:  # RQ quits on a lost connection outside a dequeue:
                workers.append(running.enter_context(rq_worker(**env)))  # restarted, as compose does
            return new_master.hget(f"rq:job:reminders-reconcile-{run_id}", "status") == b"finished"

        assert wait_until(reconciled, seconds=60), "no reconcile ran on the new master"


def test_a_failover_before_the_first_heartbeat_is_seen_too(sentinels):
    """The worker notes its server at birth: a replica promoted before the
    worker's first heartbeat still gets the reconcile (a worker that learnt
    its server at that heartbeat took the new one for its first)."""
    worker = ReminderWorker([QUEUE_NAME], connection=sentinels.master.client())
    worker.register_birth()
    promoted = sentinels.replica.client()
    promoted.replicaof("NO", "ONE")  # the failover, as Sentinel does it
    worker.connection = promoted  # what a Sentinel-managed connection reaches now

    worker.heartbeat()

    run_id = promoted.info("server")["run_id"]
    assert get_queue().connection.exists(f"rq:job:{RECONCILE_JOB_PREFIX}{run_id}")


def test_a_worker_started_after_the_failover_reconciles_too(sentinels):
    """The last server's run id is kept in Redis (replicated): a worker that
    starts on the promoted replica, as a restarted one does, still sees the
    change."""
    before = ReminderWorker([QUEUE_NAME], connection=sentinels.master.client())
    before.register_birth()
    before.heartbeat()  # notes the master's run id in Redis
    master_id = sentinels.master.client().info("server")["run_id"]
    replicated = wait_until(
        lambda: sentinels.replica.client().get(SERVER_KEY) == master_id.encode(), seconds=10
    )
    assert replicated
    promoted = sentinels.replica.client()
    promoted.replicaof("NO", "ONE")

    after = ReminderWorker([QUEUE_NAME], connection=promoted)
    after.register_birth()  # born on the new master: its own memory knows no other
    after.heartbeat()

    run_id = promoted.info("server")["run_id"]
    assert get_queue().connection.exists(f"rq:job:{RECONCILE_JOB_PREFIX}{run_id}")
