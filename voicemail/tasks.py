from celery import shared_task

from . import services
from .leavers import sweep_leaver_boxes


@shared_task
def sweep_voicemail():
    """Each working-day morning: VM-4, VM-2 and ABS-6 flags, and X-3 for the boxes of
    people who left (resolved once the phone is cancelled or handed over). Returns flags
    opened plus resolved (0 on a day that is not a working day)."""
    return services.sweep_voicemail().changed + sweep_leaver_boxes().changed


@shared_task
def send_listening_reminders():
    """Each working-day morning: the daily "listen to your voicemail" e-mails. Returns
    the number sent."""
    return services.send_listening_reminders()
