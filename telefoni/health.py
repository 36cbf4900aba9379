"""What /healthz reports, and what the containers' health checks run.

    database  ok | error    a SELECT 1 answers
    broker    ok | error    the Celery broker accepts a connection
    worker    ok | error    at least one Celery worker answers a ping within WORKER_TIMEOUT
    beat      ok | stale | error   beat's heartbeat is at most two wake-up intervals old
                            (stale: older, or never written; error: it cannot be read)
    beat_age_seconds        seconds since beat's heartbeat (null: none)
    mail      ok | delayed | failed | error   the mail outbox (common.outbox): failed when
                            a message was given up, delayed when one has waited more than
                            MAIL_DELAYED_SECONDS (the relay or the worker is down)
    mail_failed             messages given up (an administrator sends them again)
    mail_oldest_waiting_seconds   age of the oldest message not yet sent (null: none)
    status    ok | degraded | error

HTTP status: 200 while the database and the broker answer, 503 when either does not (what
a load balancer acts on: this web node can serve). A worker, beat or mail that is down leaves the
web node serving, so it answers 200 with status "degraded": uploads then wait and the
nightly jobs do not run, which monitoring must see, but taking web nodes out would not help.
"""

import logging

from django.db import connection

from .beat import HEARTBEAT, stale_after_seconds
from .celery import app as celery_app

log = logging.getLogger(__name__)

WORKER_TIMEOUT = 1.0
MAIL_DELAYED_SECONDS = 15 * 60


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.exception("healthz: database check failed")
        return False


def broker_ok():
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        log.exception("healthz: broker check failed")
        return False


def worker_ok(timeout=WORKER_TIMEOUT):
    """A broadcast ping; returns as soon as one worker answers."""
    try:
        return bool(celery_app.control.ping(timeout=timeout, limit=1))
    except Exception:
        log.exception("healthz: worker ping failed")
        return False


def beat_state():
    """("ok" | "stale" | "error", age in seconds or None)."""
    from common import heartbeat  # noqa: PLC0415 -- models load only once Django is set up

    try:
        age = heartbeat.age(HEARTBEAT)
    except Exception:
        log.exception("healthz: beat heartbeat could not be read")
        return "error", None
    if age is None or age > stale_after_seconds(celery_app):
        return "stale", None if age is None else int(age)
    return "ok", int(age)


def mail_state():
    """("ok" | "delayed" | "failed" | "error", given up, oldest waiting in seconds)."""
    from common import outbox  # noqa: PLC0415 -- models load only once Django is set up

    try:
        state = outbox.state()
    except Exception:
        log.exception("healthz: the mail outbox could not be read")
        return "error", None, None
    failed, oldest = state
    if failed:
        return "failed", failed, oldest
    if oldest is not None and oldest > MAIL_DELAYED_SECONDS:
        return "delayed", failed, oldest
    return "ok", failed, oldest


def report():
    """(HTTP status, JSON body) of /healthz."""
    database = database_ok()
    broker = broker_ok()
    # Without a broker no ping can reach a worker.
    worker = broker and worker_ok()
    beat, beat_age = beat_state() if database else ("error", None)
    mail, mail_failed, mail_oldest = mail_state() if database else ("error", None, None)
    serving = database and broker
    body = {
        "database": "ok" if database else "error",
        "broker": "ok" if broker else "error",
        "worker": "ok" if worker else "error",
        "beat": beat,
        "beat_age_seconds": beat_age,
        "mail": mail,
        "mail_failed": mail_failed,
        "mail_oldest_waiting_seconds": mail_oldest,
    }
    if not serving:
        body["status"] = "error"
    elif worker and beat == "ok" and mail == "ok":
        body["status"] = "ok"
    else:
        body["status"] = "degraded"
    return (200 if serving else 503), body
