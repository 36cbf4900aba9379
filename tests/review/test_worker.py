"""The nightly review sweep through a real Celery worker on Redis, twice: the round opens
on its day, each manager is e-mailed once, and the second run changes nothing."""

from django.core import mail
from django.utils import timezone

from compliance.models import Flag
from review import tasks
from review.models import ReviewRound, UnitReview
from subscriptions.models import Subscription
from tests.services import outbox_drained, wait_for


def test_review_sweep_runs_on_a_real_worker_and_twice_sends_once(
    redis_worker, finished, world, phones, set_guideline
):
    set_guideline(review_opens=timezone.localdate().strftime("%m-%d"))
    Subscription.objects.update(activated_on=timezone.localdate().replace(year=2020))
    sweep = tasks.sweep_reviews.name

    tasks.sweep_reviews.delay()
    assert wait_for(lambda: finished.count(sweep) == 1)
    assert outbox_drained()
    assert ReviewRound.objects.get().opened_by is None
    assert UnitReview.objects.filter(opened_mail_at__isnull=False).count() == 2
    # Two opening e-mails and two REV-1 flags (one per reviewing unit), each told once.
    assert Flag.objects.filter(rule="REV-1", notified_at__isnull=False).count() == 2
    assert len(mail.outbox) == 4

    tasks.sweep_reviews.delay()
    assert wait_for(lambda: finished.count(sweep) == 2)
    assert outbox_drained()
    assert ReviewRound.objects.count() == 1 and Flag.objects.count() == 2
    assert len(mail.outbox) == 4
