"""Issue 16.6, as Tele kundtjänst and the requesters saw it: identical requests piled up
in the queue (16 for one phone), a save that changed nothing wrote a history row, and a
box marked listened twice wrote two rows."""

import threading
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse

from devices import services
from devices.choices import LossKind
from devices.models import Device
from subscriptions import services as subscription_services
from subscriptions.choices import RequestKind, RequestStatus
from subscriptions.models import ChangeRequest
from tests.factories import CostCentreFactory
from tests.services import require_postgresql
from tests.voicemail.conftest import make_box
from voicemail import services as voicemail_services
from voicemail.choices import Source
from voicemail.models import Listening

BARRING = {"open_international": "on", "reason": "Tjänsteresa"}


def _barring_requests(subscription):
    return ChangeRequest.objects.filter(
        kind=RequestKind.BARRING, object_id=subscription.pk, status=RequestStatus.PENDING
    )


def test_the_same_barring_change_twice_is_refused_with_a_link_to_the_waiting_one(as_user, mobile):
    client = as_user("budgetchef")
    url = reverse("devices:barring", args=[mobile.pk])
    assert client.post(url, BARRING).status_code == 302
    # The same change again, with other words: still the same request.
    response = client.post(url, BARRING | {"reason": "Resa till Oslo"})
    assert response.status_code == 200
    (waiting,) = _barring_requests(mobile)
    body = response.content.decode()
    assert "Samma begäran väntar redan hos Tele kundtjänst" in body
    assert f'<a href="{url}#request-{waiting.pk}">begäran #{waiting.pk}</a>' in body
    assert f'id="request-{waiting.pk}"' in body  # the link's target is on the page


def test_a_different_barring_change_is_queued_and_a_decided_one_can_be_asked_again(
    world, mobile, desk
):
    budget = world.people["budgetchef"].user
    first = services.barring_change_request(
        actor=budget, subscription=mobile, values={"open_international": True}, reason="Resa"
    )
    services.barring_change_request(
        actor=budget, subscription=mobile, values={"open_premium": True}, reason="TV"
    )
    assert _barring_requests(mobile).count() == 2
    subscription_services.change_request_reject(actor=desk, request=first, reason="Nej")
    again = services.barring_change_request(
        actor=budget, subscription=mobile, values={"open_international": True}, reason="Resa"
    )
    assert again.pk != first.pk and _barring_requests(mobile).count() == 2


def test_the_same_device_move_twice_is_refused(world, device, as_user):
    other = CostCentreFactory(code="4200", name="Hemtjänst Syd", unit=world.hemtjanst)
    tsam = world.people["manager"].user
    first = services.device_cost_centre_request(actor=tsam, device=device, cost_centre=other)
    with pytest.raises(ValidationError) as refused:
        services.device_cost_centre_request(
            actor=tsam, device=device, cost_centre=other, message="Snälla"
        )
    assert refused.value.waiting == first
    assert f"begäran #{first.pk}" in refused.value.messages[0]
    link = reverse("devices:device_detail", args=[device.pk]) + f"#request-{first.pk}"
    assert f'<a href="{link}">' in refused.value.messages[0]
    assert ChangeRequest.objects.filter(kind=RequestKind.DEVICE).count() == 1
    page = as_user("telesamordnare").get(link).content.decode()
    assert f'<li id="request-{first.pk}">Begäran #{first.pk} från' in page


def test_a_second_loss_report_joins_the_operator_block_that_waits(world, device):
    anna = world.people["employee"].user
    first = services.loss_report_create(actor=anna, device=device, kind=LossKind.LOST)
    second = services.loss_report_create(
        actor=anna, device=Device.objects.get(pk=device.pk), kind=LossKind.LOST
    )
    assert second.block_request == first.block_request
    assert ChangeRequest.objects.filter(kind=RequestKind.BLOCK).count() == 1


def test_the_same_entry_change_twice_is_refused(world):
    anna = world.people["employee"]
    subscription_services.entry_change_request_create(
        actor=anna.user, person=anna, new_values={"room": "B 204"}
    )
    with pytest.raises(ValidationError) as refused:
        subscription_services.entry_change_request_create(
            actor=anna.user, person=anna, new_values={"room": "B 204"}
        )
    assert reverse("subscriptions:my_entry") in refused.value.messages[0]
    # A different change still replaces the waiting one, as before.
    subscription_services.entry_change_request_create(
        actor=anna.user, person=anna, new_values={"room": "B 205"}
    )
    pending = ChangeRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(anna), status=RequestStatus.PENDING
    )
    assert [r.changes["room"]["new"] for r in pending] == ["B 205"]


@pytest.fixture
def two_at_once(transactional_db):
    require_postgresql()


def test_two_identical_barring_requests_at_the_same_moment_make_one(two_at_once, world, mobile):
    """PostgreSQL, real connections: both pass the check at once; the constraint keeps one
    and the other is told which one waits."""
    budget = world.people["budgetchef"].user
    barrier = threading.Barrier(2)
    outcomes = []

    def ask():
        try:
            barrier.wait(timeout=10)
            services.barring_change_request(
                actor=budget, subscription=mobile, values={"open_premium": True}, reason="TV"
            )
            outcomes.append("queued")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    (waiting,) = _barring_requests(mobile)
    assert sorted(outcomes)[1] == "queued", outcomes
    assert f"begäran #{waiting.pk}" in sorted(outcomes)[0]


# --- A save that changes nothing ----------------------------------------------------------


def _device_data(device):
    return {
        "model": device.model_id,
        "imei": device.imei,
        "serial_number": device.serial_number,
        "theft_mark": device.theft_mark,
        "holder": device.holder_id,
        "function_name": device.function_name,
        "unit": device.unit_id,
        "cost_centre": device.cost_centre_id,
        "subscription": device.subscription_id,
        "status": device.status,
    }


def test_saving_a_device_unchanged_writes_no_history_and_says_inget_andrades(as_user, device):
    before = device.history.count()
    url = reverse("devices:device_edit", args=[device.pk])
    response = as_user("telekundtjanst").post(url, _device_data(device), follow=True)
    assert "Inget ändrades." in response.content.decode()
    assert device.history.count() == before
    response = as_user("telekundtjanst").post(
        url, _device_data(device) | {"serial_number": "SN-2"}, follow=True
    )
    assert "Telefonen sparades." in response.content.decode()
    assert device.history.count() == before + 1


# --- One listening per box and day ---------------------------------------------------------


@pytest.fixture
def box(world, clock):
    from tests.conftest import phone

    anna = world.people["employee"]
    return make_box(world, phone(world, holder=anna, number="+4619211000", extension="1100"))


def test_marking_a_box_listened_twice_a_day_writes_one_row(box, world, client):
    client.force_login(world.people["employee"].user)
    url = reverse("voicemail:listen", args=[box.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert Listening.objects.filter(box=box).count() == 1
    assert "redan markerad som avlyssnad i dag" in response.content.decode()


def test_the_switchboard_reports_the_same_day_again_one_row_stays(box, world):
    first, created = voicemail_services.listening_event(actor=None, event_id="e1", number="1100")
    again, created_again = voicemail_services.listening_event(
        actor=None, event_id="e2", number="1100"
    )
    assert (created, created_again) == (True, False) and again == first
    assert Listening.objects.filter(box=box, listened_on=date(2026, 12, 1)).count() == 1


def test_the_database_refuses_a_second_listening_of_the_day(box):
    voicemail_services.box_listen(actor=None, box=box, source=Source.BOX_PAGE)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Listening.objects.create(
            box=box,
            listened_at=box.switched_on_at,
            listened_on=date(2026, 12, 1),
            source=Source.BOX_PAGE,
        )


def test_saving_a_reserve_plan_unchanged_writes_no_history_and_says_inget_andrades(
    matrix_client, world
):
    url = reverse("organisation:unit_readiness", args=[world.grupp.pk])
    plan = {
        "reserve_plan": "Laddade mobiler i receptionen.",
        "reserve_plan_updated_on": "2026-10-01",
        "staff_trained_on": "2026-09-15",
    }
    client = matrix_client("manager")
    client.post(url, plan)
    before = world.grupp.history.count()
    response = client.post(url, plan, follow=True)
    assert "Inget ändrades." in response.content.decode()
    assert world.grupp.history.count() == before
