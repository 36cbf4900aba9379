from celery import shared_task

from . import directory_sync
from .models import DirectorySyncRun


@shared_task
def sync_directory(run_id=None):
    """Nightly, and "Synka nu": people from the directory (LDAP). With `run_id`, the run
    Tele kundtjänst queued; a run that is not queued any more is left alone. Returns the
    number of people created, updated, marked as left or back."""
    run = None
    if run_id is not None:
        run = DirectorySyncRun.objects.filter(
            pk=run_id, status=DirectorySyncRun.Status.QUEUED
        ).first()
        if run is None:
            return 0
    run = directory_sync.sync_directory(run=run)
    return run.created + run.updated + run.left + run.returned
