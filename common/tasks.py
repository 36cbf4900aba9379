"""Starting a Celery task from a service, and the task that drains the mail outbox."""

import logging

from celery import current_app, shared_task
from django.db import transaction

from common import outbox

log = logging.getLogger(__name__)


def queue(task_name: str, **kwargs: object) -> bool:
    """Queue the task `task_name` now; False (logged, never raised) when the broker is
    unreachable, so a committed change never turns into a 500."""
    try:
        current_app.signature(task_name, kwargs=kwargs).apply_async()
    except Exception:  # the broker is down or refuses: the caller's sweep picks it up
        log.exception("Could not queue %s %s", task_name, kwargs)
        return False
    return True


def enqueue_on_commit(task_name: str, **kwargs: object) -> None:
    """Queue the task registered as `task_name` with keyword arguments `kwargs` once the
    transaction commits (nothing is queued on a rollback). A broker that is down is
    logged, not raised (see queue); the work must then be found again by a beat sweep.

    By name, so a service never imports its own app's tasks module (tasks are thin
    wrappers that import the services: the import would be a circle)."""
    transaction.on_commit(lambda: queue(task_name, **kwargs))


@shared_task(name="common.tasks.send_outbox")
def send_outbox() -> int:
    """Send the due messages of the mail outbox (common.outbox.send_due). Queued after
    every commit that wrote one, and every minute by beat for what the broker never got."""
    return outbox.send_due()


@shared_task(name="common.tasks.purge_outbox")
def purge_outbox() -> int:
    """Delete what common.outbox.purge says is past keeping (nightly)."""
    return outbox.purge()
