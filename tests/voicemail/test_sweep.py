"""The working-day morning sweep (VM-4 a/b, VM-2, ABS-6): each rule raises a flag to the
holder and tells the manager once; the flag resolves itself when its cause goes away; a
second run changes and sends nothing; days that are not working days do nothing."""

from datetime import date

import pytest
from django.core import mail

from absence import services as absence_services
from absence.choices import Reason, Target
from absence.models import Trip
from compliance.models import Flag
from compliance.selectors import open_flags_for
from tests.conftest import local
from tests.voicemail.conftest import make_box
from voicemail import services, tasks
from voicemail.choices import BoxKind, Source


def _flags(rule=None):
    rows = Flag.objects.filter(resolved_at__isnull=True)
    if rule:
        rows = rows.filter(rule=rule)
    return sorted(rows.values_list("rule", "object_id"))


def _listen(box, when):
    return services.box_listen(actor=None, box=box, source=Source.BOX_PAGE, listened_at=when)


def _listened_yesterday(*boxes):
    for box in boxes:
        _listen(box, local(2026, 11, 30, 9, 0))


def test_vm_4a_box_not_listened_on_the_previous_working_day_is_flagged_once(
    world, boxes, django_capture_on_commit_callbacks
):
    # Friday's listening does not count on Tuesday: Monday was the previous working day.
    _listen(boxes.anna, local(2026, 11, 27, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.sweep_voicemail()
    # The talsvar takes no messages; the mobilsvar was not listened to either.
    assert _flags() == [("VM-4", boxes.anna.pk), ("VM-4", boxes.mobile.pk)]
    assert first.opened == 2
    anna, manager = world.people["employee"], world.people["manager"]
    flag = Flag.objects.get(object_id=boxes.anna.pk)
    assert (flag.responsible, flag.unit) == (anna, world.grupp)
    assert boxes.anna in [f.content_object for f in open_flags_for(anna)]
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([anna.email, anna.email, manager.email])
    manager_mail = next(m for m in mail.outbox if m.to == [manager.email])
    assert "VM-4" in manager_mail.body and "019-21 10 00" in manager_mail.body

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.sweep_voicemail()
    assert second.changed == 0
    assert len(mail.outbox) == sent


def test_vm_4a_listening_on_the_previous_working_day_or_since_complies(world, boxes):
    _listened_yesterday(boxes.anna)
    _listen(boxes.mobile, local(2026, 12, 1, 6, 45))
    services.sweep_voicemail()
    assert _flags() == []


def test_vm_4a_box_switched_on_during_the_previous_day_is_checked_from_the_next(
    world, phones, clock
):
    box = make_box(world, phones.bo, when=local(2026, 11, 30, 10, 0))
    services.sweep_voicemail()
    assert _flags() == []
    clock.set(local(2026, 12, 2, 7, 0))
    services.sweep_voicemail()
    assert _flags() == [("VM-4", box.pk)]


def test_vm_4a_flag_resolves_the_moment_the_holder_marks_the_box_listened(world, boxes):
    _listened_yesterday(boxes.mobile)
    services.sweep_voicemail()
    assert _flags() == [("VM-4", boxes.anna.pk)]
    services.box_listen(
        actor=world.people["employee"].user, box=boxes.anna, source=Source.START_PAGE
    )
    assert _flags() == []
    # The next morning agrees, and says nothing.
    assert services.sweep_voicemail().changed == 0


def test_listening_closes_that_boxs_vm_4_only_and_keeps_the_row(world, phones, boxes):
    """The holder listens to one box: its VM-4 closes (resolve_for; the row stays, with
    resolved_at), its VM-2 and the other box's VM-4 stay open, and no sweep runs."""
    phones.anna.holder = world.people["colleague"]  # VM-2: not the new holder's greeting
    phones.anna.save()
    services.sweep_voicemail()
    assert _flags() == [("VM-2", boxes.anna.pk), ("VM-4", boxes.anna.pk), ("VM-4", boxes.mobile.pk)]
    flag = Flag.objects.get(rule="VM-4", object_id=boxes.anna.pk)
    services.box_listen(
        actor=world.people["colleague"].user, box=boxes.anna, source=Source.START_PAGE
    )
    assert _flags() == [("VM-2", boxes.anna.pk), ("VM-4", boxes.mobile.pk)]
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    # Listening again closes nothing more; the morning agrees.
    services.box_listen(
        actor=world.people["colleague"].user, box=boxes.anna, source=Source.START_PAGE
    )
    assert Flag.objects.filter(object_id=boxes.anna.pk, rule="VM-4").count() == 1
    assert services.sweep_voicemail().changed == 0


def test_vm_4_christmas_eve_is_no_working_day(world, boxes, clock):
    """Julafton (Thursday 24 December) counts as a holiday: no sweep then, and on Monday
    28 December the previous working day is Wednesday 23 December."""
    clock.set(local(2026, 12, 24, 7, 0))
    assert services.sweep_voicemail().changed == 0
    assert _flags() == []
    clock.set(local(2026, 12, 28, 7, 0))
    _listen(boxes.anna, local(2026, 12, 23, 15, 0))
    _listen(boxes.mobile, local(2026, 12, 22, 15, 0))
    services.sweep_voicemail()
    assert _flags() == [("VM-4", boxes.mobile.pk)]


def _sick(world, phones):
    return absence_services.redirect_create(
        actor=world.people["manager"].user,
        subscriptions=[phones.anna_mobile],
        reason=Reason.SICK,
        ends_at=local(2026, 12, 4, 8, 0),
        target=Target.KUNDTJANST,
        why="Sjuk",
    )


def test_vm_4b_absence_without_deputy_is_flagged_until_a_deputy_is_named(world, phones, boxes):
    _listened_yesterday(boxes.anna, boxes.mobile)
    # The hänvisning is on her mobile; the röstbrevlåda on her fixed phone is hers too.
    _sick(world, phones)
    services.sweep_voicemail()
    assert _flags() == [("VM-4", boxes.anna.pk), ("VM-4", boxes.mobile.pk)]
    manager = world.people["manager"].user
    services.box_set_deputy(actor=manager, box=boxes.anna, deputy=world.people["colleague"])
    assert _flags() == [("VM-4", boxes.mobile.pk)]
    services.box_switch(actor=world.people["employee"].user, box=boxes.mobile, on=False)
    assert _flags() == []
    assert services.sweep_voicemail().changed == 0


def test_vm_4b_an_inactive_deputy_is_no_deputy(world, phones, boxes):
    _listened_yesterday(boxes.anna, boxes.mobile)
    colleague = world.people["colleague"]
    services.box_set_deputy(actor=world.people["employee"].user, box=boxes.anna, deputy=colleague)
    services.box_switch(actor=world.people["employee"].user, box=boxes.mobile, on=False)
    _sick(world, phones)
    services.sweep_voicemail()
    assert _flags() == []
    colleague.is_active = False
    colleague.save()
    services.sweep_voicemail()
    assert _flags() == [("VM-4", boxes.anna.pk)]


def test_vm_4b_lunch_is_no_registered_absence(world, phones, boxes):
    _listened_yesterday(boxes.anna, boxes.mobile)
    absence_services.redirect_create(
        actor=world.people["employee"].user,
        subscriptions=[phones.anna],
        reason=Reason.LUNCH,
        starts_at=local(2026, 12, 1, 6, 0),
        ends_at=local(2026, 12, 1, 13, 0),
        target=Target.KUNDTJANST,
    )
    services.sweep_voicemail()
    assert _flags() == []


def test_vm_2_phone_passed_to_another_holder_needs_their_own_greeting(world, phones, boxes):
    _listened_yesterday(boxes.anna, boxes.mobile)
    phones.anna.holder = world.people["colleague"]
    phones.anna.save()
    services.sweep_voicemail()
    assert _flags("VM-2") == [("VM-2", boxes.anna.pk)]
    flag = Flag.objects.get(rule="VM-2")
    assert flag.responsible == world.people["colleague"]
    services.box_confirm_greeting(actor=world.people["colleague"].user, box=boxes.anna, text="")
    assert _flags("VM-2") == []
    assert services.sweep_voicemail().changed == 0


def test_abs_6_mobilsvar_on_during_a_trip_abroad(world, phones, boxes):
    _listened_yesterday(boxes.anna, boxes.mobile)
    anna = world.people["employee"]
    Trip.objects.create(
        person=anna,
        subscription=phones.anna_mobile,
        destination="Berlin",
        starts_on=date(2026, 11, 30),
        ends_on=date(2026, 12, 3),
        registered_by=anna.user,
    )
    services.sweep_voicemail()
    # Only the mobilsvar: the fixed phone's röstbrevlåda costs nothing abroad.
    assert _flags() == [("ABS-6", boxes.mobile.pk)]
    services.box_switch(actor=anna.user, box=boxes.mobile, on=False)
    assert _flags() == []


def test_function_phone_box_is_the_unit_managers(world, phones, clock):
    box = make_box(world, phones.reception)
    services.sweep_voicemail()
    flag = Flag.objects.get(rule="VM-4")
    assert (flag.object_id, flag.responsible) == (box.pk, world.people["manager"])


def test_a_leavers_box_is_flagged_to_their_manager(world, phones, boxes):
    anna = world.people["employee"]
    anna.is_active = False
    anna.save()
    services.sweep_voicemail()
    flags = Flag.objects.filter(rule="VM-4")
    assert {f.responsible for f in flags} == {world.people["manager"]}


def test_switched_off_box_breaks_no_rule(world, phones, boxes):
    for box in (boxes.anna, boxes.mobile, boxes.reception):
        services.box_switch(
            actor=world.people["manager"].user
            if box is boxes.reception
            else world.people["employee"].user,
            box=box,
            on=False,
        )
    services.sweep_voicemail()
    assert _flags() == []


def test_task_twice_and_on_a_sunday(world, boxes, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_voicemail() == 2
    assert tasks.sweep_voicemail() == 0
    clock.set(local(2026, 12, 6, 7, 0))
    services.box_listen(actor=None, box=boxes.anna, source=Source.BOX_PAGE)
    assert tasks.sweep_voicemail() == 0


def test_sweep_with_no_boxes_does_nothing(world, clock):
    assert tasks.sweep_voicemail() == 0
    assert tasks.send_listening_reminders() == 0


@pytest.mark.parametrize("kind", [BoxKind.ROSTBREVLADA, BoxKind.MOBILSVAR])
def test_each_rule_is_one_query(world, boxes, django_assert_num_queries, kind):
    for _rule_id, breaking in services.rules():
        with django_assert_num_queries(1):
            list(breaking.values_list("pk", "flag_responsible_id"))
