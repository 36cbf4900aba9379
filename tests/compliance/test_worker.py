"""The nightly sweep through a real Celery worker on Redis, twice."""

from django.core import mail

from compliance import tasks
from compliance.models import Flag
from tests.factories import PersonFactory, UnitFactory
from tests.services import outbox_drained, wait_for


def test_org_sweep_runs_on_a_real_worker_and_twice_sends_once(redis_worker, finished):
    root = UnitFactory(name="Miljöförvaltningen")
    chief = PersonFactory(unit=root, email="miljochef@kommun.example")
    root.manager = chief
    root.save()
    sweep = tasks.sweep_organisation_rules.name

    tasks.sweep_organisation_rules.delay()
    assert wait_for(lambda: finished.count(sweep) == 1)
    assert outbox_drained()
    # ORG-2 (no telesamordnare) and ORG-3 (no reserve plan): two flags, two mails.
    assert Flag.objects.filter(notified_at__isnull=False).count() == 2
    assert len(mail.outbox) == 2

    tasks.sweep_organisation_rules.delay()
    assert wait_for(lambda: finished.count(sweep) == 2)
    assert outbox_drained()
    assert Flag.objects.count() == 2
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"miljochef@kommun.example"}
