"""The Celery app and the beat schedule: every nightly job raises and resolves flags."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefoni.settings")

app = Celery("telefoni")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _beat_schedule(sender, **kwargs):
    from django.conf import settings

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
        "flag-notifications-retry": {
            "task": "compliance.tasks.notify_pending_flags",
            "schedule": crontab(minute=15),
        },
    }
