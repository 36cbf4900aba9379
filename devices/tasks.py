from celery import shared_task

from organisation import leavers

from . import services


@shared_task
def sweep_leavers():
    """Nightly X-3: mark as left the people the directory (LDAP) says have left, then flag
    what every leaver still holds. Returns the number of people marked plus flags changed."""
    run = leavers.sync_leavers_from_directory()
    return run.changed + services.sweep_leavers().changed
