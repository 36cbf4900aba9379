from celery import shared_task

from . import services


@shared_task
def run_usage_import(*, import_id):
    """Import one uploaded operator file; returns its final status (None if already done)."""
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
