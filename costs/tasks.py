from celery import shared_task

from . import services


# Bounded: past the soft limit the import fails with its Swedish reason (the task catches
# SoftTimeLimitExceeded like any fault); past the hard one the pool kills it and the
# stuck-import sweep fails it (services.STUCK_AFTER is longer than both).
@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def run_usage_import(*, import_id):
    """Import one uploaded operator file; returns the status it ended in (None when it
    was not waiting: missing, already taken by another delivery of the task, or ended)."""
    return services.usage_import_run(import_id=import_id)


@shared_task
def sweep_stuck_imports():
    """Every few minutes: no usage import stays pending or running (re-queued once, then
    failed with the uploader told); returns how many imports it moved."""
    return services.sweep_stuck_imports()


@shared_task
def sweep_costs():
    """Nightly (and after each import): COST-2, BAR-1, COST-5, SUB-5."""
    return services.sweep_costs().changed


@shared_task
def purge_call_details():
    """Nightly (COST-3): delete call detail older than the guideline's retention time;
    returns how many statements were purged."""
    return services.purge_call_details()
