"""The mail outbox (issue 18): mail is written with the change, never lost and never a 500.

The relay down is a backend that refuses (tests.mail_backends.RelayDown); the broker down
is the queuing raising kombu's OperationalError, as apply_async does when the broker is
unreachable. These tests queue for real (the real_queue fixture turns off the conftest
drain that stands in for an idle worker).
"""

import logging
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from common import outbox, tasks
from common.mail import mail_on_commit
from common.models import OutboxMessage
from service.models import ThreatReport
from telefoni.celery import app
from tests.conftest import MATRIX
from tests.mail_backends import CountingBackend
from tests.services import require_postgresql

RELAY_DOWN = "tests.mail_backends.RelayDown"
COUNTING = "tests.mail_backends.CountingBackend"
NEW_THREAT = reverse("service:threat_create")


@pytest.fixture
def real_queue():
    """Marks a test whose commits queue common.tasks.send_outbox for real."""


class _BrokerDown:
    """Stands for celery's current_app with a broker nobody answers."""

    def __init__(self):
        self.tries = []

    def signature(self, name, kwargs=None):
        self.tries.append(name)
        return self

    def apply_async(self):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class _Broker:
    """Stands for celery's current_app with a broker that takes the task (and no worker)."""

    def __init__(self):
        self.queued = []

    def signature(self, name, kwargs=None):
        self.queued.append((name, kwargs))
        return self

    def apply_async(self):
        return None


@pytest.fixture
def broker_down(real_queue, monkeypatch):
    down = _BrokerDown()
    monkeypatch.setattr(tasks, "current_app", down)
    return down


@pytest.fixture
def broker(real_queue, monkeypatch):
    up = _Broker()
    monkeypatch.setattr(tasks, "current_app", up)
    return up


def _make_due():
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_message_is_written_in_the_transaction_and_queued_after_the_commit(
    db, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_on_commit(["b@kommun.se", "a@kommun.se", ""], "Ämne\n på två rader", "Text")
        assert OutboxMessage.objects.count() == 1
        assert broker.queued == []
    assert broker.queued == [("common.tasks.send_outbox", {})]
    message = OutboxMessage.objects.get()
    assert message.recipients == ["a@kommun.se", "b@kommun.se"]
    assert message.subject == "Ämne på två rader"
    assert message.sent_at is None and message.attempts == 0
    assert mail.outbox == []  # nobody drained yet: the worker would


def test_a_rollback_leaves_no_message_and_queues_nothing(
    db, broker, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        mail_on_commit(["a@kommun.se"], "Ämne", "Text")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    assert broker.queued == []


def test_relay_down_keeps_the_message_with_its_error_and_sends_it_later(
    db, settings, broker, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = RELAY_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        mail_on_commit(["a@kommun.se"], "Ämne", "Text")
    before = timezone.now()
    assert tasks.send_outbox() == 0
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: relay down"
    assert before + timedelta(seconds=59) < message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(minutes=1)

    assert tasks.send_outbox() == 0  # not due yet: no new attempt
    assert OutboxMessage.objects.get().attempts == 1

    _make_due()
    assert tasks.send_outbox() == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=119)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _make_due()
    assert tasks.send_outbox() == 1
    assert tasks.send_outbox() == 0
    _make_due()
    assert tasks.send_outbox() == 0  # sent rows are never claimed again
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@kommun.se"]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 3


def test_the_backoff_doubles_from_one_minute_up_to_an_hour():
    minutes = [outbox.backoff(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_one_connection_per_drain(db, settings):
    settings.EMAIL_BACKEND = COUNTING
    for n in range(3):
        OutboxMessage.objects.create(recipients=[f"p{n}@kommun.se"], subject="Ä", body="T")
    CountingBackend.made = CountingBackend.opened = 0
    assert outbox.send_due() == 3
    assert (CountingBackend.made, CountingBackend.opened) == (1, 1)
    assert len(mail.outbox) == 3
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


def test_a_drain_sends_more_than_one_batch(db, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH", 2)
    for n in range(5):
        OutboxMessage.objects.create(recipients=[f"p{n}@kommun.se"], subject="Ä", body="T")
    assert outbox.send_due() == 5
    assert outbox.send_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@kommun.se" for n in range(5)]


def test_broker_down_the_request_still_redirects_and_the_beat_drain_sends_later(
    matrix_client, world, clock, broker_down, caplog, django_capture_on_commit_callbacks
):
    client = matrix_client("employee")
    with (
        caplog.at_level(logging.ERROR, logger="common.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            NEW_THREAT,
            {"occurred_at": "2026-12-01T09:10", "what_was_said": "Du ska få se.", "caller": ""},
        )
    report = ThreatReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert broker_down.tries == ["common.tasks.send_outbox"]
    assert "Could not queue common.tasks.send_outbox" in caplog.text
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 1
    # What beat runs every minute:
    assert tasks.send_outbox() == 1
    assert tasks.send_outbox() == 0
    assert len(mail.outbox) == 1
    report.refresh_from_db()
    assert report.notified_at is not None


def test_enqueue_on_commit_with_the_broker_down_logs_and_does_not_raise(
    db, broker_down, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.ERROR, logger="common.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.enqueue_on_commit("costs.tasks.run_usage_import", import_id=7)
    assert broker_down.tries == ["costs.tasks.run_usage_import"]
    assert "Could not queue costs.tasks.run_usage_import {'import_id': 7}" in caplog.text


def test_beat_drains_the_outbox_every_minute():
    app.finalize()
    app.loader.import_default_modules()
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "common.tasks.send_outbox"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].minute == set(range(60))
    assert "common.tasks.send_outbox" in app.tasks


def test_two_drains_at_once_send_every_message_once_on_postgresql(
    transactional_db, settings, monkeypatch
):
    """skip_locked: a drain passes over the rows another drain holds, never sends them."""
    require_postgresql()
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    monkeypatch.setattr(outbox, "BATCH", 2)
    for n in range(8):
        OutboxMessage.objects.create(recipients=[f"p{n}@kommun.se"], subject="Ä", body="T")
    barrier = threading.Barrier(2)
    counts = []

    def drain():
        try:
            barrier.wait(timeout=10)
            counts.append(outbox.send_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts) == 8 and len(counts) == 2, counts
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@kommun.se" for n in range(8)]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


# --- Giving up, sending again, keeping nothing longer than needed ---------------------------


def test_a_message_is_given_up_after_the_last_attempt_and_logged_as_an_error(db, settings, caplog):
    settings.EMAIL_BACKEND = RELAY_DOWN
    settings.TELEFONI_OUTBOX_MAX_ATTEMPTS = 3
    OutboxMessage.objects.create(recipients=["a@kommun.se"], subject="Ä", body="T")
    for _ in range(3):
        _make_due()
        assert outbox.send_due() == 0
    message = OutboxMessage.objects.get()
    assert (message.attempts, message.sent_at) == (3, None)
    assert message.failed_at is not None
    assert [r.levelname for r in caplog.records if "given up" in r.getMessage()] == ["ERROR"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _make_due()
    assert outbox.send_due() == 0  # given up: never tried again by itself
    assert mail.outbox == []
    assert message.subject == "Ä" and message.body == "T"  # kept for sending again


def test_a_sent_message_keeps_neither_its_subject_nor_its_text(db):
    OutboxMessage.objects.create(
        recipients=["a@kommun.se"], subject="Ring Kalle Anka", body="070-123 45 67"
    )
    assert outbox.send_due() == 1
    assert mail.outbox[0].subject == "Ring Kalle Anka"
    message = OutboxMessage.objects.get()
    assert (message.subject, message.body) == ("", "")
    assert message.recipients == ["a@kommun.se"]


def test_purge_deletes_sent_rows_after_the_keeping_time_and_given_up_ones_after_thirty_days(
    db, settings
):
    settings.TELEFONI_OUTBOX_KEEP_DAYS = 7
    now = timezone.now()

    def row(label, **times):
        return OutboxMessage.objects.create(
            recipients=[f"{label}@kommun.se"], subject="Ä", body="T", **times
        )

    row("sent8", sent_at=now - timedelta(days=8))
    row("sent6", sent_at=now - timedelta(days=6))
    row("failed31", failed_at=now - timedelta(days=31))
    row("failed29", failed_at=now - timedelta(days=29))
    row("waiting", created_at=now - timedelta(days=60))
    assert outbox.purge() == 2
    left = sorted(m.recipients[0] for m in OutboxMessage.objects.all())
    assert left == ["failed29@kommun.se", "sent6@kommun.se", "waiting@kommun.se"]


def test_beat_purges_the_outbox_nightly():
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "common.tasks.purge_outbox"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].hour == {4}


ADMIN_LIST = reverse("admin:common_outboxmessage_changelist")
ADMIN_STATUS = dict.fromkeys(MATRIX, 302) | {"telekundtjanst": 403, "admin": 200}


@pytest.mark.parametrize("who", MATRIX)
def test_only_the_systemadministrator_sees_the_outbox_in_the_admin(matrix_client, who):
    OutboxMessage.objects.create(
        recipients=["a@kommun.se"], subject="Ring Kalle Anka", body="070-123 45 67"
    )
    response = matrix_client(who).get(ADMIN_LIST)
    assert response.status_code == ADMIN_STATUS[who]
    if response.status_code == 200:
        page = response.content.decode()
        assert "a@kommun.se" in page
        # Never the subject or the text: they may name a caller or a protected person.
        assert "Kalle" not in page and "070-123" not in page
        message = OutboxMessage.objects.get()
        detail = matrix_client(who).get(
            reverse("admin:common_outboxmessage_change", args=[message.pk])
        )
        assert detail.status_code == 200
        assert "Kalle" not in detail.content.decode()


def test_the_administrator_sends_a_given_up_message_again(
    matrix_client, broker, django_capture_on_commit_callbacks
):
    message = OutboxMessage.objects.create(
        recipients=["a@kommun.se"],
        subject="Ä",
        body="T",
        attempts=20,
        last_error="ConnectionRefusedError: relay down",
        failed_at=timezone.now(),
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    client = matrix_client("admin")
    response = client.post(
        ADMIN_LIST,
        {"action": "send_again", "_selected_action": [message.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 e-postmeddelande skickas igen." in response.content.decode()
    assert broker.queued == [("common.tasks.send_outbox", {})]
    message.refresh_from_db()
    assert (message.failed_at, message.attempts, message.last_error) == (None, 0, "")
    assert outbox.send_due() == 1
    assert mail.outbox[0].to == ["a@kommun.se"]
