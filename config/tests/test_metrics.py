import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from config.tests.live import gunicorn, http_get

TOKEN = "metrics-test-token"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_is_404_when_no_token_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
def test_metrics_is_401_without_the_right_bearer_token(client, metrics_on, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_metrics_exposes_request_db_cache_and_clinic_figures(client, metrics_on):
    client.get("/health")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert (
        'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="health"}'
        in text
    )
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "django_db_execute_total" in text
    assert "clinic_rq_workers" in text
    assert 'clinic_rq_jobs{queue="default",state="queued"}' in text


@pytest.mark.django_db
def test_requests_are_counted_by_status_view_and_method_with_their_latency(client, metrics_on):
    """The three series the dashboards read (monitoring/grafana), and not the rest of django-prometheus's."""
    client.get("/health/live")
    client.get("/no-such-page")
    client.generic("BREW", "/health/live")
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    responses = "django_http_responses_total_by_status_view_method_total"
    for line in (
        f'{responses}{{method="GET",status="200",view="health-live"}}',
        f'{responses}{{method="GET",status="404",view="<unnamed view>"}}',
        "django_http_requests_total_by_view_transport_method_total"
        '{method="<invalid method>",transport="http",view="health-live"}',
        'django_http_requests_latency_seconds_by_view_method_bucket{le="+Inf",method="GET",view="health-live"}',
    ):
        assert line in text
    assert not re.search(r"django_http_responses_body_total_bytes_count [1-9]", text)
    assert "django_http_requests_total_by_method_total{" not in text


@pytest.mark.django_db
def test_metrics_still_answers_when_redis_is_down(client, metrics_on, settings, tmp_path):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0"}
    }
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert "clinic_rq_workers" not in response.content.decode()


def _count(text: str, view: str) -> float:
    pattern = rf'django_http_requests_total_by_view_transport_method_total{{[^}}]*view="{view}"[^}}]*}} (\S+)'
    return sum(float(value) for value in re.findall(pattern, text))


def test_counters_from_several_gunicorn_workers_are_summed(tmp_path):
    metrics_dir = tmp_path / "prometheus"

    def writers() -> set[str]:
        return {path.name.split("_")[-1] for path in metrics_dir.glob("counter_*.db")}

    sent = 0
    with (
        gunicorn(WEB_CONCURRENCY="2", METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)) as base,
        ThreadPoolExecutor(4) as pool,
    ):
        # Which worker accepts a connection is the kernel's choice: on a busy
        # machine one may take a long run of them, so send in concurrent
        # batches until both have counted (bounded).
        while len(writers()) < 2 and sent < 400:
            answers = list(
                pool.map(lambda _: http_get(f"{base}/health/live", {"Connection": "close"}), range(20))
            )
            assert [status for status, _ in answers] == [200] * 20
            sent += 20
        status, text = http_get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert len(writers()) == 2, "both gunicorn workers should have served and counted requests"
    # Every request sent, plus the readiness probe(s) the fixture made before yielding.
    assert sent <= _count(text, "health-live") <= sent + 5


def reminder_gauge(client) -> dict[str, float]:
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    return {
        status: float(value)
        for status, value in re.findall(r'clinic_reminders\{status="(\w+)"\} (\S+)', text)
    }


@pytest.fixture
def one_due_reminder(world, settings):
    """A reminder due two seconds from now, booked as the services do."""
    from datetime import timedelta

    from scheduling.tests.reminder_support import book

    settings.REMINDER_OFFSETS_MINUTES = [60]
    settings.REMINDER_RETRY_SECONDS = [1]  # fixed on the job when it is enqueued
    return book(starts_in=timedelta(minutes=60, seconds=2), client=world.client, doctor=world.doctor)


@pytest.mark.django_db(transaction=True)
def test_reminder_gauge_moves_when_a_reminder_is_sent(client, metrics_on, one_due_reminder):
    from scheduling.tests.reminder_support import run_worker, wait_past

    assert reminder_gauge(client) | {"pending": 1.0} == reminder_gauge(client)
    assert reminder_gauge(client)["sent"] == 0
    wait_past(one_due_reminder.reminders.get().scheduled_for)
    run_worker()
    gauge = reminder_gauge(client)
    assert (gauge["pending"], gauge["sent"]) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_reminder_gauge_moves_when_a_reminder_fails(client, metrics_on, one_due_reminder, settings):
    from config.tests.live import free_port
    from scheduling.tests.reminder_support import run_worker, wait_past

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    wait_past(one_due_reminder.reminders.get().scheduled_for)
    run_worker()  # refused by the closed port: one retry left
    assert reminder_gauge(client)["failed"] == 0
    time.sleep(1.1)
    run_worker()  # refused again: failed for good
    gauge = reminder_gauge(client)
    assert (gauge["pending"], gauge["failed"]) == (0, 1)
