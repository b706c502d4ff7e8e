import pytest


@pytest.mark.django_db
def test_health_reports_db_and_redis_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"db": "ok", "redis": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_503_degraded_when_redis_is_unreachable(client, redis_unreachable):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "checks": {"db": "ok", "redis": "down"}}


@pytest.mark.django_db
def test_health_redis_is_503_when_redis_is_unreachable(client, redis_unreachable):
    response = client.get("/health/redis")
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/health/db", "/health/redis"])
def test_single_checks_answer_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_answers_without_touching_db_or_redis(client, redis_unreachable):
    # No django_db mark: any query would raise instead of answering.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
