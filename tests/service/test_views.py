"""Medborgarservice pages: a role -> status table per view with its effect checked, bad
input through the forms, and list query counts at 1 and 3 items."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from service import services
from service.choices import CallbackStatus, Channel
from service.models import Callback, PhoneNote, ThreatReport
from tests.conftest import EVERYONE, local, statuses
from tests.factories import PersonFactory
from tests.service.conftest import report_threat, take_message, write_note
from tests.services import pdf_metadata, pdf_text

INDEX = reverse("service:index")
CALLBACKS = reverse("service:callback_list")
NEW_CALLBACK = reverse("service:callback_create")
NOTES = reverse("service:phonenote_list")
NEW_NOTE = reverse("service:phonenote_create")
THREATS = reverse("service:threat_list")
NEW_THREAT = reverse("service:threat_create")

# Who reads Anna's callback: Anna, Kundtjänst (recorded it; reads all), her managers
# (enhetschef of Hemtjänst Norr, förvaltningschef of VOF) and Tele kundtjänst.
CALLBACK_READERS = {"employee", "kundtjanst", "manager", "forvaltningschef", "telekundtjanst"}
CALLBACK_VIEW = statuses(404, **dict.fromkeys(CALLBACK_READERS, 200))
# Anna and her managers mark it contacted; the others who may read it may not.
CALLBACK_DONE = CALLBACK_VIEW | {
    "employee": 302,
    "manager": 302,
    "forvaltningschef": 302,
    "kundtjanst": 403,
    "telekundtjanst": 403,
}
# A note of Hemtjänst Norr grupp 1 written by Kundtjänst: the author, the unit's staff
# (Anna, Bo) and its managers.
NOTE_READERS = {"kundtjanst", "employee", "colleague", "manager", "forvaltningschef"}
NOTE_VIEW = statuses(404, **dict.fromkeys(NOTE_READERS, 200))
UNIT_NOTES = NOTE_VIEW | {"kundtjanst": 404}
# Anna's threat report: Anna, her nearest manager, the förvaltningschef, Tele kundtjänst.
THREAT_READERS = {"employee", "manager", "forvaltningschef", "telekundtjanst"}
THREAT_VIEW = statuses(404, **dict.fromkeys(THREAT_READERS, 200))
THREAT_ACK = THREAT_VIEW | {
    "manager": 302,
    "employee": 403,
    "forvaltningschef": 403,
    "telekundtjanst": 403,
}


@pytest.fixture
def callback(world, clock):
    return take_message(world)


@pytest.fixture
def note(world, clock):
    return write_note(world)


@pytest.fixture
def threat(world, clock):
    return report_threat(world)


# --- Index --------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_index_links_the_three_duties(matrix_client, world, who, status):
    response = matrix_client(who).get(INDEX)
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        for url in (NEW_CALLBACK, NEW_NOTE, NEW_THREAT):
            assert f'href="{url}"' in body


def test_nav_links_citizen_service(matrix_client, world):
    header = matrix_client("employee").get("/").content.decode().split("</header>")[0]
    assert f'href="{INDEX}"' in header and "Medborgarservice" in header


# --- Callbacks ------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_callback_list_shows_what_each_role_may_read(matrix_client, callback, who, status):
    response = matrix_client(who).get(CALLBACKS)
    assert response.status_code == status
    if status == 200:
        assert (callback in response.context["callbacks"]) == (who in CALLBACK_READERS)
        assert ("Karin Medborgare" in response.content.decode()) == (who in CALLBACK_READERS)
        # DIR-5: the list never shows the caller's number.
        assert "070-123 45 67" not in response.content.decode()


def test_callback_list_filters_by_status(matrix_client, world, clock, callback):
    services.callback_mark_done(actor=world.people["employee"].user, callback=callback)
    client = matrix_client("employee")
    assert client.get(CALLBACKS).context["callbacks"] == []
    assert client.get(CALLBACKS, {"status": "done"}).context["callbacks"] == [callback]
    assert client.get(CALLBACKS, {"status": "all"}).context["callbacks"] == [callback]


@pytest.mark.parametrize("count", [1, 3])
def test_callback_list_query_count_is_constant(
    matrix_client, world, clock, django_assert_num_queries, count
):
    for i in range(count):
        take_message(world, recipient=PersonFactory(unit=world.grupp), caller_name=f"Ringare {i}")
    client = matrix_client("manager")
    # session, user, roles, own person, managed units; the callbacks with recipients,
    # units and recorders
    with django_assert_num_queries(7):
        response = client.get(CALLBACKS)
    assert len(response.context["callbacks"]) == count


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_callback_create_records_a_message(matrix_client, world, clock, who, status):
    client = matrix_client(who)
    assert client.get(NEW_CALLBACK).status_code == status
    anna = world.people["employee"]
    response = client.post(
        NEW_CALLBACK,
        {
            "recipient": anna.pk,
            "caller_name": "Karin Medborgare",
            "caller_phone": "070-123 45 67",
            "message": "Ring om beslutet.",
            "channel": Channel.EMAIL,
        },
    )
    assert response.status_code == (302 if status == 200 else status)
    if status == 200:
        callback = Callback.objects.get()
        assert (callback.recipient, callback.deadline) == (anna, date(2026, 12, 3))
        assert callback.recorded_by == world.people[who].user
    else:
        assert not Callback.objects.exists()


def test_callback_form_shows_the_default_deadline(matrix_client, world, clock):
    body = matrix_client("kundtjanst").get(NEW_CALLBACK).content.decode()
    assert "torsdag 3 december 2026" in body


def test_callback_form_refuses_a_past_deadline_in_swedish(matrix_client, world, clock):
    response = matrix_client("kundtjanst").post(
        NEW_CALLBACK,
        {
            "recipient": world.people["employee"].pk,
            "caller_name": "Karin",
            "caller_email": "karin@example.se",
            "message": "Ring mig.",
            "channel": Channel.EMAIL,
            "deadline": "2026-11-30",
        },
    )
    assert response.status_code == 200
    assert "Sista dagen kan inte ha passerat." in response.content.decode()
    assert not Callback.objects.exists()
    assert mail.outbox == []


def test_callback_form_refuses_a_bad_email_in_swedish(matrix_client, world, clock):
    response = matrix_client("kundtjanst").post(
        NEW_CALLBACK,
        {
            "recipient": world.people["employee"].pk,
            "caller_name": "Karin",
            "caller_email": "karin(at)example",
            "message": "Ring mig.",
            "channel": Channel.EMAIL,
        },
    )
    assert response.status_code == 200
    assert "Ange en giltig mejladress." in response.content.decode()
    assert not Callback.objects.exists()


@pytest.mark.parametrize("who, offered", [("kundtjanst", False), ("telekundtjanst", True)])
def test_org_4_protected_person_only_offered_to_tele_kundtjanst(
    matrix_client, world, clock, who, offered
):
    hidden = PersonFactory(unit=world.grupp, protected_identity=True, last_name="Skyddadsson")
    client = matrix_client(who)
    form = client.get(NEW_CALLBACK).context["form"]
    assert (hidden in form.fields["recipient"].queryset) == offered
    response = client.post(
        NEW_CALLBACK,
        {
            "recipient": hidden.pk,
            "caller_name": "Karin",
            "caller_phone": "070-123 45 67",
            "message": "Ring mig.",
            "channel": Channel.SMS,
            "passed_on_by_hand": "on",
        },
    )
    assert Callback.objects.filter(recipient=hidden).exists() == offered
    if not offered:
        assert response.status_code == 200
        body = response.content.decode()
        assert "Välj en person i listan." in body
        assert "Skyddadsson" not in body


def test_recipient_picker_is_preselected_from_the_link(matrix_client, world):
    """Issue 19.3: a picker that searches, with the person of the link already chosen."""
    anna = world.people["employee"]
    response = matrix_client("kundtjanst").get(NEW_CALLBACK, {"for": anna.pk})
    body = response.content.decode()
    assert 'name="recipient__q" value="Östlund, Anna"' in body
    assert f'<option value="{anna.pk}" selected>Östlund, Anna – Undersköterska' in body


@pytest.mark.parametrize("who, status", CALLBACK_VIEW.items())
def test_callback_detail(matrix_client, callback, who, status):
    response = matrix_client(who).get(reverse("service:callback_detail", args=[callback.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "070-123 45 67" in body
        assert ("Kontaktad</button>" in body) == (
            who in {"employee", "manager", "forvaltningschef"}
        )


def test_callback_detail_of_a_missing_callback_is_404(matrix_client, world):
    url = reverse("service:callback_detail", args=[999])
    assert matrix_client("telekundtjanst").get(url).status_code == 404


@pytest.mark.parametrize("who, status", CALLBACK_DONE.items())
def test_callback_done(matrix_client, world, callback, who, status):
    url = reverse("service:callback_done", args=[callback.pk])
    response = matrix_client(who).post(url, {"next": "/"})
    assert response.status_code == status
    callback.refresh_from_db()
    assert (callback.status == CallbackStatus.DONE) == (status == 302 and who != "anonymous")
    if callback.status == CallbackStatus.DONE:
        assert response["Location"] == "/"
        assert callback.done_by == world.people[who].user


def test_protected_recipients_callback_is_hidden_from_kundtjanst(matrix_client, world, clock):
    hidden = PersonFactory(unit=world.grupp, protected_identity=True)
    callback = take_message(world, recorder="telekundtjanst", recipient=hidden)
    url = reverse("service:callback_detail", args=[callback.pk])
    assert matrix_client("kundtjanst").get(url).status_code == 404
    assert matrix_client("telekundtjanst").get(url).status_code == 200
    assert matrix_client("kundtjanst").get(CALLBACKS).context["callbacks"] == []


# --- Start page --------------------------------------------------------------------------


def test_start_page_shows_open_callbacks_until_contacted(matrix_client, world, clock, callback):
    client = matrix_client("employee")
    body = client.get("/").content.decode()
    assert "Karin Medborgare" in body and "torsdag 3 december" in body
    done = client.post(
        reverse("service:callback_done", args=[callback.pk]), {"next": "/"}, follow=True
    )
    assert "Markerat som kontaktad: Karin Medborgare." in done.content.decode()
    assert done.context["open_callbacks"] == []
    assert "Karin Medborgare" not in client.get("/").content.decode()
    assert "Karin Medborgare" not in matrix_client("colleague").get("/").content.decode()


def test_start_page_marks_an_overdue_callback(matrix_client, world, clock, callback):
    clock.set(local(2026, 12, 4, 9, 0))
    assert "försenad" in matrix_client("employee").get("/").content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_start_page_callbacks_query_count_is_constant(
    matrix_client, world, clock, django_assert_num_queries, count
):
    """Other apps add their own blocks to the start page, so the count is measured on the
    page without any callback or threat report; the lists cost two queries either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = matrix_client("employee")
    client.get("/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/")
    for i in range(count):
        take_message(world, caller_name=f"Ringare {i}")
        report_threat(world)
    with django_assert_num_queries(len(empty.captured_queries)):
        response = client.get("/")
    assert len(response.context["open_callbacks"]) == count


# --- Phone notes --------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_phonenote_list_shows_what_each_role_may_read(matrix_client, note, who, status):
    response = matrix_client(who).get(NOTES)
    assert response.status_code == status
    if status == 200:
        assert (note in response.context["notes"]) == (who in NOTE_READERS)


@pytest.mark.parametrize("who, status", UNIT_NOTES.items())
def test_phonenote_list_per_unit(matrix_client, world, note, who, status):
    response = matrix_client(who).get(NOTES, {"enhet": world.grupp.pk})
    assert response.status_code == status
    if status == 200:
        assert response.context["notes"] == [note]


def test_phonenote_list_per_case_number(matrix_client, world, clock):
    first = write_note(world, case_number="VOF 2026/123")
    write_note(world, case_number="VOF 2026/999")
    third = write_note(world, case_number="VOF 2026/123", received_at=local(2026, 12, 1, 11, 0))
    response = matrix_client("employee").get(NOTES, {"arende": "vof 2026/123"})
    assert response.context["notes"] == [third, first]
    assert "VOF 2026/123" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_phonenote_list_query_count_is_constant(
    matrix_client, world, clock, django_assert_num_queries, count
):
    for i in range(count):
        write_note(world, case_number=f"VOF 2026/{i}")
    client = matrix_client("manager")
    # session, user, roles, own person, managed units; the notes with units and authors
    with django_assert_num_queries(7):
        response = client.get(NOTES)
    assert len(response.context["notes"]) == count


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_phonenote_create(matrix_client, world, clock, who, status):
    client = matrix_client(who)
    assert client.get(NEW_NOTE).status_code == status
    response = client.post(
        NEW_NOTE,
        {
            "received_at": "2026-12-01T10:15",
            "caller": "Dottern",
            "case_number": "sof 2026/77",
            "unit": world.grupp.pk,
            "summary": "Uppger att fadern har flyttat.",
        },
    )
    assert response.status_code == (302 if status == 200 else status)
    if status == 200:
        note = PhoneNote.objects.get()
        assert (note.case_number, note.written_by) == ("SOF 2026/77", world.people[who].user)
        assert response["Location"] == note.get_absolute_url()
    else:
        assert not PhoneNote.objects.exists()


def test_phonenote_form_refuses_a_bad_case_number_and_a_future_call(matrix_client, world, clock):
    response = matrix_client("employee").post(
        NEW_NOTE,
        {
            "received_at": "2026-12-02T10:15",
            "caller": "Dottern",
            "case_number": "VOF<2026>",
            "unit": world.grupp.pk,
            "summary": "Något.",
        },
    )
    body = response.content.decode()
    assert "Ett diarienummer innehåller bara bokstäver" in body
    assert not PhoneNote.objects.exists()
    response = matrix_client("employee").post(
        NEW_NOTE,
        {
            "received_at": "2026-12-02T10:15",
            "caller": "Dottern",
            "case_number": "VOF 2026/1",
            "unit": world.grupp.pk,
            "summary": "Något.",
        },
    )
    assert "Samtalet kan inte ligga i framtiden." in response.content.decode()
    assert not PhoneNote.objects.exists()


@pytest.mark.parametrize("who, status", NOTE_VIEW.items())
def test_phonenote_detail_with_history(matrix_client, note, who, status):
    response = matrix_client(who).get(reverse("service:phonenote_detail", args=[note.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "VOF 2026/123" in body and "Telefonanteckning skriven" in body


def test_no_page_deletes_a_phone_note(matrix_client, note):
    from service import urls

    assert not [p for p in urls.urlpatterns if "delete" in p.name or "ta-bort" in str(p.pattern)]
    url = reverse("service:phonenote_detail", args=[note.pk])
    assert matrix_client("kundtjanst").delete(url).status_code == 405
    assert matrix_client("kundtjanst").post(url).status_code == 405
    assert PhoneNote.objects.filter(pk=note.pk).exists()


# --- Threat reports -------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_threat_list_shows_what_each_role_may_read(matrix_client, threat, who, status):
    response = matrix_client(who).get(THREATS)
    assert response.status_code == status
    if status == 200:
        assert (threat in response.context["reports"]) == (who in THREAT_READERS)


@pytest.mark.parametrize("count", [1, 3])
def test_threat_list_query_count_is_constant(
    matrix_client, world, clock, django_assert_num_queries, count
):
    for _ in range(count):
        report_threat(world)
    client = matrix_client("forvaltningschef")
    # session, user, roles, own person, managed units; the reports with people and units
    with django_assert_num_queries(7):
        response = client.get(THREATS)
    assert len(response.context["reports"]) == count


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_threat_create_tells_the_nearest_manager(
    matrix_client, world, clock, who, status, django_capture_on_commit_callbacks
):
    client = matrix_client(who)
    assert client.get(NEW_THREAT).status_code == status
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_THREAT,
            {"occurred_at": "2026-12-01T09:10", "what_was_said": "Du ska få se.", "caller": ""},
        )
    assert response.status_code == (302 if status == 200 else status)
    if status == 200:
        report = ThreatReport.objects.get()
        assert report.reporter == world.people[who]
        assert response["Location"] == report.get_absolute_url()
        assert len(mail.outbox) == 1
    else:
        assert not ThreatReport.objects.exists()


def test_threat_form_without_a_time_is_refused_in_swedish(matrix_client, world, clock):
    response = matrix_client("employee").post(
        NEW_THREAT, {"occurred_at": "", "what_was_said": "Du ska få se."}
    )
    assert "Ange när samtalet kom." in response.content.decode()
    assert not ThreatReport.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("who, status", THREAT_VIEW.items())
def test_threat_detail(matrix_client, threat, who, status):
    response = matrix_client(who).get(reverse("service:threat_detail", args=[threat.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Jag vet var du bor." in body
        assert ("Markera som läst" in body) == (who == "manager")


@pytest.mark.parametrize("who, status", THREAT_VIEW.items())
def test_threat_pdf(matrix_client, threat, who, status, tmp_path):
    response = matrix_client(who).get(reverse("service:threat_pdf", args=[threat.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        data = response.content
        assert data.startswith(b"%PDF")
        assert 'pdfaid:part="3"' in pdf_metadata(data, tmp_path)  # PDF/A-3
        text = pdf_text(data, tmp_path)
        assert "Hot via telefon" in text
        assert "Jag vet var du bor." in text
        assert "070-999 88 77" in text
        assert "Anna Östlund" in text


@pytest.mark.parametrize("who, status", THREAT_ACK.items())
def test_threat_acknowledge(matrix_client, threat, who, status):
    url = reverse("service:threat_acknowledge", args=[threat.pk])
    response = matrix_client(who).post(url, {"next": "/"})
    assert response.status_code == status
    threat.refresh_from_db()
    assert (threat.acknowledged_at is not None) == (who == "manager")


def test_manager_sees_the_threat_on_the_start_page_until_read(matrix_client, world, threat):
    client = matrix_client("manager")
    assert threat in client.get("/").context["unread_threats"]
    client.post(reverse("service:threat_acknowledge", args=[threat.pk]))
    assert client.get("/").context["unread_threats"] == []
    assert matrix_client("colleague").get("/").context["unread_threats"] == []
