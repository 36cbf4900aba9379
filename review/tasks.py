from celery import shared_task

from . import services


@shared_task
def sweep_reviews():
    """Nightly (REV-1, REV-2): open the round when due, flag, send due e-mails. Returns the
    number of flags opened plus resolved."""
    return services.sweep_reviews().changed
