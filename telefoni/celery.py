"""The Celery app and the beat schedule: every nightly job raises and resolves flags."""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefoni.settings")

app = Celery("telefoni")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _django_logging(**kwargs):
    """Workers and beat log as the web does (settings.LOGGING, common.logs): Celery
    configures no logging of its own when this signal has a receiver."""
    from logging.config import dictConfig  # noqa: PLC0415 -- read once Django is set up, not when celery.py loads

    from django.conf import settings  # noqa: PLC0415 -- read once Django is set up, not when celery.py loads

    dictConfig(settings.LOGGING)


_task_log_tokens = {}


@signals.task_prerun.connect
def _bind_task_id(task_id=None, **kwargs):
    """A task's log lines carry its id where a request's carry the request id."""
    from common.logs import bind  # noqa: PLC0415 -- celery.py loads before Django is set up

    _task_log_tokens[task_id] = bind(task_id or "-")


@signals.task_postrun.connect
def _unbind_task_id(task_id=None, **kwargs):
    from common.logs import unbind  # noqa: PLC0415 -- celery.py loads before Django is set up

    token = _task_log_tokens.pop(task_id, None)
    if token is not None:
        unbind(token)


@app.on_after_finalize.connect
def _beat_schedule(sender, **kwargs):
    from django.conf import settings  # noqa: PLC0415 -- read once Django is set up, not when celery.py loads

    sender.conf.beat_schedule = {
        "organisation-rules-nightly": {
            "task": "compliance.tasks.sweep_organisation_rules",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=0),
        },
        # ABS-1: hourly, so expired hänvisningar are closed the same day; idempotent.
        "absence-sweep-hourly": {
            "task": "absence.tasks.sweep_absence",
            "schedule": crontab(minute=5),
        },
        "annual-review-nightly": {
            "task": "review.tasks.sweep_reviews",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=30),
        },
        # COST-2/COST-5/BAR-1/SUB-5: also run after every usage import; idempotent.
        "costs-sweep-nightly": {
            "task": "costs.tasks.sweep_costs",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=45),
        },
        # COST-1: no usage import stays pending or running (broker lost it, worker died).
        "costs-stuck-imports": {
            "task": "costs.tasks.sweep_stuck_imports",
            "schedule": crontab(minute="*/5"),
        },
        # SRV-2: overdue callbacks flagged the night after their deadline; retries e-mails.
        "service-callbacks-nightly": {
            "task": "service.tasks.sweep_callbacks",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=50),
        },
        # DIR-5: callers' numbers erased callback_erase_days after the callback is done.
        "service-erase-callers-nightly": {
            "task": "service.tasks.erase_callback_contacts",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=55),
        },
        # VM-4/VM-2/ABS-6 and the daily listening reminder: weekday mornings; the tasks do
        # nothing on Swedish public holidays and the eves (absence.workdays).
        "voicemail-sweep-mornings": {
            "task": "voicemail.tasks.sweep_voicemail",
            "schedule": crontab(hour=6, minute=30, day_of_week="mon-fri"),
        },
        "voicemail-reminders-mornings": {
            "task": "voicemail.tasks.send_listening_reminders",
            "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
        },
        # COST-3: call detail of itemised statements past its retention time; idempotent.
        "costs-call-detail-retention-nightly": {
            "task": "costs.tasks.purge_call_details",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=50),
        },
        # Issue 17: people from the directory (LDAP): joiners, movers, leavers and
        # people who come back, before the sweeps that read them; idempotent.
        "directory-sync-nightly": {
            "task": "organisation.tasks.sync_directory",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=40),
        },
        # DEV-4: a mover's phone flag closes once the phone is on the new cost centre.
        "movers-nightly": {
            "task": "subscriptions.tasks.sweep_movers",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=50),
        },
        # what every leaver holds is flagged (the directory sync marked them).
        "leavers-nightly": {
            "task": "devices.tasks.sweep_leavers",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=50),
        },
        # The mail outbox (common.outbox): what the broker never got, and retries.
        "mail-outbox-every-minute": {
            "task": "common.tasks.send_outbox",
            "schedule": crontab(),
        },
        "mail-outbox-purge-nightly": {
            "task": "common.tasks.purge_outbox",
            "schedule": crontab(hour=settings.TELEFONI_SWEEP_HOUR, minute=55),
        },
        "flag-notifications-retry": {
            "task": "compliance.tasks.notify_pending_flags",
            "schedule": crontab(minute=15),
        },
    }
