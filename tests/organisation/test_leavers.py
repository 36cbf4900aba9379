"""X-3: a person leaving opens the handover or cancellation of what they hold.

By hand (Tele kundtjänst marks the person as left) and from the directory: a real slapd
(python-ldap's slapdtest, as tests/organisation/test_ldap_signin.py) read by the nightly
job, directly twice and once through a real Celery worker on Redis.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext, override

from compliance.models import Flag
from devices import services as device_services
from devices import tasks as device_tasks
from devices.choices import DeviceStatus, ItemKind
from devices.models import CatalogueItem
from organisation import leavers
from organisation.models import Person
from subscriptions import services as subscription_services
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.conftest import statuses
from tests.factories import PersonFactory


def sv(message):
    with override("sv"):
        return gettext(message)


@pytest.fixture
def phones(world, desk):
    """The employee's mobile and its phone, and a colleague's fixed phone, all on the
    cost centre whose budget-responsible manager is `budgetchef`."""
    employee = world.people["employee"]
    mobile = subscription_services.subscription_create(
        actor=desk,
        kind=Kind.MOBILE,
        number="+46701234567",
        holder=employee,
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )
    fixed = subscription_services.subscription_create(
        actor=desk,
        kind=Kind.FIXED,
        number="+4619211001",
        extension="1001",
        holder=employee,
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )
    colleague_phone = subscription_services.subscription_create(
        actor=desk,
        kind=Kind.FIXED,
        number="+4619211002",
        extension="1002",
        holder=world.people["colleague"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )
    item = CatalogueItem.objects.create(
        name="Mobil Standard", kind=ItemKind.PHONE, price=Decimal("2490.00")
    )
    device = device_services.device_create(
        actor=desk,
        model=item,
        imei="490154203237518",
        holder=employee,
        unit=world.grupp,
        cost_centre=world.cost_centre,
        subscription=mobile,
    )
    return {"mobile": mobile, "fixed": fixed, "colleague": colleague_phone, "device": device}


def _open_x3():
    return {
        (flag.content_type.model, flag.object_id): flag
        for flag in Flag.objects.filter(rule="X-3", resolved_at__isnull=True).select_related(
            "content_type"
        )
    }


# --- Marking a person as left --------------------------------------------------------------


def test_x_3_mark_left_deactivates_person_and_account_with_history(world, desk):
    employee = world.people["employee"]
    leavers.person_mark_left(actor=desk, person=employee, reason="Anställningen upphörde")
    employee.refresh_from_db()
    assert employee.is_active is False
    assert User.objects.get(pk=employee.user_id).is_active is False
    record = employee.history.first()
    assert record.history_user == desk
    assert record.history_change_reason == sv("Left the municipality: %(reason)s") % {
        "reason": "Anställningen upphörde"
    }
    # A person without a reason given still gets one in the history.
    leavers.person_mark_left(actor=desk, person=world.people["colleague"])
    assert world.people["colleague"].history.first().history_change_reason == sv(
        "Left the municipality"
    )


def test_x_3_mark_left_twice_is_refused_and_changes_nothing(world, desk):
    employee = world.people["employee"]
    leavers.person_mark_left(actor=desk, person=employee, reason="Slutat")
    records = employee.history.count()
    with pytest.raises(ValidationError) as raised:
        leavers.person_mark_left(actor=desk, person=employee, reason="Igen")
    assert raised.value.messages == [
        sv("%(name)s is already marked as having left.") % {"name": employee.full_name}
    ]
    assert employee.history.count() == records


def test_x_3_leavers_phones_are_flagged_to_the_budget_manager_once(
    world, desk, phones, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        leavers.person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    flags = _open_x3()
    # Both subscriptions and the phone; not the colleague's phone.
    assert set(flags) == {
        ("subscription", phones["mobile"].pk),
        ("subscription", phones["fixed"].pk),
        ("device", phones["device"].pk),
    }
    budgetchef = world.people["budgetchef"]
    assert {flag.responsible for flag in flags.values()} == {budgetchef}
    assert {flag.unit for flag in flags.values()} == {world.grupp}
    assert sorted(m.to[0] for m in mail.outbox) == [budgetchef.email] * 3
    assert all("X-3" in m.subject for m in mail.outbox)

    # The nightly sweep afterwards changes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = device_services.sweep_leavers()
    assert again.changed == 0
    assert len(mail.outbox) == 3


def test_x_3_marking_one_person_left_judges_only_what_they_hold(
    world, desk, phones, django_capture_on_commit_callbacks
):
    """The marking is a request: it flags the leaver's phones, not those of everyone who
    left before (the colleague below left without the signal: that is the nightly
    sweep's)."""
    from voicemail import leavers as voicemail_leavers
    from voicemail.choices import BoxKind
    from voicemail.models import VoicemailBox

    mine, theirs = (
        VoicemailBox.objects.create(subscription=phone, kind=BoxKind.ROSTBREVLADA, approved_by=desk)
        for phone in (phones["fixed"], phones["colleague"])
    )
    Person.objects.filter(pk=world.people["colleague"].pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        leavers.person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    assert set(_open_x3()) == {
        ("subscription", phones["mobile"].pk),
        ("subscription", phones["fixed"].pk),
        ("device", phones["device"].pk),
        ("voicemailbox", mine.pk),
    }
    night = device_services.sweep_leavers()
    assert (night.opened, [f.object_id for f in night.new_flags]) == (1, [phones["colleague"].pk])
    boxes = voicemail_leavers.sweep_leaver_boxes()
    assert [f.object_id for f in boxes.new_flags] == [theirs.pk]


def test_x_3_flag_resolves_on_cancellation_or_handover(
    world, desk, phones, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        leavers.person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    subscription_services.subscription_cancel(
        actor=desk, subscription=phones["fixed"], reason="Innehavaren har slutat"
    )
    device_services.device_update(
        actor=desk, device=phones["device"], holder=world.people["colleague"]
    )
    # The mobile goes to an active colleague.
    Subscription.objects.filter(pk=phones["mobile"].pk).update(holder=world.people["colleague"])
    result = device_services.sweep_leavers()
    assert result.resolved == 3
    assert _open_x3() == {}


def test_x_3_gone_phones_and_cancelled_subscriptions_are_not_flagged(world, desk, phones):
    subscription_services.subscription_cancel(
        actor=desk, subscription=phones["fixed"], reason="Uppsagt"
    )
    device_services.device_update(actor=desk, device=phones["device"], status=DeviceStatus.STOLEN)
    Person.objects.filter(pk=world.people["employee"].pk).update(is_active=False)
    device_services.sweep_leavers()
    assert set(_open_x3()) == {("subscription", phones["mobile"].pk)}


def test_x_3_budget_manager_who_left_too_sends_it_to_tele_kundtjanst(
    world, desk, phones, settings, django_capture_on_commit_callbacks
):
    settings.TELEFONI_SERVICE_DESK_EMAIL = "tele@kommun.example"
    Person.objects.filter(pk=world.people["budgetchef"].pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        leavers.person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    flags = _open_x3()
    # The cost centre itself waits for the förvaltningschef to name a successor.
    successor = flags.pop(("costcentre", world.cost_centre.pk))
    assert successor.responsible == world.people["forvaltningschef"]
    assert {flag.responsible_id for flag in flags.values()} == {None}
    assert {m.to[0] for m in mail.outbox} == {
        "tele@kommun.example",
        world.people["forvaltningschef"].email,
    }


def test_x_3_task_directly_twice_without_ldap(world, desk, phones, settings):
    settings.AUTH_LDAP_SERVER_URI = ""
    Person.objects.filter(pk=world.people["employee"].pk).update(is_active=False)
    assert device_tasks.sweep_leavers() == 3
    assert device_tasks.sweep_leavers() == 0
    assert len(_open_x3()) == 3


def test_x_3_task_with_no_leavers_changes_nothing(world, settings):
    settings.AUTH_LDAP_SERVER_URI = ""
    assert device_tasks.sweep_leavers() == 0
    assert not Flag.objects.exists()


# --- The view: Tele kundtjänst marks a person as left ---------------------------------------------

MARK_LEFT = statuses(403, telekundtjanst=200, admin=200)


def _leave_url(person):
    return f"/organisation/person/{person.pk}/slutat/"


@pytest.mark.parametrize("who, status", MARK_LEFT.items())
def test_x_3_leave_page_role_table(matrix_client, world, who, status):
    employee = world.people["employee"]
    response = matrix_client(who).get(_leave_url(employee))
    assert response.status_code == status
    if status == 200:
        assert response.context["form"] is not None
        assert employee.full_name in response.content.decode()


@pytest.mark.parametrize("who, status", (MARK_LEFT | {"telekundtjanst": 302, "admin": 302}).items())
def test_x_3_leave_post_role_table(matrix_client, world, phones, who, status):
    employee = world.people["employee"]
    response = matrix_client(who).post(_leave_url(employee), {"reason": "Slutat 30/11"})
    assert response.status_code == status
    employee.refresh_from_db()
    assert employee.is_active is (who not in ("telekundtjanst", "admin"))
    if not employee.is_active:
        assert response["Location"] == employee.get_absolute_url()
        assert employee.history.first().history_user == world.people[who].user


def test_x_3_protected_identity_is_404_to_those_who_may_not_see_it(matrix_client, world):
    hidden = PersonFactory(unit=world.grupp, protected_identity=True)
    assert matrix_client("outsider").get(_leave_url(hidden)).status_code == 404
    assert matrix_client("telekundtjanst").get(_leave_url(hidden)).status_code == 200
    missing = matrix_client("telekundtjanst").get("/organisation/person/999999/slutat/")
    assert missing.status_code == 404


def test_x_3_marking_twice_in_the_browser_gives_a_swedish_message(matrix_client, world):
    employee = world.people["employee"]
    client = matrix_client("telekundtjanst")
    client.post(_leave_url(employee), {"reason": "Slutat"})
    records = employee.history.count()
    response = client.post(_leave_url(employee), {"reason": "Igen"}, follow=True)
    message = sv("%(name)s is already marked as having left.") % {"name": employee.full_name}
    assert escape(message) in response.content.decode()
    assert employee.history.count() == records
    # The page says so and offers no form.
    page = client.get(_leave_url(employee))
    assert sv("This person is already marked as having left.") in page.content.decode()


def test_x_3_person_page_links_to_the_action_for_the_desk_only(matrix_client, world):
    employee = world.people["employee"]
    url = _leave_url(employee)
    assert url in matrix_client("telekundtjanst").get(employee.get_absolute_url()).content.decode()
    assert url not in matrix_client("manager").get(employee.get_absolute_url()).content.decode()


def test_x_3_voicemail_box_of_a_leaver_is_flagged_and_resolves_with_the_phone(
    world, desk, phones, django_capture_on_commit_callbacks
):
    from voicemail import leavers as voicemail_leavers  # connects its person_left receiver
    from voicemail.choices import BoxKind
    from voicemail.models import VoicemailBox

    box = VoicemailBox.objects.create(
        subscription=phones["fixed"],
        kind=BoxKind.ROSTBREVLADA,
        approved_by=world.people["manager"].user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        leavers.person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    flag = _open_x3()[("voicemailbox", box.pk)]
    assert flag.responsible == world.people["budgetchef"]
    assert voicemail_leavers.sweep_leaver_boxes().changed == 0
    subscription_services.subscription_cancel(
        actor=desk, subscription=phones["fixed"], reason="Innehavaren har slutat"
    )
    # Voicemail's own nightly task resolves it (whatever the day of the week).
    from voicemail import tasks as voicemail_tasks

    assert voicemail_tasks.sweep_voicemail() >= 1
    assert ("voicemailbox", box.pk) not in _open_x3()
    assert voicemail_leavers.sweep_leaver_boxes().changed == 0


def test_x_3_beat_runs_the_leavers_flags_nightly():
    from telefoni.celery import app

    app.finalize()
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "devices.tasks.sweep_leavers" in tasks
    assert "devices.tasks.sweep_leavers" in app.tasks
