"""/healthz's fields (worker, beat) and the containers' health checks (telefoni.healthcheck)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connections
from django.utils import timezone

from common import heartbeat
from common.models import Heartbeat, OutboxMessage
from telefoni import healthcheck
from telefoni.beat import HEARTBEAT, HeartbeatScheduler
from telefoni.celery import app
from tests.services import celery_broker, require_redis


def _beat(seconds_ago):
    heartbeat.record(HEARTBEAT, at=timezone.now() - timedelta(seconds=seconds_ago))


@pytest.fixture
def redis_broker():
    with celery_broker(require_redis()):
        yield


def test_all_ok_with_a_worker_answering_and_a_fresh_beat(client, redis_worker):
    _beat(5)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "beat": "ok",
        "beat_age_seconds": body["beat_age_seconds"],
        "mail": "ok",
        "mail_failed": 0,
        "mail_oldest_waiting_seconds": None,
        "status": "ok",
    }
    assert 5 <= body["beat_age_seconds"] < 60


def test_a_worker_that_does_not_answer_is_reported_and_the_node_keeps_serving(
    client, db, redis_broker
):
    _beat(5)
    response = client.get("/healthz")
    # The load balancer's answer stays 200: the database and the broker answer.
    assert response.status_code == 200
    body = response.json()
    assert (body["worker"], body["beat"], body["status"]) == ("error", "ok", "degraded")


@pytest.mark.parametrize("seconds_ago, state", [(110, "ok"), (130, "stale"), (3600, "stale")])
def test_beat_is_stale_when_its_heartbeat_is_older_than_two_wake_up_intervals(
    client, db, redis_broker, seconds_ago, state
):
    # CELERY_BEAT_MAX_LOOP_INTERVAL is 60 s: beat writes at least once a minute.
    _beat(seconds_ago)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["beat"] == state
    assert body["beat_age_seconds"] >= seconds_ago
    assert body["status"] == "degraded"  # and the worker does not answer either


def test_a_beat_that_never_ran_is_stale(client, db, redis_broker):
    body = client.get("/healthz").json()
    assert (body["beat"], body["beat_age_seconds"]) == ("stale", None)


def test_broker_down_is_503_and_the_worker_cannot_be_reached(client, db):
    _beat(5)
    with celery_broker("redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "error", "error")
    assert body["status"] == "error"


def test_database_down_is_503(client, db, redis_broker, monkeypatch):
    def unreachable(*args, **kwargs):
        raise DatabaseError("could not connect to server")

    with monkeypatch.context() as patch:
        patch.setattr(connections["default"], "cursor", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["beat"], body["status"]) == ("error", "error", "error")
    assert (body["mail"], body["mail_failed"]) == ("error", None)


@pytest.mark.parametrize(
    "minutes_ago, given_up, state",
    [(1, False, "ok"), (14, False, "ok"), (16, False, "delayed"), (1, True, "failed")],
)
def test_mail_that_waits_or_was_given_up_degrades_the_node_but_keeps_it_serving(
    client, redis_worker, minutes_ago, given_up, state
):
    _beat(5)
    created = timezone.now() - timedelta(minutes=minutes_ago)
    OutboxMessage.objects.create(
        recipients=["a@kommun.se"],
        subject="Ä",
        body="T",
        created_at=created,
        next_attempt_at=timezone.now() + timedelta(hours=1),  # the worker leaves it
        failed_at=created if given_up else None,
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["mail"] == state
    assert body["mail_failed"] == (1 if given_up else 0)
    assert body["status"] == ("ok" if state == "ok" else "degraded")
    if not given_up:
        assert body["mail_oldest_waiting_seconds"] >= minutes_ago * 60


def test_beat_writes_its_heartbeat_when_it_wakes(transactional_db, tmp_path):
    # transactional_db: beat closes obsolete connections as a request does, outside any
    # transaction.
    scheduler = HeartbeatScheduler(app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.setup_schedule()
    assert not Heartbeat.objects.exists()
    scheduler.tick()
    first = Heartbeat.objects.get(name=HEARTBEAT).beat_at
    assert timezone.now() - first < timedelta(seconds=5)
    # A second wake-up within HEARTBEAT_MIN_SECONDS writes nothing.
    Heartbeat.objects.filter(name=HEARTBEAT).update(beat_at=first - timedelta(minutes=5))
    scheduler.tick()
    assert Heartbeat.objects.get(name=HEARTBEAT).beat_at == first - timedelta(minutes=5)
    scheduler.close()


def test_a_database_fault_never_stops_beat(transactional_db, tmp_path, monkeypatch):
    scheduler = HeartbeatScheduler(app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.setup_schedule()

    def unreachable(*args, **kwargs):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(heartbeat, "record", unreachable)
    assert scheduler.tick() > 0
    scheduler.close()


def test_beat_health_check_passes_on_a_fresh_heartbeat_only(db, capsys):
    _beat(5)
    assert healthcheck.main(["beat"]) == 0
    _beat(600)
    assert healthcheck.main(["beat"]) == 1
    assert "beat: stale (heartbeat 600 s old)" in capsys.readouterr().out


def test_web_health_check_sends_an_allowed_host(live_server, redis_broker, monkeypatch):
    port = live_server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("GUNICORN_BIND", f"0.0.0.0:{port}")
    # Django refuses 127.0.0.1 here: the check must send a name from DJANGO_ALLOWED_HOSTS.
    monkeypatch.setattr("django.conf.settings.ALLOWED_HOSTS", ["telefoni.kommun.example"])
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".telefoni.kommun.example,other.example")
    assert healthcheck.main(["web"]) == 0
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "other.example")
    assert healthcheck.main(["web"]) == 1


def test_web_health_check_fails_when_nothing_listens(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:1")
    assert healthcheck.main(["web"]) == 1
