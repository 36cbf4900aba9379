"""Celery beat's scheduler, with a heartbeat the web nodes can read.

Beat wakes at least every CELERY_BEAT_MAX_LOOP_INTERVAL seconds (60) to see what is due;
each wake-up also writes the "beat" heartbeat (common.heartbeat, in the database every node
shares), at most once per HEARTBEAT_MIN_SECONDS. Beat itself writes it, not a task a worker
runs, so a worker that is down does not make beat look dead: /healthz reports the two apart.
"""

import logging
import time

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)

HEARTBEAT = "beat"
HEARTBEAT_MIN_SECONDS = 10


def stale_after_seconds(app):
    """A heartbeat older than two wake-up intervals means beat is not running."""
    return 2 * int(app.conf.beat_max_loop_interval or 60)


class HeartbeatScheduler(PersistentScheduler):
    _last_heartbeat = None

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        now = time.monotonic()
        due = self._last_heartbeat is None or now - self._last_heartbeat >= HEARTBEAT_MIN_SECONDS
        if due and write_heartbeat():
            self._last_heartbeat = now
        return delay


def write_heartbeat():
    """Record the heartbeat; a database that is down is logged, never fatal to beat."""
    from django.db import DatabaseError, close_old_connections  # noqa: PLC0415 -- beat loads this module before Django is set up

    from common import heartbeat  # noqa: PLC0415 -- models load only once Django is set up

    close_old_connections()
    try:
        heartbeat.record(HEARTBEAT)
    except DatabaseError as exc:
        log.warning("beat heartbeat not written: %s", exc)
        return False
    return True
