from celery import shared_task

from . import services


@shared_task
def sweep_callbacks():
    """Nightly (SRV-2): flag overdue callbacks, tell managers once, retry failed e-mails.
    Returns the number of flags opened and resolved plus e-mails sent."""
    result, sent = services.sweep_callbacks()
    return result.changed + sent


@shared_task
def erase_callback_contacts():
    """Nightly (DIR-5): erase callers' numbers and e-mails of callbacks done long enough
    ago. Returns the number of callbacks erased."""
    return services.erase_callback_contacts()


@shared_task
def send_callback_email(*, callback_id):
    """Send (or re-send after a failure) one callback's e-mail; 0 when it is gone, done
    or already sent."""
    return services.callback_send_email(callback_id=callback_id)
