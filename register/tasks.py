from celery import shared_task

from . import services


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def run_register_import(*, import_id):
    """Import one uploaded register; returns the status it ended in (None when it was not
    waiting)."""
    return services.register_import_run(import_id=import_id)
