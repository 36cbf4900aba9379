"""Boxes, greetings, deputies, listening, registrations and the daily reminder: the
services, with their Swedish answers to bad input (nothing saved)."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.conftest import local
from tests.voicemail.conftest import make_box
from voicemail import services, tasks
from voicemail.choices import BoxKind, Source
from voicemail.models import Listening, MessageRecord, VoicemailBox


def test_vm_1_approval_records_who_and_when(world, phones, clock):
    manager = world.people["manager"].user
    box = services.box_approve(
        actor=manager, subscription=phones.anna, kind=BoxKind.ROSTBREVLADA, note="Kör  ut mycket"
    )
    assert (box.approved_by, box.approved_at, box.approval_note) == (
        manager,
        clock.now,
        "Kör ut mycket",
    )
    assert not box.is_on
    assert box.history.get().history_user == manager


def test_vm_1_one_box_per_phone(world, phones, clock):
    make_box(world, phones.anna, on=False)
    with pytest.raises(ValidationError, match="redan en röstbrevlåda"):
        make_box(world, phones.anna, on=False)
    assert VoicemailBox.objects.count() == 1


def test_vm_1_mobilsvar_only_on_a_mobile_or_mex(world, phones, clock):
    with pytest.raises(ValidationError, match="Mobilsvar"):
        make_box(world, phones.anna, BoxKind.MOBILSVAR, on=False)
    assert not VoicemailBox.objects.exists()


def test_vm_2_cannot_switch_on_without_a_confirmed_greeting(world, phones, clock):
    box = make_box(world, phones.anna, on=False)
    anna = world.people["employee"]
    with pytest.raises(ValidationError, match="hälsning"):
        services.box_switch(actor=anna.user, box=box, on=True)
    box.refresh_from_db()
    assert not box.is_on
    services.box_confirm_greeting(actor=anna.user, box=box, text="")
    services.box_switch(actor=anna.user, box=box, on=True)
    services.box_switch(actor=anna.user, box=box, on=True)  # already on: no-op
    services.box_switch(actor=anna.user, box=box, on=False)
    reasons = [row.history_change_reason for row in box.history.order_by("history_id")]
    assert reasons == ["Godkänd av chefen", "Personlig hälsning bekräftad", "Påslagen", "Avstängd"]


def test_vm_2_the_database_refuses_a_box_on_without_greeting(world, phones, clock):
    box = make_box(world, phones.anna, on=False)
    box.is_on, box.switched_on_at = True, clock.now
    with pytest.raises(IntegrityError):
        box.save()


def test_vm_2_someone_elses_greeting_does_not_let_the_new_holder_switch_on(world, phones, clock):
    box = make_box(world, phones.anna, on=False)
    services.box_confirm_greeting(actor=world.people["employee"].user, box=box, text="")
    phones.anna.holder = world.people["colleague"]
    phones.anna.save()
    with pytest.raises(ValidationError):
        services.box_switch(actor=world.people["colleague"].user, box=box, on=True)


def test_vm_3_talsvar_records_what_it_tells_callers(world, phones, clock):
    box = make_box(world, phones.reception, BoxKind.TALSVAR, on=False)
    manager = world.people["manager"].user
    with pytest.raises(ValidationError, match="telefontid"):
        services.box_confirm_greeting(actor=manager, box=box, text="  ")
    services.box_confirm_greeting(actor=manager, box=box, text="Telefontid mån–fre 8–10")
    box.refresh_from_db()
    assert box.greeting_text == "Telefontid mån–fre 8–10"
    with pytest.raises(ValidationError, match="talsvar"):
        services.box_listen(actor=manager, box=box, source=Source.BOX_PAGE)
    assert not Listening.objects.exists()


@pytest.mark.parametrize(
    "text, who",
    [("bo@KOMMUN.example", "colleague"), ("1101", "colleague"), ("019-21 50 00", "outsider")],
)
def test_deputy_by_email_extension_or_number(world, phones, clock, text, who):
    world.people["colleague"].email = "bo@kommun.example"
    world.people["colleague"].save()
    assert services.find_person(text) == world.people[who]


@pytest.mark.parametrize("text", ["nobody@example.com", "9999", "bo", ""])
def test_vm_4_deputy_outside_the_municipality_is_refused(world, phones, clock, text):
    with pytest.raises(ValidationError, match="inte en aktiv person i kommunen"):
        services.find_person(text)


def test_vm_4_deputy_rules(world, phones, clock):
    box = make_box(world, phones.anna)
    anna, bo = world.people["employee"], world.people["colleague"]
    with pytest.raises(ValidationError, match="egen bevakare"):
        services.box_set_deputy(actor=anna.user, box=box, deputy=anna)
    bo.is_active = False
    bo.save()
    with pytest.raises(ValidationError, match="aktiv person"):
        services.box_set_deputy(actor=anna.user, box=box, deputy=bo)
    box.refresh_from_db()
    assert box.deputy is None


def test_vm_4_listening_in_the_future_is_refused(world, phones, clock):
    box = make_box(world, phones.anna)
    with pytest.raises(ValidationError, match="framtiden"):
        services.box_listen(
            actor=None, box=box, source=Source.BOX_PAGE, listened_at=clock.now + timedelta(hours=1)
        )
    assert not Listening.objects.exists()


def test_vm_4_switchboard_event_is_idempotent_by_event_id(world, phones, clock):
    box = make_box(world, phones.anna)
    first, created = services.listening_event(actor=None, event_id="pbx-1", number="1100")
    assert created and first.box == box and first.source == Source.SWITCHBOARD
    again, created = services.listening_event(actor=None, event_id="pbx-1", number="1101")
    assert (again, created) == (first, False)
    assert Listening.objects.count() == 1
    with pytest.raises(ValidationError, match="Ingen aktiv telefon"):
        services.listening_event(actor=None, event_id="pbx-2", number="1101")
    assert Listening.objects.count() == 1


def test_vm_5_registration_keeps_when_it_reached_the_box(world, phones, clock):
    box = make_box(world, phones.anna)
    anna = world.people["employee"].user
    record = services.record_register(
        actor=anna,
        box=box,
        received_at=local(2026, 11, 30, 16, 40),
        caller="Lisa Berg, 070-123 45 67",
        summary="Frågar om bygglov",
        is_public_record=True,
    )
    assert (record.received_at, record.unit, record.registered_at) == (
        local(2026, 11, 30, 16, 40),
        world.grupp,
        clock.now,
    )
    services.record_update(
        actor=world.people["manager"].user,
        record=record,
        summary="Frågar om bygglov",
        is_public_record=True,
        case_number="BN 2026/123",
    )
    assert [row.case_number for row in record.history.order_by("history_id")] == ["", "BN 2026/123"]


def test_vm_5_received_in_the_future_is_refused(world, phones, clock):
    box = make_box(world, phones.anna)
    with pytest.raises(ValidationError, match="framtiden"):
        services.record_register(
            actor=world.people["employee"].user,
            box=box,
            received_at=clock.now + timedelta(minutes=1),
            caller="X",
            summary="Y",
            is_public_record=False,
        )
    assert not MessageRecord.objects.exists()


def test_vm_5_registration_cannot_be_deleted_from_the_box(world, phones, clock):
    box = make_box(world, phones.anna)
    services.record_register(
        actor=world.people["employee"].user,
        box=box,
        received_at=local(2026, 11, 30, 16, 40),
        caller="X",
        summary="Y",
        is_public_record=False,
    )
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        box.delete()


# --- The daily reminder with its signed link ---------------------------------------------------


def test_vm_4_daily_reminder_once_with_a_working_link(
    world, phones, clock, django_capture_on_commit_callbacks
):
    box = make_box(world, phones.anna)
    make_box(world, phones.reception, BoxKind.TALSVAR)  # takes no messages: no reminder
    services.box_set_deputy(
        actor=world.people["employee"].user, box=box, deputy=world.people["colleague"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_listening_reminders() == 2
        assert tasks.send_listening_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.people["employee"].email, world.people["colleague"].email]
    )
    url = next(line for line in mail.outbox[0].body.splitlines() if "/rostbrevlador/lank/" in line)
    token = url.rsplit("/lank/", 1)[1].strip("/")
    assert services.read_link_token(token)[0] == box
    # The next working day brings a new reminder; a box listened to already gets none.
    clock.set(local(2026, 12, 2, 7, 0))
    services.box_listen(actor=None, box=box, source=Source.SWITCHBOARD)
    assert tasks.send_listening_reminders() == 0


def test_reminder_link_expires_and_cannot_be_forged(world, phones, clock, monkeypatch):
    box = make_box(world, phones.anna)
    token = services.link_token(box, world.people["employee"])
    with pytest.raises(ValidationError, match="inte giltig"):
        services.read_link_token(token[:-2] + "xx")
    # Someone else's id in a token signed with another salt is refused too.
    forged = signing.dumps({"b": box.pk, "p": world.people["outsider"].pk}, salt="other")
    with pytest.raises(ValidationError, match="inte giltig"):
        services.read_link_token(forged)
    # A link for someone who is no longer holder or deputy is refused.
    stale = services.link_token(box, world.people["colleague"])
    with pytest.raises(ValidationError, match="inte giltig"):
        services.read_link_token(stale)
    monkeypatch.setattr(services, "LINK_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(ValidationError, match="gått ut"):
        services.read_link_token(token)


def test_reminders_on_a_holiday_send_nothing(world, phones, clock):
    make_box(world, phones.anna)
    clock.set(local(2026, 12, 31, 7, 0))  # nyårsafton
    assert tasks.send_listening_reminders() == 0
    assert mail.outbox == []
