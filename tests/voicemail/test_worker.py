"""The voicemail sweep and the daily reminder through a real Celery worker on Redis, twice."""

import pytest
from django.core import mail

from compliance.models import Flag
from tests.services import outbox_drained, wait_for
from tests.voicemail.conftest import make_box
from voicemail import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_voicemail_sweep_and_reminders_on_a_real_worker_twice(
    redis_worker, finished, world, phones, clock
):
    box = make_box(world, phones.anna)
    sweep, remind = tasks.sweep_voicemail.name, tasks.send_listening_reminders.name

    tasks.sweep_voicemail.delay()
    assert wait_for(lambda: finished.count(sweep) == 1)
    assert outbox_drained()
    flag = Flag.objects.get(rule="VM-4")
    assert flag.object_id == box.pk
    assert wait_for(lambda: Flag.objects.filter(notified_at__isnull=False).count() == 1)
    # The holder (compliance's e-mail) and her manager (voicemail's), once each.
    assert wait_for(lambda: len(mail.outbox) == 2)
    tasks.send_listening_reminders.delay()
    assert wait_for(lambda: finished.count(remind) == 1)
    assert outbox_drained()
    assert len(mail.outbox) == 3
    assert "/rostbrevlador/lank/" in mail.outbox[-1].body

    tasks.sweep_voicemail.delay()
    tasks.send_listening_reminders.delay()
    assert wait_for(lambda: finished.count(sweep) == 2 and finished.count(remind) == 2)
    assert outbox_drained()
    assert Flag.objects.count() == 1
    assert len(mail.outbox) == 3
