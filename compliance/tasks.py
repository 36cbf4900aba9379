from celery import shared_task

from . import services


@shared_task
def sweep_organisation_rules():
    """Nightly: ORG-2 and ORG-3. Returns the number of flags opened plus resolved."""
    return services.sweep_organisation_rules().changed


@shared_task
def notify_pending_flags():
    """Retry e-mails of flags whose notification failed earlier."""
    return services.notify_pending_flags()
