from celery import shared_task

from . import services


@shared_task
def sweep_absence():
    """Nightly (and hourly): close expired hänvisningar and check ABS-1. Returns the
    number of hänvisningar closed plus flags opened and resolved."""
    closed, result = services.sweep_absence()
    return closed + result.changed
