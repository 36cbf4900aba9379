"""The nightly sweep through a real Celery worker on Redis, twice."""

import time

import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker knows)
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from compliance import tasks
from compliance.models import Flag
from telefoni.celery import app
from tests.factories import PersonFactory, UnitFactory
from tests.services import celery_broker, require_redis


@pytest.fixture
def finished():
    """Names of the tasks the worker has finished, in order."""
    done = []

    def record(sender=None, **kwargs):
        done.append(sender.name)

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


def _close_worker_connections(**kwargs):
    # Runs in the worker's thread: its database connection would otherwise outlive the
    # test and keep PostgreSQL from dropping the test database.
    connections.close_all()


@pytest.fixture
def redis_worker(transactional_db):
    url = require_redis()
    task_postrun.connect(_close_worker_connections, weak=False)
    with celery_broker(url):
        with app.connection_for_write() as conn:
            assert conn.as_uri().startswith("redis://")
            conn.default_channel.client.flushdb()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    task_postrun.disconnect(_close_worker_connections)


def _wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_org_sweep_runs_on_a_real_worker_and_twice_sends_once(redis_worker, finished):
    root = UnitFactory(name="Miljöförvaltningen")
    chief = PersonFactory(unit=root, email="miljochef@kommun.example")
    root.manager = chief
    root.save()
    sweep = tasks.sweep_organisation_rules.name

    tasks.sweep_organisation_rules.delay()
    assert _wait_for(lambda: finished.count(sweep) == 1)
    # ORG-2 (no telesamordnare) and ORG-3 (no reserve plan): two flags, two mails.
    assert Flag.objects.filter(notified_at__isnull=False).count() == 2
    assert len(mail.outbox) == 2

    tasks.sweep_organisation_rules.delay()
    assert _wait_for(lambda: finished.count(sweep) == 2)
    assert Flag.objects.count() == 2
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"miljochef@kommun.example"}
