"""SRV-3 phone notes and SRV-4 threat reports at the service level: bad input refused in
Swedish with nothing saved, history kept, no deletion, the manager e-mailed at once."""

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from service import services
from service.models import PhoneNote, ThreatReport
from tests.conftest import local
from tests.service.conftest import report_threat, write_note

# --- Phone notes (SRV-3) ---------------------------------------------------------------


def test_srv_3_note_is_kept_with_its_case_number_normalised(world, clock):
    note = write_note(world, case_number="  vof   2026/123 ")
    assert note.case_number == "VOF 2026/123"
    assert note.unit == world.grupp
    assert note.written_by == world.people["kundtjanst"].user
    assert note.history.get().history_change_reason == "Telefonanteckning skriven"


@pytest.mark.parametrize(
    "values, field, text",
    [
        (
            {"received_at": local(2026, 12, 1, 12, 0)},
            "received_at",
            "Samtalet kan inte ligga i framtiden.",
        ),
        ({"received_at": None}, "received_at", "Ange datum och tid för samtalet."),
        ({"case_number": " "}, "case_number", "Ange diarienumret."),
        ({"caller": ""}, "caller", "Ange vem som ringde, som den uppgav det."),
        ({"summary": "  "}, "summary", "Skriv en sammanfattning av vad som sades."),
    ],
)
def test_srv_3_bad_input_is_refused(world, clock, values, field, text):
    with pytest.raises(ValidationError) as caught:
        write_note(world, **values)
    assert caught.value.message_dict[field] == [text]
    assert not PhoneNote.objects.exists()


def test_srv_3_nobody_deletes_a_note_in_the_admin(world, clock):
    """A phone note is case documentation: not deletable by its author, nor by a
    systemadministratör in the admin (gallring happens in the archive, outside Telefoni)."""
    note = write_note(world, author="admin")
    request = RequestFactory().get("/admin/")
    request.user = world.people["admin"].user
    model_admin = site._registry[PhoneNote]
    assert not model_admin.has_delete_permission(request, note)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


# --- Threat reports (SRV-4) ------------------------------------------------------------


def test_srv_4_report_goes_to_the_nearest_manager_at_once(
    world, clock, django_capture_on_commit_callbacks
):
    manager = world.people["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        report = report_threat(world)
    assert report.manager == manager
    assert report.unit == world.grupp
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "Anna Östlund" in mail.outbox[0].subject
    # What was said stays in Telefoni: the e-mail only links to it.
    assert "Jag vet var du bor" not in mail.outbox[0].body
    assert f"/medborgarservice/hot/{report.pk}/" in mail.outbox[0].body
    report.refresh_from_db()
    assert report.notified_to == manager.email
    assert services.threat_report_notify(report_id=report.pk) == 0
    assert services.sweep_callbacks()[1] == 0
    assert len(mail.outbox) == 1


def test_srv_4_a_manager_reports_to_their_own_manager(
    world, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_threat(world, reporter="manager")
    assert report.manager == world.people["forvaltningschef"]
    assert mail.outbox[0].to == [world.people["forvaltningschef"].email]


def test_srv_4_without_a_manager_tele_kundtjanst_is_told(
    world, clock, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_threat(world, reporter="kundtjanst")  # KSF has no manager
    assert report.manager is None
    assert mail.outbox[0].to == [settings.TELEFONI_SERVICE_DESK_EMAIL]


def test_threat_notify_of_a_missing_report_does_nothing(db):
    assert services.threat_report_notify(report_id=424242) == 0


@pytest.mark.parametrize(
    "values, field, text",
    [
        ({"occurred_at": None}, "occurred_at", "Ange när samtalet kom."),
        (
            {"occurred_at": local(2026, 12, 1, 11, 31)},
            "occurred_at",
            "Samtalet kan inte ligga i framtiden.",
        ),
        ({"what_was_said": " "}, "what_was_said", "Skriv vad som sades."),
    ],
)
def test_srv_4_bad_input_is_refused(world, clock, values, field, text):
    with pytest.raises(ValidationError) as caught:
        report_threat(world, **values)
    assert caught.value.message_dict[field] == [text]
    assert not ThreatReport.objects.exists()
    assert mail.outbox == []


def test_srv_4_threat_reports_are_not_in_the_admin():
    assert ThreatReport not in site._registry
