"""Voicemail pages: a role -> status table per view with an effect checked per row, bad
input in Swedish with nothing saved, and query counts at 1 and 3 items.

In the `setup` world Anna (employee) holds a röstbrevlåda on 1100 with Bo (colleague) as
deputy; the box is in Hemtjänst Norr grupp 1, below the manager's Hemtjänst Norr and the
förvaltningschef's förvaltning."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from compliance.models import Flag
from tests.conftest import EVERYONE, local, phone, statuses
from tests.voicemail.conftest import make_box
from voicemail import services
from voicemail.choices import BoxKind, Source
from voicemail.models import Listening, MessageRecord, VoicemailBox

NOT_SEEN = statuses(
    404,
    employee=200,
    colleague=200,
    manager=200,
    forvaltningschef=200,
    telekundtjanst=200,
    admin=200,
)
MANAGERS = statuses(403, manager=200, forvaltningschef=200, telekundtjanst=200, admin=200)


@pytest.fixture
def setup(world, phones):
    box = make_box(world, phones.anna)
    services.box_set_deputy(
        actor=world.people["employee"].user, box=box, deputy=world.people["colleague"]
    )
    record = services.record_register(
        actor=world.people["employee"].user,
        box=box,
        received_at=local(2026, 11, 30, 16, 40),
        caller="Lisa Berg",
        summary="Frågar om bygglov",
        is_public_record=True,
        case_number="BN 2026/123",
    )
    return box, record


def _after(status, ok):
    """A POST that succeeds redirects (302); refusals keep their status."""
    return 302 if status == 200 else status if ok is None else ok


# --- Own list and the box page ------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_mine(matrix_client, setup, who, status):
    response = matrix_client(who).get(reverse("voicemail:mine"))
    assert response.status_code == status
    if status == 200:
        listed = [box.pk for box in response.context["boxes"]]
        assert listed == ([setup[0].pk] if who in ("employee", "colleague") else [])


def test_mine_links_a_manager_to_their_units_boxes(matrix_client, world):
    body = matrix_client("manager").get(reverse("voicemail:mine")).content.decode()
    assert reverse("voicemail:unit", args=[world.hemtjanst.pk]) in body


@pytest.mark.parametrize("count", [1, 3])
def test_mine_query_count_is_constant(
    world, phones, matrix_client, django_assert_num_queries, count
):
    anna = world.people["employee"]
    subscriptions = [phones.anna, phones.anna_mobile] + [
        phone(world, holder=anna, number=f"+4619219{n:03d}", extension=f"19{n:02d}")
        for n in range(count - 2)
    ]
    for subscription in subscriptions[:count]:
        make_box(
            world,
            subscription,
            BoxKind.MOBILSVAR if subscription == phones.anna_mobile else BoxKind.ROSTBREVLADA,
        )
    client = matrix_client("employee")
    # session, user, person; the boxes with their last listening; the units the person
    # manages; roles (menu)
    with django_assert_num_queries(7):
        response = client.get(reverse("voicemail:mine"))
    assert len(response.context["boxes"]) == count


@pytest.mark.parametrize("who, status", NOT_SEEN.items())
def test_detail(matrix_client, setup, who, status):
    response = matrix_client(who).get(reverse("voicemail:detail", args=[setup[0].pk]))
    assert response.status_code == status
    if status == 200:
        assert "019-21 10 00" in response.content.decode()
        assert response.context["can_switch"] == (who == "employee")


def test_detail_of_a_missing_box_is_404(matrix_client, world):
    assert matrix_client("admin").get(reverse("voicemail:detail", args=[999])).status_code == 404


# --- Listening ---------------------------------------------------------------------------


LISTEN = statuses(
    404,
    employee=302,
    colleague=302,
    manager=403,
    forvaltningschef=403,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", LISTEN.items())
def test_vm_4_listen(matrix_client, setup, who, status):
    box = setup[0]
    response = matrix_client(who).post(
        reverse("voicemail:listen", args=[box.pk]), {"from": "start", "next": "/"}
    )
    assert response.status_code == status
    marked = list(Listening.objects.values_list("by__user__username", "source"))
    if status == 302 and who != "anonymous":
        assert response["Location"] == "/"
        assert marked == [(response.wsgi_request.user.username, Source.START_PAGE)]
    else:
        assert marked == []


def test_vm_4_someone_elses_box_gets_a_swedish_answer(matrix_client, setup):
    response = matrix_client("manager").post(reverse("voicemail:listen", args=[setup[0].pk]))
    assert response.status_code == 403
    assert not Listening.objects.exists()


SWITCH = statuses(
    404,
    employee=302,
    colleague=403,
    manager=403,
    forvaltningschef=403,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", SWITCH.items())
def test_switch(matrix_client, setup, who, status):
    box = setup[0]
    response = matrix_client(who).post(reverse("voicemail:switch", args=[box.pk]), {"on": "0"})
    assert response.status_code == status
    box.refresh_from_db()
    assert box.is_on == (who != "employee")


def test_switch_on_without_greeting_says_so_in_swedish(world, phones, matrix_client):
    box = make_box(world, phones.anna, on=False)
    client = matrix_client("employee")
    response = client.post(reverse("voicemail:switch", args=[box.pk]), {"on": "1"}, follow=True)
    assert "Spela in din personliga hälsning" in response.content.decode()
    box.refresh_from_db()
    assert not box.is_on


# --- Greeting and deputy forms --------------------------------------------------------------


GREETING = statuses(
    404,
    employee=200,
    colleague=403,
    manager=403,
    forvaltningschef=403,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", GREETING.items())
def test_greeting(matrix_client, world, phones, who, status):
    box = make_box(world, phones.anna, on=False)
    box.deputy = world.people["colleague"]
    box.save()
    url = reverse("voicemail:greeting", args=[box.pk])
    client = matrix_client(who)
    assert client.get(url).status_code == status
    response = client.post(url, {"text": "Jag lyssnar av kl 9", "confirmed": "on"})
    assert response.status_code == _after(status, None)
    box.refresh_from_db()
    assert (box.greeting_confirmed_by == world.people["employee"]) == (who == "employee")


def test_greeting_needs_the_confirmation(matrix_client, world, phones):
    box = make_box(world, phones.anna, on=False)
    response = matrix_client("employee").post(reverse("voicemail:greeting", args=[box.pk]), {})
    assert "Bekräfta att den personliga hälsningen är inspelad." in response.content.decode()
    box.refresh_from_db()
    assert box.greeting_confirmed_at is None


DEPUTY = statuses(
    404,
    employee=200,
    colleague=403,
    manager=200,
    forvaltningschef=200,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", DEPUTY.items())
def test_deputy(matrix_client, setup, world, who, status):
    box = setup[0]
    url = reverse("voicemail:deputy", args=[box.pk])
    client = matrix_client(who)
    assert client.get(url).status_code == status
    outsider = world.people["outsider"]
    response = client.post(url, {"deputy": outsider.email})
    assert response.status_code == _after(status, None)
    box.refresh_from_db()
    assert (box.deputy == outsider) == (status == 200)


def test_deputy_outside_the_municipality_is_refused_in_swedish(matrix_client, setup):
    box = setup[0]
    response = matrix_client("employee").post(
        reverse("voicemail:deputy", args=[box.pk]), {"deputy": "someone@example.com"}
    )
    assert "är inte en aktiv person i kommunen" in response.content.decode()
    box.refresh_from_db()
    assert box.deputy is not None and box.deputy.email != "someone@example.com"


# --- Registrations (VM-5) ------------------------------------------------------------------


REGISTER = statuses(
    404,
    employee=200,
    colleague=200,
    manager=403,
    forvaltningschef=403,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", REGISTER.items())
def test_vm_5_register(matrix_client, setup, who, status, clock):
    box = setup[0]
    url = reverse("voicemail:record_create", args=[box.pk])
    client = matrix_client(who)
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "inte när det öppnades eller avlyssnades" in response.content.decode()
    response = client.post(
        url,
        {
            "received_at": "2026-12-01T06:30",
            "caller": "Per Ek, 070-111 22 33",
            "summary": "Vill boka tid",
            "is_public_record": "on",
        },
    )
    assert response.status_code == _after(status, None)
    assert MessageRecord.objects.filter(caller="Per Ek, 070-111 22 33").exists() == (status == 200)


def test_vm_5_received_in_the_future_is_refused_in_swedish(matrix_client, setup, clock):
    box = setup[0]
    response = matrix_client("employee").post(
        reverse("voicemail:record_create", args=[box.pk]),
        {"received_at": "2026-12-01T09:00", "caller": "X", "summary": "Y"},
    )
    assert "kan inte ha nått röstbrevlådan i framtiden" in response.content.decode()
    assert MessageRecord.objects.count() == 1


RECORD = statuses(
    404,
    employee=200,
    colleague=200,
    manager=200,
    forvaltningschef=200,
    telekundtjanst=200,
    admin=200,
)


@pytest.mark.parametrize("who, status", RECORD.items())
def test_vm_5_record_detail_with_history(matrix_client, setup, who, status):
    response = matrix_client(who).get(reverse("voicemail:record", args=[setup[1].pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "BN 2026/123" in body and "Lisa Berg" in body


EDIT = statuses(
    404,
    employee=200,
    colleague=200,
    manager=200,
    forvaltningschef=200,
    telekundtjanst=403,
    admin=403,
)


@pytest.mark.parametrize("who, status", EDIT.items())
def test_vm_5_record_edit_keeps_history(matrix_client, setup, who, status):
    record = setup[1]
    url = reverse("voicemail:record_edit", args=[record.pk])
    client = matrix_client(who)
    assert client.get(url).status_code == status
    response = client.post(
        url, {"summary": "Frågar om bygglov", "is_public_record": "on", "case_number": "BN 9"}
    )
    assert response.status_code == _after(status, None)
    record.refresh_from_db()
    assert (record.case_number == "BN 9") == (status == 200)
    assert record.history.count() == (2 if status == 200 else 1)


def test_vm_5_no_delete_anywhere(setup, matrix_client):
    """Neither a page nor the admin deletes a registration."""
    record = setup[1]
    client = matrix_client("admin")
    response = client.post(
        reverse("admin:voicemail_messagerecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert MessageRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("who, status", MANAGERS.items())
def test_vm_5_unit_records(matrix_client, setup, world, who, status):
    response = matrix_client(who).get(reverse("voicemail:unit_records", args=[world.hemtjanst.pk]))
    assert response.status_code == status
    if status == 200:
        assert [r.pk for r in response.context["records"]] == [setup[1].pk]


@pytest.mark.parametrize("count", [1, 3])
def test_vm_5_unit_records_query_count(
    matrix_client, setup, world, django_assert_num_queries, count
):
    for n in range(count - 1):
        services.record_register(
            actor=world.people["employee"].user,
            box=setup[0],
            received_at=local(2026, 11, 30, 10, n),
            caller=f"Uppringare {n}",
            summary="Ärende",
            is_public_record=False,
        )
    client = matrix_client("manager")
    # session, user, the unit, roles, person, headed units; the records with box, unit
    # and registrar
    with django_assert_num_queries(8):
        response = client.get(reverse("voicemail:unit_records", args=[world.hemtjanst.pk]))
    assert len(response.context["records"]) == count


CASE_VISIBLE = {"employee", "colleague", "manager", "forvaltningschef", "telekundtjanst", "admin"}


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_vm_5_records_by_case_number(matrix_client, setup, who, status):
    response = matrix_client(who).get(
        reverse("voicemail:case_records"), {"arende": " bn 2026/123 "}
    )
    assert response.status_code == status
    if status == 200:
        found = [r.pk for r in response.context["records"]]
        assert found == ([setup[1].pk] if who in CASE_VISIBLE else [])


@pytest.mark.parametrize("count", [1, 3])
def test_vm_5_case_records_query_count(
    matrix_client, setup, world, django_assert_num_queries, count
):
    for n in range(count - 1):
        services.record_register(
            actor=world.people["employee"].user,
            box=setup[0],
            received_at=local(2026, 11, 30, 10, n),
            caller=f"Uppringare {n}",
            summary="Ärende",
            is_public_record=True,
            case_number="BN 2026/123",
        )
    client = matrix_client("manager")
    # session, user, roles, person, headed units; the records
    with django_assert_num_queries(7):
        response = client.get(reverse("voicemail:case_records"), {"arende": "BN 2026/123"})
    assert len(response.context["records"]) == count


# --- The unit's boxes and approval (VM-1) -------------------------------------------------


@pytest.mark.parametrize("who, status", MANAGERS.items())
def test_unit_boxes(matrix_client, setup, world, who, status):
    response = matrix_client(who).get(reverse("voicemail:unit", args=[world.hemtjanst.pk]))
    assert response.status_code == status
    if status == 200:
        assert [b.pk for b in response.context["boxes"]] == [setup[0].pk]


@pytest.mark.parametrize("count", [1, 3])
def test_unit_boxes_query_count(matrix_client, world, phones, django_assert_num_queries, count):
    for subscription in [phones.anna, phones.bo, phones.reception][:count]:
        make_box(world, subscription)
    client = matrix_client("manager")
    # session, user, the unit, roles, person, headed units; the open flag counts; the
    # boxes with their last listening
    with django_assert_num_queries(9):
        response = client.get(reverse("voicemail:unit", args=[world.hemtjanst.pk]))
    assert len(response.context["boxes"]) == count


APPROVE = statuses(403, manager=200, forvaltningschef=200)


@pytest.mark.parametrize("who, status", APPROVE.items())
def test_vm_1_approve(matrix_client, world, phones, who, status):
    url = reverse("voicemail:approve", args=[world.hemtjanst.pk])
    client = matrix_client(who)
    assert client.get(url).status_code == status
    response = client.post(
        url, {"subscription": phones.bo.pk, "kind": BoxKind.ROSTBREVLADA, "note": "Ute mycket"}
    )
    assert response.status_code == _after(status, None)
    approved = VoicemailBox.objects.filter(subscription=phones.bo).first()
    if status == 200:
        assert (approved.approved_by, approved.is_on) == (world.people[who].user, False)
    else:
        assert approved is None


def test_vm_1_manager_cannot_approve_a_box_outside_the_unit_or_their_own(
    matrix_client, world, phones
):
    client = matrix_client("manager")
    own = phone(world, holder=world.people["manager"], number="+4619211200", extension="1200")
    for subscription in (phones.outsider, own):
        response = client.post(
            reverse("voicemail:approve", args=[world.hemtjanst.pk]),
            {"subscription": subscription.pk, "kind": BoxKind.ROSTBREVLADA},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["subscription"]
    assert not VoicemailBox.objects.exists()


def test_vm_1_mobilsvar_on_a_fixed_phone_is_refused_in_swedish(matrix_client, world, phones):
    response = matrix_client("manager").post(
        reverse("voicemail:approve", args=[world.hemtjanst.pk]),
        {"subscription": phones.anna.pk, "kind": BoxKind.MOBILSVAR},
    )
    assert "Mobilsvar är röstbrevlådan i en mobil- eller MEX-telefon" in response.content.decode()
    assert not VoicemailBox.objects.exists()


# --- The signed link of the daily reminder ------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider", "employee"])
def test_vm_4_signed_link_marks_in_one_click_for_anyone_holding_it(
    matrix_client, setup, world, who
):
    box = setup[0]
    url = reverse("voicemail:link", args=[services.link_token(box, world.people["employee"])])
    client = matrix_client(who)
    response = client.get(url)
    assert response.status_code == 200
    assert not Listening.objects.exists()  # a mail scanner's GET marks nothing
    response = client.post(url)
    assert response.status_code == 200
    assert list(Listening.objects.values_list("by", "source")) == [
        (world.people["employee"].pk, Source.EMAIL_LINK)
    ]


def test_vm_4_forged_or_expired_link(matrix_client, setup, world, monkeypatch):
    box = setup[0]
    token = services.link_token(box, world.people["employee"])
    client = matrix_client("anonymous")
    response = client.post(reverse("voicemail:link", args=[token + "x"]))
    assert response.status_code == 400
    assert "Länken är inte giltig." in response.content.decode()
    monkeypatch.setattr(services, "LINK_MAX_AGE", timedelta(seconds=-1))
    response = client.post(reverse("voicemail:link", args=[token]))
    assert "Länken har gått ut" in response.content.decode()
    assert not Listening.objects.exists()


# --- The switchboard API ----------------------------------------------------------------


EVENTS = reverse("api:voicemail_events")


@pytest.fixture
def switchboard(world):
    from tests.factories import UserFactory

    user = UserFactory(username="vaxeln")
    user.user_permissions.add(Permission.objects.get(codename="report_listening"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


API = statuses(403, anonymous=401, admin=201)


@pytest.mark.parametrize("who, status", API.items())
def test_vm_4_api_role_table(world, setup, who, status):
    client = APIClient()
    if who != "anonymous":
        user = world.people[who].user
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.post(EVENTS, {"event_id": "e1", "number": "1100"}, format="json")
    assert response.status_code == status
    assert Listening.objects.filter(event_id="e1").exists() == (status == 201)


def test_vm_4_api_event_is_idempotent_and_resolves_the_flag(world, setup, switchboard, clock):
    box = setup[0]
    services.sweep_voicemail()
    assert Flag.objects.filter(rule="VM-4", resolved_at__isnull=True).count() == 1
    body = {
        "event_id": "pbx-77",
        "number": "019-21 10 00",
        "listened_at": "2026-12-01T06:55:00+01:00",
    }
    first = switchboard.post(EVENTS, body, format="json")
    assert first.status_code == 201
    assert first.json()["box"] == box.pk and first.json()["created"] is True
    again = switchboard.post(EVENTS, body | {"number": "1101"}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["box"] == box.pk
    assert Listening.objects.count() == 1
    assert Flag.objects.filter(rule="VM-4", resolved_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    "body, message",
    [
        ({"event_id": "x1", "number": "5000"}, "Ingen aktiv telefon med röstbrevlåda"),
        (
            {"event_id": "x2", "number": "1100", "listened_at": "2026-12-02T09:00:00+01:00"},
            "framtiden",
        ),
    ],
)
def test_vm_4_api_bad_events_are_refused_in_swedish(setup, switchboard, clock, body, message):
    response = switchboard.post(EVENTS, body, format="json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Listening.objects.exists()


# --- Start page and telesök's unit page ---------------------------------------------------------


def test_vm_4_start_page_marks_listened_in_one_click(matrix_client, setup):
    client = matrix_client("employee")
    body = client.get("/").content.decode()
    assert "Röstbrevlådor att lyssna av i dag" in body and "Aldrig" in body
    client.post(reverse("voicemail:listen", args=[setup[0].pk]), {"from": "start", "next": "/"})
    body = client.get("/").content.decode()
    assert "I dag 07:00" in body


def test_start_page_shows_voicemail_flags(matrix_client, setup):
    services.sweep_voicemail()
    body = matrix_client("employee").get("/").content.decode()
    # The requirement in words, without its id (19.6).
    assert "Varje röstbrevlåda avlyssnas dagligen" in body and "VM-4" not in body


@pytest.mark.parametrize(
    "who, shown",
    [("manager", True), ("telekundtjanst", True), ("employee", False), ("outsider", False)],
)
def test_telesok_unit_page_block(matrix_client, setup, world, who, shown):
    services.sweep_voicemail()
    body = matrix_client(who).get(reverse("directory:unit", args=[world.hemtjanst.pk])).content
    body = body.decode()
    assert ("Enhetens röstbrevlådor" in body) == shown
    assert ("Varje röstbrevlåda avlyssnas dagligen" in body) == shown
    # The id in small print for Tele kundtjänst only (19.6).
    assert ('<small class="rule-id">VM-4</small>' in body) == (who == "telekundtjanst")


def test_organisation_unit_page_lists_the_flags(matrix_client, setup, world):
    services.sweep_voicemail()
    body = (
        matrix_client("manager")
        .get(reverse("organisation:unit_detail", args=[world.grupp.pk]))
        .content.decode()
    )
    assert "Varje röstbrevlåda avlyssnas dagligen" in body


def test_no_email_on_views(setup):
    assert all("Lyssna av" not in m.subject for m in mail.outbox)
