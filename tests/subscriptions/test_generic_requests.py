"""Change requests of any target (subscriptions, devices, ...): created as the requester
saw the target, applied atomically with the kind's hook, refused when stale, and shown
with readable labels in the Tele kundtjänst queue."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from subscriptions import services
from subscriptions.choices import Kind, RequestKind, RequestStatus
from subscriptions.models import ChangeRequest

QUEUE = reverse("subscriptions:change_request_list")


@pytest.fixture
def phone(world):
    return services.subscription_create(
        actor=world.people["telekundtjanst"].user,
        kind=Kind.FIXED,
        number="+4619211000",
        extension="1000",
        holder=world.people["employee"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )


def _barring_request(world, phone, **new_values):
    return services.change_request_create(
        actor=world.people["manager"].user,
        kind=RequestKind.BARRING,
        target=phone,
        changes=services.field_changes(phone, new_values),
        forvaltning=world.vof,
        message="Resa till Norge i tjänsten",
    )


def test_field_changes_keeps_only_what_differs_and_stores_relations_as_pk(world, phone):
    changes = services.field_changes(
        phone, {"open_international": True, "open_domestic": True, "unit": world.hemtjanst}
    )
    assert changes == {
        "open_international": {"old": False, "new": True},
        "unit": {"old": world.grupp.pk, "new": world.hemtjanst.pk},
    }


def test_apply_changes_the_target_with_history_and_tells_the_requester(
    world, phone, desk, django_capture_on_commit_callbacks
):
    request = _barring_request(world, phone, open_international=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_apply(actor=desk, request=request)
    phone.refresh_from_db()
    assert phone.open_international is True
    record = phone.history.latest()
    assert record.history_user == desk
    assert record.history_change_reason == f"Ändringsbegäran nr {request.pk}"
    request.refresh_from_db()
    assert request.status == RequestStatus.APPLIED
    assert len(mail.outbox) == 1


def test_a_stale_request_changes_nothing(world, phone, desk):
    request = _barring_request(world, phone, open_international=True)
    phone.open_international = True
    phone.save()
    with pytest.raises(ValidationError) as excinfo:
        services.change_request_apply(actor=desk, request=request)
    assert excinfo.value.code == "stale"
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_the_kinds_hook_runs_inside_the_apply(world, phone, desk, monkeypatch):
    # The hook devices registers for BLOCK is put back afterwards (other tests need it).
    monkeypatch.setattr(services, "_APPLY_HOOKS", dict(services._APPLY_HOOKS))
    seen = []
    services.register_apply_hook(
        RequestKind.BLOCK, lambda *, actor, request, target: seen.append((actor, target.pk))
    )
    request = services.change_request_create(
        actor=world.people["employee"].user,
        kind=RequestKind.BLOCK,
        target=phone,
        changes={},
        forvaltning=world.vof,
        message="Telefonen stulen, polisanmälan 5000-K123456-26",
    )
    services.change_request_apply(actor=desk, request=request)
    assert seen == [(desk, phone.pk)]


def test_a_request_without_changes_or_message_is_refused(world, phone):
    with pytest.raises(ValidationError):
        services.change_request_create(
            actor=world.people["manager"].user,
            kind=RequestKind.SUBSCRIPTION,
            target=phone,
            changes={},
            forvaltning=world.vof,
        )
    assert not ChangeRequest.objects.exists()


def test_an_invalid_new_value_is_refused_before_anything_is_saved(world, phone):
    with pytest.raises(ValidationError):
        services.change_request_create(
            actor=world.people["manager"].user,
            kind=RequestKind.SUBSCRIPTION,
            target=phone,
            changes={"extension": {"old": "1000", "new": "12ab"}},
            forvaltning=world.vof,
        )
    assert not ChangeRequest.objects.exists()


def test_queue_shows_a_subscription_request_with_labels(matrix_client, world, phone):
    _barring_request(world, phone, open_international=True)
    response = matrix_client("telekundtjanst").get(QUEUE)
    html = response.content.decode()
    assert "Spärr" in html or "spärr" in html
    assert "019-21 10 00" in html  # the target, the Swedish way
    assert "Resa till Norge i tjänsten" in html
    (request,) = response.context["requests"]
    (row,) = request.rows
    assert (row.old, row.new) == ("Nej", "Ja")


# --- Cancel, quarantine, block ------------------------------------------------------------


def test_cancel_then_the_number_is_quarantined(world, phone, desk, set_guideline):
    set_guideline(number_quarantine_days=30)
    services.subscription_cancel(actor=desk, subscription=phone, reason="Slutat")
    phone.refresh_from_db()
    assert phone.status == "cancelled"
    assert phone.history.latest().history_change_reason == "Slutat"
    with pytest.raises(ValidationError) as excinfo:
        services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number="+4619211000",
            extension="1001",
            holder=world.people["colleague"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    assert "karantän" in excinfo.value.message_dict["number"][0]
    with pytest.raises(ValidationError):
        services.subscription_cancel(actor=desk, subscription=phone, reason="Igen")


def test_after_the_quarantine_the_number_may_be_reused(world, phone, desk, set_guideline):
    services.subscription_cancel(actor=desk, subscription=phone, reason="Slutat")
    set_guideline(number_quarantine_days=0)
    reused = services.subscription_create(
        actor=desk,
        kind=Kind.FIXED,
        number="+4619211000",
        extension="1001",
        holder=world.people["colleague"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )
    assert reused.pk != phone.pk


def test_block_is_immediate_and_idempotent(phone, desk):
    services.subscription_block(actor=desk, subscription=phone, reason="Stöld")
    phone.refresh_from_db()
    assert phone.status == "blocked" and phone.blocked_at is not None
    blocked_at = phone.blocked_at
    services.subscription_block(actor=desk, subscription=phone, reason="Stöld")
    phone.refresh_from_db()
    assert phone.blocked_at == blocked_at
    assert phone.history.count() == 2
