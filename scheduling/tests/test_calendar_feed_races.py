"""Racing requests for one user's feed URL, each on its own connection: never a
500, never two URLs handed out of which one is already dead.

To make the race certain rather than likely, this test's own connection holds
the lock the requests meet (the feed row, or a first request's uncommitted
row) until every racing request waits on it."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.tests.factories import PASSWORD
from config.tests.concurrency import run_concurrently
from scheduling import calendar
from scheduling.models import CalendarFeed

pytestmark = pytest.mark.django_db(transaction=True)
FEED, ROTATE = "/api/v1/calendar/feed", "/api/v1/calendar/feed/rotate"


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def race_while_locked(hold, tasks) -> list:
    """Run `tasks` at once while this connection, in a transaction, has run
    `hold`; commit once all of them wait on a lock (or after 10 s)."""
    results = []
    with transaction.atomic():
        held = hold()
        runner = threading.Thread(target=lambda: results.extend(run_concurrently(tasks)))
        runner.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < len(tasks) and time.monotonic() < deadline:
            time.sleep(0.01)
    runner.join()
    return [held, *results]


def request(client, method, path):
    def send():
        response = getattr(client, method)(path)
        return response.status_code, response.json()["url"].removeprefix("http://testserver")

    return send


def path_of(token: str) -> str:
    return calendar.feed_path(token)


def test_first_requests_share_the_first_token(world, api, client):
    signed_in = [api(world.doctor) for _ in range(4)]
    tasks = [request(signed_in[0], "get", FEED), request(signed_in[1], "get", FEED)]
    tasks += [request(signed_in[2], "post", ROTATE), request(signed_in[3], "post", ROTATE)]
    first, *answers = race_while_locked(lambda: calendar.get_or_create_feed_token(world.doctor), tasks)
    assert answers == [(200, path_of(first))] * 4
    assert CalendarFeed.objects.filter(user=world.doctor).count() == 1
    assert client.get(path_of(first)).status_code == 200


def test_racing_rotations_share_one_new_token(world, api, client):
    old = calendar.get_or_create_feed_token(world.doctor)
    tasks = [request(api(world.doctor), "post", ROTATE) for _ in range(3)]
    _, *answers = race_while_locked(
        lambda: CalendarFeed.objects.select_for_update().get(user=world.doctor), tasks
    )
    statuses, paths = zip(*answers, strict=True)
    assert statuses == (200, 200, 200)
    assert len(set(paths)) == 1
    assert paths[0] != path_of(old)
    assert client.get(paths[0]).status_code == 200
    assert client.get(path_of(old)).status_code == 404
    assert CalendarFeed.objects.filter(user=world.doctor).count() == 1


def test_requests_racing_after_a_password_change_share_one_new_token(world, api, client):
    old = calendar.get_or_create_feed_token(world.doctor)
    body = {"old_password": PASSWORD, "new_password": "an0ther-Correct-horse!"}
    assert api(world.doctor).post("/api/v1/auth/password/change", body).status_code == 204
    world.doctor.refresh_from_db()
    tasks = [request(api(world.doctor), "get", FEED) for _ in range(3)]
    _, *answers = race_while_locked(
        lambda: CalendarFeed.objects.select_for_update().get(user=world.doctor), tasks
    )
    statuses, paths = zip(*answers, strict=True)
    assert statuses == (200, 200, 200)
    assert len(set(paths)) == 1
    assert paths[0] != path_of(old)
    assert client.get(paths[0]).status_code == 200
    assert client.get(path_of(old)).status_code == 404
