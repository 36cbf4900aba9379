from celery import shared_task

from . import services


@shared_task
def run_usage_import(*, import_id):
    """Import one uploaded operator file; returns its final status (None if already done)."""
    return services.usage_import_run(import_id=import_id)


@shared_task
def sweep_costs():
    """Nightly (and after each import): COST-2, BAR-1, COST-5, SUB-5."""
    return services.sweep_costs().changed
