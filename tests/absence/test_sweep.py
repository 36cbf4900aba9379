"""The ABS-1 sweep: expired hänvisningar are closed, a long absence whose calls go
nowhere raises a flag to the holder and tells the manager once; twice changes nothing."""

from datetime import date

import pytest
from django.core import mail

from absence import services, tasks
from absence.choices import Reason, Status, Target
from absence.models import Redirect
from compliance.models import Flag
from subscriptions.choices import Status as PhoneStatus
from tests.conftest import local


def _set(world, phones, **kw):
    values = {
        "actor": world.people["employee"].user,
        "subscriptions": [phones.anna],
        "reason": Reason.LUNCH,
        "ends_at": local(2026, 12, 1, 13, 0),
        "target": Target.KUNDTJANST,
    }
    return services.redirect_create(**(values | kw))


def test_expired_hanvisningar_are_closed_with_history(world, phones, clock):
    (lunch,) = _set(world, phones)
    clock.set(local(2026, 12, 1, 13, 5))
    closed, _result = services.sweep_absence()
    assert closed == 1
    lunch.refresh_from_db()
    assert lunch.status == Status.ENDED
    assert lunch.history.first().history_change_reason == "Avslutad av sig själv vid sluttiden"
    assert services.sweep_absence()[0] == 0


@pytest.fixture
def long_absence(world, phones, clock):
    """Anna is away until Thursday 08:00 (all of Wednesday) and calls go nowhere."""
    world.people["manager"].email = "chef@kommun.example"
    world.people["manager"].save()
    (redirect,) = _set(
        world,
        phones,
        reason=Reason.TRAINING,
        ends_at=local(2026, 12, 3, 8, 0),
        target=Target.NOWHERE,
    )
    return redirect


def test_abs_1_long_absence_going_nowhere_raises_a_flag_once(
    world, long_absence, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _closed, first = services.sweep_absence()
    flag = Flag.objects.get(rule="ABS-1")
    assert (first.opened, flag.object_id) == (1, long_absence.pk)
    assert flag.responsible == world.people["employee"]
    assert flag.unit == world.grupp
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.people["employee"].email, "chef@kommun.example"])
    with django_capture_on_commit_callbacks(execute=True):
        _closed, second = services.sweep_absence()
    assert second.changed == 0
    assert Flag.objects.count() == 1
    assert len(mail.outbox) == 2


def test_abs_1_flag_resolves_when_calls_go_somewhere(world, phones, long_absence, clock):
    services.sweep_absence()
    clock.set(local(2026, 12, 1, 11, 40))
    services.redirect_end(actor=None, redirect=long_absence)
    _set(world, phones, reason=Reason.TRAINING, ends_at=local(2026, 12, 3, 8, 0))
    _closed, result = services.sweep_absence()
    assert result.resolved == 1
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_abs_1_a_short_absence_going_nowhere_is_no_flag(world, phones, clock):
    _set(world, phones, target=Target.NOWHERE)
    services.sweep_absence()
    assert not Flag.objects.exists()


def test_abs_1_a_target_that_was_cancelled_goes_nowhere(world, phones, clock):
    _set(
        world,
        phones,
        reason=Reason.LEAVE,
        ends_at=local(2026, 12, 8, 8, 0),
        target=Target.EXTENSION,
        target_subscription=phones.bo,
    )
    services.sweep_absence()
    assert not Flag.objects.exists()
    phones.bo.status, phones.bo.cancelled_on = PhoneStatus.CANCELLED, date(2026, 12, 1)
    phones.bo.save()
    services.sweep_absence()
    assert Flag.objects.filter(rule="ABS-1").count() == 1


def test_abs_1_a_weekend_is_no_working_day(world, phones, clock):
    clock.set(local(2026, 12, 4, 17, 0))  # Friday evening to Monday 07:00
    _set(world, phones, reason=Reason.OTHER, ends_at=local(2026, 12, 7, 7, 0), target="nowhere")
    services.sweep_absence()
    assert not Flag.objects.exists()


def test_task_returns_what_changed_and_twice_nothing(world, long_absence):
    assert tasks.sweep_absence() == 1
    assert tasks.sweep_absence() == 0
    assert Redirect.objects.get().status == Status.ACTIVE


def test_beat_schedule_runs_the_absence_sweep():
    from telefoni.celery import app

    app.finalize()
    app.loader.import_default_modules()
    tasks_in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "absence.tasks.sweep_absence" in tasks_in_beat
    assert "absence.tasks.sweep_absence" in app.tasks
