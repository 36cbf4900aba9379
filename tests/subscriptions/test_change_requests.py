"""DIR-4: change requests of a directory entry, applied or rejected by Tele kundtjänst, and
direct edits; every change keeps who, when and why (history)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.utils import translation

from organisation.models import Person
from subscriptions import services
from subscriptions.choices import RequestStatus
from subscriptions.models import ChangeRequest
from tests.factories import UnitFactory, person_with_user
from tests.services import require_postgresql


def test_dir_4_request_keeps_only_the_fields_that_differ(anna, make_request):
    request = make_request(title="Sjuksköterska", room="", secondary_number="", unit=anna.unit_id)
    assert request.changes == {"title": {"old": "Undersköterska", "new": "Sjuksköterska"}}
    assert request.status == RequestStatus.PENDING
    assert request.requested_by == anna.user
    assert request.forvaltning_id == anna.unit.forvaltning_id
    assert request.target == anna


def test_dir_4_request_changes_nothing_in_the_entry(anna, make_request):
    make_request(title="Sjuksköterska", room="B 204")
    anna.refresh_from_db()
    assert (anna.title, anna.room) == ("Undersköterska", "")
    assert anna.history.count() == 1


def test_dir_4_nothing_to_change_makes_no_request(anna, make_request):
    assert make_request(title="Undersköterska", room="") is None
    assert not ChangeRequest.objects.exists()


def test_dir_4_a_new_request_supersedes_the_pending_one(anna, make_request):
    first = make_request(title="Sjuksköterska")
    second = make_request(room="B 204")
    first.refresh_from_db()
    assert first.status == RequestStatus.REJECTED
    assert first.decided_by == anna.user
    assert first.decision_reason
    assert second.status == RequestStatus.PENDING
    assert ChangeRequest.objects.filter(status=RequestStatus.PENDING).get() == second


def test_dir_4_superseding_leaves_other_peoples_requests_alone(world, anna, make_request):
    bo = world.people["colleague"]
    theirs = make_request(person=bo, title="Sjuksköterska")
    make_request(title="Sjuksköterska")
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.PENDING


def test_dir_4_request_refuses_a_unit_outside_own_forvaltning(world, anna, make_request):
    with pytest.raises(ValidationError) as exc:
        make_request(unit=world.bibliotek.pk)
    assert "unit" in exc.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_dir_4_request_accepts_any_unit_of_own_forvaltning(world, anna, make_request):
    request = make_request(unit=world.vof.pk)
    assert request.changes == {"unit": {"old": world.grupp.pk, "new": world.vof.pk}}


@pytest.mark.parametrize(
    "values, field",
    [
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"room": "x" * 101}, "room"),
        ({"secondary_number": "019-21 10 00"}, "secondary_number"),  # not E.164
        ({"secondary_number": "+46123"}, "secondary_number"),  # not a number
    ],
)
def test_dir_4_request_refuses_values_the_entry_cannot_hold(make_request, values, field):
    with pytest.raises(ValidationError) as exc:
        make_request(**values)
    assert field in exc.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_dir_4_apply_changes_the_entry_with_who_and_why(anna, desk, make_request, world):
    request = make_request(title="Sjuksköterska", secondary_number="+46701234567")
    with translation.override("en"):
        services.change_request_apply(actor=desk, request=request)
    anna.refresh_from_db()
    assert anna.title == "Sjuksköterska"
    assert anna.secondary_number == "+46701234567"
    request.refresh_from_db()
    assert request.status == RequestStatus.APPLIED
    assert request.decided_by == desk
    assert request.decided_at is not None
    latest = anna.history.first()
    assert latest.history_user == desk
    assert latest.history_change_reason == f"Change request #{request.pk}"
    assert latest.title == "Sjuksköterska"


def test_dir_4_apply_moves_the_entry_to_another_unit(anna, desk, make_request, world):
    request = make_request(unit=world.hemtjanst.pk)
    services.change_request_apply(actor=desk, request=request)
    anna.refresh_from_db()
    assert anna.unit == world.hemtjanst


def test_dir_4_stale_request_changes_nothing_and_stays_pending(anna, desk, make_request):
    request = make_request(title="Sjuksköterska", room="B 204")
    # Tele kundtjänst changed the room meanwhile: the request no longer describes the entry.
    services.entry_update(actor=desk, person=anna, values={"room": "A 101"})
    with pytest.raises(ValidationError) as exc:
        services.change_request_apply(actor=desk, request=request)
    assert exc.value.code == "stale"
    anna.refresh_from_db()
    assert (anna.title, anna.room) == ("Undersköterska", "A 101")
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert request.decided_by is None


def test_dir_4_reject_needs_a_reason(anna, desk, make_request):
    request = make_request(title="Sjuksköterska")
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            services.change_request_reject(actor=desk, request=request, reason=reason)
        assert "reason" in exc.value.message_dict
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_dir_4_reject_keeps_the_reason_and_leaves_the_entry(anna, desk, make_request):
    request = make_request(title="Sjuksköterska")
    services.change_request_reject(actor=desk, request=request, reason="  Fel titel  ")
    request.refresh_from_db()
    assert (request.status, request.decision_reason, request.decided_by) == (
        RequestStatus.REJECTED,
        "Fel titel",
        desk,
    )
    anna.refresh_from_db()
    assert anna.title == "Undersköterska"


@pytest.mark.parametrize("first", ["apply", "reject"])
@pytest.mark.parametrize("second", ["apply", "reject"])
def test_dir_4_deciding_twice_is_refused(anna, desk, make_request, first, second):
    request = make_request(title="Sjuksköterska")
    decide = {
        "apply": lambda r: services.change_request_apply(actor=desk, request=r),
        "reject": lambda r: services.change_request_reject(actor=desk, request=r, reason="Nej"),
    }
    decide[first](request)
    history_before = anna.history.count()
    # `request` is the caller's old copy, still saying "pending": the service re-reads it.
    assert request.status == RequestStatus.PENDING
    with pytest.raises(ValidationError):
        decide[second](request)
    request.refresh_from_db()
    assert request.status == (RequestStatus.APPLIED if first == "apply" else RequestStatus.REJECTED)
    assert anna.history.count() == history_before


def test_dir_4_second_apply_of_the_same_request_is_refused(anna, desk, make_request):
    request = make_request(title="Sjuksköterska")
    services.change_request_apply(actor=desk, request=request)
    with pytest.raises(ValidationError):
        services.change_request_apply(actor=desk, request=request)
    assert anna.history.filter(title="Sjuksköterska").count() == 1


@pytest.mark.service("postgresql")
def test_dir_4_two_concurrent_applies_change_the_entry_once(transactional_db):
    """Two desk workers press Apply at the same moment: the row lock makes the second wait
    for the first and then find the request decided."""
    require_postgresql()
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Väster", parent=vof)
    holder = person_with_user(unit=unit, username="holder", title="Undersköterska")
    desk = person_with_user(unit=vof, username="desk", title="Tekniker").user
    request = services.entry_change_request_create(
        actor=holder.user, person=holder, new_values={"title": "Sjuksköterska"}
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def apply():
        barrier.wait()
        try:
            services.change_request_apply(actor=desk, request=request)
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["applied", "refused"]
    assert Person.history.filter(id=holder.pk, title="Sjuksköterska").count() == 1


def test_entry_update_saves_with_who_and_why(anna, desk, world):
    services.entry_update(
        actor=desk,
        person=anna,
        values={"title": "Sjuksköterska", "unit": world.bibliotek},
        reason="Ringde in",
    )
    anna.refresh_from_db()
    assert (anna.title, anna.unit) == ("Sjuksköterska", world.bibliotek)
    latest = anna.history.first()
    assert (latest.history_user, latest.history_change_reason) == (desk, "Ringde in")


def test_entry_update_with_nothing_changed_writes_no_history(anna, desk):
    services.entry_update(actor=desk, person=anna, values={"title": "Undersköterska"})
    assert anna.history.count() == 1


def test_entry_update_refuses_a_number_not_in_e164(anna, desk):
    with pytest.raises(ValidationError) as exc:
        services.entry_update(actor=desk, person=anna, values={"secondary_number": "0701234567"})
    assert "secondary_number" in exc.value.message_dict
    anna.refresh_from_db()
    assert anna.secondary_number == ""


def test_entry_update_refuses_fields_outside_the_entry(anna, desk):
    with pytest.raises(ValueError):
        services.entry_update(actor=desk, person=anna, values={"protected_identity": True})


class TestDecisionMail:
    """The requester is told by e-mail when the request is decided (after commit)."""

    @pytest.fixture(autouse=True)
    def english(self, settings):
        # The mail is written in settings.LANGUAGE_CODE; English keeps these assertions
        # independent of the Swedish catalogue.
        settings.LANGUAGE_CODE = "en"

    def test_applied(
        self, anna, desk, make_request, mailoutbox, django_capture_on_commit_callbacks
    ):
        request = make_request(title="Sjuksköterska", secondary_number="+4619211000")
        with django_capture_on_commit_callbacks(execute=True):
            services.change_request_apply(actor=desk, request=request)
        (mail,) = mailoutbox
        assert mail.to == [anna.email]
        assert mail.subject == "[Telefoni] Your change has been made"
        assert f"request #{request.pk}" in mail.body
        assert "Title: Undersköterska -> Sjuksköterska" in mail.body
        assert "Secondary number: (empty) -> 019-21 10 00" in mail.body
        assert "https://telefoni.test/mina-uppgifter/" in mail.body

    def test_rejected_tells_the_reason(
        self, anna, desk, make_request, mailoutbox, django_capture_on_commit_callbacks
    ):
        request = make_request(title="Sjuksköterska")
        with django_capture_on_commit_callbacks(execute=True):
            services.change_request_reject(
                actor=desk, request=request, reason="Titeln finns inte i HR-systemet"
            )
        (mail,) = mailoutbox
        assert mail.subject == "[Telefoni] Your change request was rejected"
        assert "Reason: Titeln finns inte i HR-systemet" in mail.body
        assert "https://telefoni.test/mina-uppgifter/" in mail.body

    def test_user_address_comes_first(
        self, anna, desk, make_request, mailoutbox, django_capture_on_commit_callbacks
    ):
        anna.user.email = "anna.ostlund@kommun.example"
        anna.user.save()
        request = make_request(title="Sjuksköterska")
        with django_capture_on_commit_callbacks(execute=True):
            services.change_request_apply(actor=desk, request=request)
        assert mailoutbox[0].to == ["anna.ostlund@kommun.example"]

    def test_no_mail_when_superseded_refused_or_stale(
        self, anna, desk, make_request, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            make_request(title="Sjuksköterska")
            stale = make_request(room="B 204")  # supersedes the first: no mail
            services.entry_update(actor=desk, person=anna, values={"room": "A 101"})
            with pytest.raises(ValidationError):
                services.change_request_apply(actor=desk, request=stale)
        assert mailoutbox == []

    def test_no_mail_without_an_address(
        self, anna, desk, make_request, mailoutbox, django_capture_on_commit_callbacks
    ):
        Person.objects.filter(pk=anna.pk).update(email="")
        request = make_request(title="Sjuksköterska")
        with django_capture_on_commit_callbacks(execute=True):
            services.change_request_apply(actor=desk, request=request)
        assert mailoutbox == []
