"""SRV-2 callbacks and DIR-5 erasure: deadlines in working days across Easter, Midsummer
and Christmas, bad input refused in Swedish with nothing saved, the e-mail channel sent
once, the overdue sweep (flag to the recipient, e-mail to the manager, once), and the
caller's number erased from the row and its history."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from common.models import OutboxMessage
from common.tasks import send_outbox
from compliance.models import Flag
from service import services, tasks
from service.admin import CallbackAdmin
from service.choices import Channel
from service.models import Callback
from tests.conftest import local
from tests.factories import PersonFactory
from tests.service.conftest import take_message

# --- Deadlines (two working days, Swedish calendar) ------------------------------------


@pytest.mark.parametrize(
    "received, deadline",
    [
        (date(2026, 12, 1), date(2026, 12, 3)),  # Tuesday -> Thursday
        (date(2026, 11, 27), date(2026, 12, 1)),  # Friday -> Tuesday (weekend)
        (date(2026, 11, 28), date(2026, 12, 1)),  # taken on a Saturday -> Tuesday
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are holidays.
        (date(2026, 4, 1), date(2026, 4, 7)),  # Wednesday -> Thursday, Tuesday
        (date(2026, 4, 2), date(2026, 4, 8)),  # Maundy Thursday -> Tuesday, Wednesday
        # Midsummer 2026: midsommarafton Friday 19 June counts as a holiday.
        (date(2026, 6, 17), date(2026, 6, 22)),  # Wednesday -> Thursday, Monday
        (date(2026, 6, 18), date(2026, 6, 23)),  # Thursday -> Monday, Tuesday
        # Christmas 2026: julafton Thursday 24, juldagen 25, annandag 26.
        (date(2026, 12, 22), date(2026, 12, 28)),  # Tuesday -> Wednesday, Monday
        (date(2026, 12, 23), date(2026, 12, 29)),  # Wednesday -> Monday, Tuesday
        # New Year: nyårsafton Thursday 31, nyårsdagen Friday 1, trettondagen Wednesday 6.
        (date(2026, 12, 30), date(2027, 1, 5)),
        (date(2027, 1, 4), date(2027, 1, 7)),
    ],
)
def test_srv_2_deadline_is_two_working_days(db, received, deadline):
    assert services.callback_deadline(received) == deadline


def test_srv_2_deadline_days_come_from_the_guideline(db, set_guideline):
    set_guideline(callback_deadline_workdays=1)
    assert services.callback_deadline(date(2026, 12, 23)) == date(2026, 12, 28)
    set_guideline(callback_deadline_workdays=3)
    assert services.callback_deadline(date(2026, 12, 23)) == date(2026, 12, 30)


def test_a_message_taken_before_christmas_is_due_after_it(world, clock):
    clock.set(local(2026, 12, 23, 15, 0))
    callback = take_message(world)
    assert callback.deadline == date(2026, 12, 29)
    assert callback.received_at == local(2026, 12, 23, 15, 0)


# --- Recording -------------------------------------------------------------------------


def test_srv_2_message_is_stored_with_the_number_in_e164(world, clock):
    callback = take_message(world)
    assert callback.caller_phone == "+46701234567"
    assert callback.caller_phone_display == "070-123 45 67"
    assert callback.recorded_by == world.people["kundtjanst"].user
    assert callback.passed_on_at == clock.now  # confirmed by hand
    assert callback.history.get().history_change_reason == "Meddelande mottaget"
    # The string that reaches flags and e-mails never carries the caller's number.
    assert "123 45 67" not in str(callback) and "+4670" not in str(callback)


def test_srv_2_email_channel_is_sent_by_telefoni_once(
    world, clock, django_capture_on_commit_callbacks
):
    anna = world.people["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        callback = take_message(world, channel=Channel.EMAIL, passed_on_by_hand=False)
    assert [m.to for m in mail.outbox] == [[anna.email]]
    body = mail.outbox[0].body
    assert "Karin Medborgare" in body and "070-123 45 67" in body
    assert "torsdag 3 december" in body
    callback.refresh_from_db()
    assert callback.passed_on_at is not None
    assert services.callback_send_email(callback_id=callback.pk) == 0
    assert tasks.send_callback_email(callback_id=callback.pk) == 0
    assert len(mail.outbox) == 1


def test_send_callback_email_of_a_missing_callback_does_nothing(db):
    assert tasks.send_callback_email(callback_id=987654) == 0
    assert mail.outbox == []


def test_relay_down_the_email_waits_in_the_outbox_not_for_the_sweep(
    world, clock, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RelayDown"
    callback = take_message(world, channel=Channel.EMAIL, passed_on_by_hand=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.callback_send_email(callback_id=callback.pk) == 1
    callback.refresh_from_db()
    assert callback.passed_on_at is not None
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.last_error == "ConnectionRefusedError: relay down"
    clock.set(local(2026, 12, 1, 12, 0))
    monkeypatch.setattr("absence.workdays.now", lambda: clock.now)
    assert services.sweep_callbacks()[1] == 0  # the callback is not written twice

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert send_outbox() == 1
    assert send_outbox() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [callback.recipient.email]


BAD_INPUT = [
    ({"deadline": date(2026, 11, 30)}, "deadline", "Sista dagen kan inte ha passerat."),
    (
        {"deadline": date(2026, 12, 24)},
        "deadline",
        "torsdag 24 december 2026 är ingen arbetsdag: välj en vardag som inte är en helgdag.",
    ),
    ({"caller_name": "  "}, "caller_name", "Ange namnet på den som ringde."),
    ({"message": ""}, "message", "Skriv meddelandet."),
    (
        {"caller_phone": "", "caller_email": ""},
        "caller_phone",
        "Ange ett telefonnummer eller en e-postadress att ringa tillbaka till.",
    ),
    ({"caller_phone": "12"}, "caller_phone", "”12” är inte ett giltigt telefonnummer."),
    (
        {"caller_phone": "", "caller_email": "inte-en-adress"},
        "caller_email",
        "Ange en giltig mejladress.",
    ),
    (
        {"passed_on_by_hand": False},
        "passed_on_by_hand",
        "Bekräfta att du har skickat sms:et eller lämnat röstmeddelandet.",
    ),
]


@pytest.mark.parametrize("values, field, text", BAD_INPUT)
def test_srv_2_bad_input_is_refused_in_swedish_and_nothing_saved(world, clock, values, field, text):
    with pytest.raises(ValidationError) as caught:
        take_message(world, **values)
    assert text in caught.value.message_dict[field]
    assert not Callback.objects.exists()
    assert not Callback.history.exists()


def test_srv_2_email_channel_needs_an_address(world, clock):
    anna = world.people["employee"]
    anna.email = ""
    anna.save()
    with pytest.raises(ValidationError) as caught:
        take_message(world, channel=Channel.EMAIL, passed_on_by_hand=False)
    assert caught.value.message_dict["channel"] == [
        "Anna Östlund har ingen e-postadress: för meddelandet vidare med sms eller röstbrevlåda."
    ]
    assert not Callback.objects.exists()


@pytest.mark.parametrize("recorder, allowed", [("telekundtjanst", True), ("kundtjanst", False)])
def test_org_4_only_tele_kundtjanst_records_for_a_protected_person(world, clock, recorder, allowed):
    hidden = PersonFactory(unit=world.grupp, protected_identity=True, first_name="Dold")
    if allowed:
        assert take_message(world, recorder=recorder, recipient=hidden).recipient == hidden
        return
    with pytest.raises(ValidationError) as caught:
        take_message(world, recorder=recorder, recipient=hidden)
    assert caught.value.message_dict["recipient"] == ["Välj en person i listan."]
    assert not Callback.objects.exists()


def test_a_callback_for_someone_who_left_is_refused(world, clock):
    gone = PersonFactory(unit=world.grupp, is_active=False)
    with pytest.raises(ValidationError):
        take_message(world, recipient=gone)


def test_marking_contacted_twice_changes_nothing(world, clock):
    callback = take_message(world)
    user = world.people["employee"].user
    services.callback_mark_done(actor=user, callback=callback)
    clock.set(local(2026, 12, 2, 9, 0))
    again = services.callback_mark_done(actor=user, callback=callback)
    assert again.done_at == local(2026, 12, 1, 11, 30)
    assert callback.history.count() == 2


# --- The SRV-2 sweep ------------------------------------------------------------------


@pytest.fixture
def overdue(world, clock):
    """Anna's message of Tuesday 1 December is due Thursday 3; it is now Friday 4."""
    world.people["manager"].email = "chef@kommun.example"
    world.people["manager"].save()
    callback = take_message(world)
    clock.set(local(2026, 12, 4, 2, 50))
    return callback


def test_srv_2_not_overdue_on_the_deadline_day(world, clock):
    take_message(world)
    clock.set(local(2026, 12, 3, 23, 0))
    result, _sent = services.sweep_callbacks()
    assert result.opened == 0
    assert not Flag.objects.exists()


def test_srv_2_overdue_flags_the_recipient_and_tells_the_manager_once(
    world, overdue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result, _sent = services.sweep_callbacks()
    flag = Flag.objects.get(rule="SRV-2")
    assert (result.opened, flag.object_id) == (1, overdue.pk)
    assert flag.responsible == world.people["employee"]
    assert flag.unit == world.grupp
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.people["employee"].email, "chef@kommun.example"])
    manager_mail = next(m for m in mail.outbox if m.to == ["chef@kommun.example"])
    assert "Anna Östlund" in manager_mail.subject
    assert "+4670" not in manager_mail.body and "123 45 67" not in manager_mail.body
    with django_capture_on_commit_callbacks(execute=True):
        second, sent = services.sweep_callbacks()
    assert (second.changed, sent) == (0, 0)
    assert len(mail.outbox) == 2


def test_srv_2_flag_resolves_when_contacted(world, overdue):
    services.sweep_callbacks()
    services.callback_mark_done(actor=world.people["employee"].user, callback=overdue)
    result, _sent = services.sweep_callbacks()
    assert result.resolved == 1
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_sweep_task_twice(world, overdue):
    assert tasks.sweep_callbacks() == 1
    assert tasks.sweep_callbacks() == 0
    assert Flag.objects.count() == 1


# --- DIR-5: the caller's number and e-mail are erased ----------------------------------


@pytest.fixture
def done(world, clock):
    callback = take_message(world, caller_email="karin@example.se")
    services.callback_mark_done(actor=world.people["employee"].user, callback=callback)
    return callback


def _history_has_number(callback):
    return (
        Callback.history.filter(id=callback.pk).exclude(caller_phone="", caller_email="").exists()
    )


def test_dir_5_erased_after_the_configured_days_also_in_history(world, clock, done):
    assert _history_has_number(done)
    clock.set(local(2026, 12, 31, 11, 0))  # 30 days less half an hour
    assert services.erase_callback_contacts() == 0
    clock.set(local(2026, 12, 31, 11, 31))
    assert services.erase_callback_contacts() == 1
    done.refresh_from_db()
    assert (done.caller_phone, done.caller_email) == ("", "")
    assert done.erased_at == local(2026, 12, 31, 11, 31)
    assert done.caller_name == "Karin Medborgare"  # the message itself stays
    assert not _history_has_number(done)
    latest = done.history.first()
    assert latest.history_change_reason == "Ringarens nummer och e-post raderade"
    assert Callback.history.filter(id=done.pk).count() == 3
    assert services.erase_callback_contacts() == 0


def test_dir_5_erase_days_come_from_the_guideline(world, clock, done, set_guideline):
    set_guideline(callback_erase_days=1)
    clock.set(local(2026, 12, 2, 11, 31))
    assert tasks.erase_callback_contacts() == 1
    assert tasks.erase_callback_contacts() == 0


def test_dir_5_open_callbacks_keep_the_number(world, clock):
    callback = take_message(world)
    clock.set(local(2027, 6, 1, 12, 0))
    assert services.erase_callback_contacts() == 0
    callback.refresh_from_db()
    assert callback.caller_phone == "+46701234567"


def test_dir_5_the_page_says_erased(world, clock, done, client):
    clock.set(local(2027, 2, 1, 12, 0))
    services.erase_callback_contacts()
    client.force_login(world.people["employee"].user)
    body = client.get(reverse("service:callback_detail", args=[done.pk])).content.decode()
    assert "Raderat" in body and "070-123 45 67" not in body and "karin@example.se" not in body


def test_dir_5_no_reverse_lookup_of_a_callers_number(world, clock, client):
    """DIR-5: nothing answers "whose number is this?" for an external caller: telesök, the
    search API, the callback list and the admin ignore the caller's number and e-mail."""
    take_message(world, caller_name="Karin Medborgare", caller_email="karin@example.se")
    client.force_login(world.people["telekundtjanst"].user)
    for text in ("070-123 45 67", "0701234567", "+46701234567", "karin@example.se"):
        assert "Karin" not in client.get(reverse("directory:search"), {"q": text}).content.decode()
        api = client.get("/api/v1/search/", {"q": text})
        assert "Karin" not in api.content.decode()
    plain = client.get(reverse("service:callback_list"))
    filtered = client.get(
        reverse("service:callback_list"),
        {"q": "0709999999", "caller_phone": "0709999999", "number": "0709999999"},
    )
    assert list(plain.context["callbacks"]) == list(filtered.context["callbacks"]) != []
    for field in CallbackAdmin.search_fields:
        assert "phone" not in field and "email" not in field
    assert "caller_phone" not in CallbackAdmin.list_display
    # No index on the number either: nothing is built to be looked up by it.
    indexed = {f for index in Callback._meta.indexes for f in index.fields}
    assert not indexed & {"caller_phone", "caller_email"}
    assert not Callback._meta.get_field("caller_phone").db_index


def test_beat_schedule_runs_the_service_sweeps():
    from telefoni.celery import app

    app.finalize()
    app.loader.import_default_modules()
    in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for name in ("service.tasks.sweep_callbacks", "service.tasks.erase_callback_contacts"):
        assert name in in_beat
        assert name in app.tasks
