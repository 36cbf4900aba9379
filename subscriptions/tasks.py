from celery import shared_task

from . import movers


@shared_task
def sweep_movers():
    """Nightly DEV-4: re-judge the open flags of movers' phones (a move opens them).
    Returns the flags changed."""
    return movers.sweep_movers().changed
