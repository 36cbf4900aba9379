"""SUB-5, X-3: "Säg upp" and "Lämna över" as one action each, and their pages."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from common.roles import Role
from compliance.models import Flag
from devices import services as device_services
from devices.choices import DeviceStatus, ItemKind
from devices.models import CatalogueItem, Device
from organisation.leavers import person_mark_left
from subscriptions import services
from subscriptions.choices import Kind, RequestKind, RequestStatus, Status
from subscriptions.models import ChangeRequest, Subscription
from tests.conftest import statuses
from tests.factories import person_with_user

IMEI = "490154203237518"
# Who may end Anna's mobile: her unit's manager (Hemtjänst Norr, above grupp 1), the
# budget-responsible manager of cost centre 4100 and Tele kundtjänst (the telesamordnare
# of her förvaltning too: tested below, the matrix has one of another förvaltning).
MAY_END = statuses(403, manager=302, budgetchef=302, telekundtjanst=302)
PAGE = statuses(403, employee=200, manager=200, forvaltningschef=200, budgetchef=200) | {
    "telekundtjanst": 200
}


def open_x_3(subscription):
    return Flag.objects.filter(
        rule="X-3",
        content_type=ContentType.objects.get_for_model(Subscription),
        object_id=subscription.pk,
        resolved_at=None,
    ).exists()


@pytest.fixture
def mobile(world, desk):
    return services.subscription_create(
        actor=desk,
        kind=Kind.MOBILE,
        number="+46701234567",
        holder=world.people["employee"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )


@pytest.fixture
def device(world, desk, mobile):
    model = CatalogueItem.objects.create(name="Mobil Standard", kind=ItemKind.PHONE, price=2490)
    return device_services.device_create(
        actor=desk,
        model=model,
        imei=IMEI,
        holder=world.people["employee"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
        subscription=mobile,
    )


def test_sub_5_cancelling_quarantines_queues_and_returns_the_phone(world, desk, mobile, device):
    budget = world.people["budgetchef"].user
    services.subscription_end(actor=budget, subscription=mobile, reason="Ingen trafik")
    mobile.refresh_from_db()
    assert (mobile.status, mobile.cancelled_on) == (Status.CANCELLED, timezone.localdate())
    history = mobile.history.first()
    assert history.history_user == budget and "Ingen trafik" in history.history_change_reason
    # The operator's cancellation waits in Tele kundtjänst's queue.
    request = ChangeRequest.objects.get(kind=RequestKind.CANCELLATION, object_id=mobile.pk)
    assert request.status == RequestStatus.PENDING and "070-123 45 67" in request.message
    assert request.forvaltning == world.vof and request.requested_by == budget
    # The phone is back in stock, with history.
    device.refresh_from_db()
    assert (device.status, device.holder, device.subscription) == (
        DeviceStatus.IN_STOCK,
        None,
        None,
    )
    assert device.history.first().history_user == budget
    # The number rests in quarantine.
    with pytest.raises(ValidationError) as caught:
        services.subscription_create(
            actor=desk,
            kind=Kind.MOBILE,
            number="+46701234567",
            holder=world.people["colleague"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    assert "karantän" in caught.value.message_dict["number"][0]
    with pytest.raises(ValidationError):
        services.subscription_end(actor=budget, subscription=mobile, reason="")


def test_x_3_hand_over_changes_holder_unit_and_cost_centre_and_tells_both(
    world, desk, mobile, device, django_capture_on_commit_callbacks
):
    anna, bo = world.people["employee"], world.people["colleague"]
    anna.email, bo.email = "anna@example.se", "bo@example.se"
    anna.save()
    bo.save()
    with django_capture_on_commit_callbacks(execute=True):
        person_mark_left(actor=desk, person=anna, reason="Slutat")
    assert open_x_3(mobile)
    manager = world.people["manager"].user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_hand_over(
            actor=manager,
            subscription=mobile,
            holder=bo,
            unit=world.hemtjanst,
            cost_centre=None,
            reason="Anna har slutat",
        )
    mobile.refresh_from_db()
    assert (mobile.holder, mobile.unit, mobile.cost_centre) == (
        bo,
        world.hemtjanst,
        world.cost_centre,
    )
    assert mobile.history.first().history_user == manager
    assert mobile.history.first().history_change_reason == "Överlämnat: Anna har slutat"
    device.refresh_from_db()
    assert (device.holder, device.unit) == (bo, world.hemtjanst)
    assert not open_x_3(mobile)
    to = {message.to[0]: message for message in mail.outbox}
    assert "070-123 45 67" in to["bo@example.se"].subject
    assert bo.full_name in to["anna@example.se"].body


def test_a_protected_new_holder_is_not_named_to_the_previous_one(
    world, desk, mobile, django_capture_on_commit_callbacks
):
    anna, bo = world.people["employee"], world.people["colleague"]
    anna.email = "anna@example.se"
    anna.save()
    bo.protected_identity = True
    bo.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_hand_over(actor=desk, subscription=mobile, holder=bo)
    (message,) = [m for m in mail.outbox if m.to == ["anna@example.se"]]
    assert bo.last_name not in message.body and "Skyddad identitet" in message.body


def test_hand_over_refusals(world, desk, mobile):
    anna = world.people["employee"]
    with pytest.raises(ValidationError):
        services.subscription_hand_over(actor=desk, subscription=mobile, holder=anna)
    gone = world.people["colleague"]
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError):
        services.subscription_hand_over(actor=desk, subscription=mobile, holder=gone)
    assert Subscription.objects.get(pk=mobile.pk).holder == anna


@pytest.mark.parametrize("who, status", MAY_END.items())
def test_end_page(matrix_client, world, mobile, device, who, status):
    url = reverse("subscriptions:subscription_end", args=[mobile.pk])
    response = matrix_client(who).post(url, {"reason": "", "confirm": "on"})
    assert response.status_code == status
    cancelled = Subscription.objects.get(pk=mobile.pk).status == Status.CANCELLED
    assert cancelled is (status == 302 and who != "anonymous")
    assert Device.objects.get(pk=device.pk).status == (
        DeviceStatus.IN_STOCK if cancelled else DeviceStatus.IN_USE
    )


def test_end_page_needs_the_confirmation(matrix_client, mobile):
    url = reverse("subscriptions:subscription_end", args=[mobile.pk])
    response = matrix_client("telekundtjanst").post(url, {"reason": "x"})
    assert response.status_code == 200 and "obligatoriskt" in response.content.decode()
    assert Subscription.objects.get(pk=mobile.pk).status == Status.ACTIVE


@pytest.mark.parametrize("who, status", MAY_END.items())
def test_hand_over_page(matrix_client, world, mobile, who, status):
    bo = world.people["colleague"]
    url = reverse("subscriptions:subscription_hand_over", args=[mobile.pk])
    response = matrix_client(who).post(url, {"holder": bo.pk, "unit": "", "cost_centre": ""})
    assert response.status_code == status
    handed = Subscription.objects.get(pk=mobile.pk).holder == bo
    assert handed is (status == 302 and who != "anonymous")


@pytest.mark.parametrize("who, status", PAGE.items())
def test_subscription_page(matrix_client, world, mobile, who, status):
    response = matrix_client(who).get(
        reverse("subscriptions:subscription_detail", args=[mobile.pk])
    )
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "070-123 45 67" in body
        end = reverse("subscriptions:subscription_end", args=[mobile.pk])
        assert (end in body) is (MAY_END[who] == 302)


def test_a_protected_holders_phone_is_404_outside_the_circle(matrix_client, world, mobile):
    anna = world.people["employee"]
    anna.protected_identity = True
    anna.save()
    url = reverse("subscriptions:subscription_detail", args=[mobile.pk])
    assert matrix_client("outsider").get(url).status_code == 404
    body = matrix_client("budgetchef").get(url).content.decode()
    assert "Östlund" not in body and "Skyddad identitet" in body


def test_the_telesamordnare_of_the_forvaltning_may_end(client, world, mobile):
    tsam = person_with_user(unit=world.hemtjanst, roles=[Role.TELESAMORDNARE], title="Tsam")
    world.vof.telesamordnare.add(tsam)
    client.force_login(tsam.user)
    response = client.post(
        reverse("subscriptions:subscription_end", args=[mobile.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    assert Subscription.objects.get(pk=mobile.pk).status == Status.CANCELLED


def test_the_x_3_flag_links_the_subscription_page(
    matrix_client, world, desk, mobile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person_mark_left(actor=desk, person=world.people["employee"], reason="Slutat")
    body = matrix_client("telekundtjanst").get(reverse("compliance:rule", args=["X-3"])).content
    page = reverse("subscriptions:subscription_detail", args=[mobile.pk])
    assert page in body.decode()
    detail = matrix_client("budgetchef").get(page).content.decode()
    assert reverse("subscriptions:subscription_hand_over", args=[mobile.pk]) in detail


def test_the_queue_entry_is_applied_by_tele_kundtjanst(world, desk, mobile):
    services.subscription_end(actor=desk, subscription=mobile, reason="")
    request = ChangeRequest.objects.get(kind=RequestKind.CANCELLATION)
    services.change_request_apply(actor=desk, request=request)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.APPLIED, desk)
