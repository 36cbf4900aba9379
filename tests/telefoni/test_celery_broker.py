"""tests.services.celery_broker: after a switch, tasks and broadcasts go to the new broker.

The CI run of 2026-12-02 lost three worker tests this way: the app had published once to
another broker earlier in the same pytest process, kept that broker's producer pool, and
the test worker never saw a task or a ping."""

from urllib.parse import urlparse

from celery.contrib.testing.tasks import ping

from telefoni.celery import app
from tests.services import celery_broker, require_redis


def _other_database(url):
    parsed = urlparse(url)
    database = (int(parsed.path.strip("/") or 0) + 1) % 16
    return parsed._replace(path=f"/{database}").geturl()


def _queued(url):
    """Messages waiting in the default queue ("celery") of the broker at `url`."""
    with celery_broker(url), app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen("celery")


def _flush(url):
    with celery_broker(url), app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()


def test_a_task_published_after_a_switch_reaches_the_new_broker(db):
    here = require_redis()
    elsewhere = _other_database(here)
    _flush(here)
    with celery_broker(elsewhere):
        ping.delay()  # the first publish of the process, on another broker
    with celery_broker(here):
        ping.delay()
        ping.delay()
    assert _queued(here) == 2
    _flush(elsewhere)


def test_a_broadcast_after_a_switch_goes_through_the_new_broker(db):
    here = require_redis()
    elsewhere = _other_database(here)
    with celery_broker(elsewhere):
        app.control.ping(timeout=0.01)
    with celery_broker(here):
        pool = app.control.mailbox.producer_pool
        with pool.acquire() as producer:
            assert producer.connection.as_uri().endswith(urlparse(here).path)
