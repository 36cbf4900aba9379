"""The SRV-2 sweep and the DIR-5 erasure through a real Celery worker on Redis, twice."""

import pytest
from django.core import mail

from compliance.models import Flag
from service import services, tasks
from service.models import Callback
from tests.conftest import local
from tests.service.conftest import take_message
from tests.services import outbox_drained, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_sweeps_on_a_real_worker_twice(redis_worker, finished, world, clock):
    overdue = take_message(world)
    done = take_message(world, caller_name="Per Persson")
    services.callback_mark_done(actor=world.people["employee"].user, callback=done)
    clock.set(local(2027, 1, 15, 2, 50))  # overdue long since; done 45 days ago
    sweep, erase = tasks.sweep_callbacks.name, tasks.erase_callback_contacts.name

    tasks.sweep_callbacks.delay()
    tasks.erase_callback_contacts.delay()
    assert wait_for(lambda: finished.count(sweep) == 1 and finished.count(erase) == 1)
    assert outbox_drained()
    assert Flag.objects.get(rule="SRV-2", notified_at__isnull=False).object_id == overdue.pk
    erased = Callback.objects.get(pk=done.pk)
    assert (erased.caller_phone, erased.erased_at is not None) == ("", True)
    assert not Callback.history.filter(id=done.pk).exclude(caller_phone="").exists()
    assert Callback.objects.get(pk=overdue.pk).caller_phone == "+46701234567"
    sent = len(mail.outbox)
    assert sent >= 1

    tasks.sweep_callbacks.delay()
    tasks.erase_callback_contacts.delay()
    assert wait_for(lambda: finished.count(sweep) == 2 and finished.count(erase) == 2)
    assert outbox_drained()
    assert Flag.objects.count() == 1
    assert Callback.history.filter(id=done.pk).count() == 3
    assert len(mail.outbox) == sent
