"""The ABS-1 sweep through a real Celery worker on Redis, twice."""

import pytest
from django.core import mail

from absence import services, tasks
from absence.choices import Reason, Status, Target
from absence.models import Redirect
from compliance.models import Flag
from tests.conftest import local
from tests.services import outbox_drained, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_absence_sweep_on_a_real_worker_twice(redis_worker, finished, world, phones, clock):
    user = world.people["employee"].user
    services.redirect_create(
        actor=user,
        subscriptions=[phones.anna],
        reason=Reason.SICK,
        ends_at=local(2026, 12, 4, 8, 0),
        target=Target.NOWHERE,
    )
    (lunch,) = services.redirect_create(
        actor=user,
        subscriptions=[phones.bo],
        reason=Reason.LUNCH,
        ends_at=local(2026, 12, 1, 12, 0),
        target=Target.KUNDTJANST,
    )
    clock.set(local(2026, 12, 1, 12, 30))
    sweep = tasks.sweep_absence.name

    tasks.sweep_absence.delay()
    assert wait_for(lambda: finished.count(sweep) == 1)
    assert outbox_drained()
    assert Redirect.objects.get(pk=lunch.pk).status == Status.ENDED
    assert Flag.objects.filter(rule="ABS-1", notified_at__isnull=False).count() == 1
    sent = len(mail.outbox)
    assert sent >= 1

    tasks.sweep_absence.delay()
    assert wait_for(lambda: finished.count(sweep) == 2)
    assert outbox_drained()
    assert Flag.objects.count() == 1
    assert len(mail.outbox) == sent
