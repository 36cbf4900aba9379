from celery import shared_task

from . import services


@shared_task
def sweep_leavers():
    """Nightly X-3: flag what every leaver still holds (the directory sync,
    organisation.tasks.sync_directory, marks them as left). Returns the flags changed."""
    return services.sweep_leavers().changed
