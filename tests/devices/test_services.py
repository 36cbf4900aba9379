"""The rules of devices, catalogue and orders at the service level (real database)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from devices import services
from devices.choices import (
    DeviceStatus,
    LossKind,
    MobileReason,
    OrderKind,
    OrderStatus,
    SplitInvoiceStatus,
)
from devices.models import Device, LossReport, Order, PinView, SimCard
from devices.validators import luhn_valid, validate_iccid, validate_imei
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, RequestKind, RequestStatus, Status
from subscriptions.models import ChangeRequest, Subscription
from tests.devices.conftest import ICCID, ICCID_19, IMEI, IMEI_2
from tests.factories import CostCentreFactory, person_with_user

# --- validators ---------------------------------------------------------------------------


def test_dev_3_luhn():
    assert luhn_valid(IMEI) and luhn_valid(IMEI_2)
    assert not luhn_valid(IMEI[:-1] + "9")


@pytest.mark.parametrize(
    "value, code",
    [
        ("490154203237519", "imei_check_digit"),
        ("49015420323751", "imei_format"),
        ("4901542032375180", "imei_format"),
        ("49015420323751x", "imei_format"),
        ("４９０１５４２０３２３７５１８", "imei_format"),  # full-width digits
    ],
)
def test_dev_3_bad_imei_is_refused(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_imei(value)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    "value, code",
    [
        ("89460100001234567895", "iccid_check_digit"),
        ("79460100001234567896", "iccid_prefix"),
        ("894601000012345678", "iccid_format"),
    ],
)
def test_dev_5_bad_iccid_is_refused(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_iccid(value)
    assert excinfo.value.code == code


def test_dev_5_iccid_19_and_20_digits_are_valid():
    validate_iccid(ICCID)
    validate_iccid(ICCID_19)


# --- inventory ----------------------------------------------------------------------------


def test_dev_3_device_with_wrong_check_digit_is_not_saved(world, desk, items):
    with pytest.raises(ValidationError) as excinfo:
        services.device_create(
            actor=desk,
            model=items["phone"],
            imei="490154203237519",
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    assert "imei" in excinfo.value.message_dict
    assert not Device.objects.exists()


def test_dev_3_duplicate_imei_is_refused(device, world, desk, items):
    with pytest.raises(ValidationError) as excinfo:
        services.device_create(
            actor=desk,
            model=items["phone"],
            imei=IMEI,
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    assert excinfo.value.message_dict["imei"] == [
        "En telefon med detta IMEI finns redan i inventariet."
    ]
    assert Device.objects.count() == 1


def test_dev_3_duplicate_imei_refused_by_the_database(device, world, items):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(
            model=items["phone"], imei=IMEI, unit=world.grupp, cost_centre=world.cost_centre
        )


def test_dev_3_devices_without_imei_do_not_clash(world, desk, items):
    for _ in range(2):
        services.device_create(
            actor=desk, model=items["phone"], unit=world.grupp, cost_centre=world.cost_centre
        )
    assert Device.objects.filter(imei__isnull=True).count() == 2


def test_dev_4_cost_centre_change_is_a_change_request(device, world, tsam, desk):
    other = CostCentreFactory(code="4200", unit=world.grupp, budget_manager=tsam)
    request = services.device_cost_centre_request(
        actor=tsam.user, device=device, cost_centre=other, message="Flyttas till grupp 1"
    )
    assert request.kind == RequestKind.DEVICE
    assert request.changes == {"cost_centre": {"old": world.cost_centre.pk, "new": other.pk}}
    device.refresh_from_db()
    assert device.cost_centre == world.cost_centre  # nothing until applied
    subscription_services.change_request_apply(actor=desk, request=request)
    device.refresh_from_db()
    assert device.cost_centre == other
    assert device.history.latest().history_change_reason == f"Ändringsbegäran nr {request.pk}"


def test_dev_4_cost_centre_outside_forvaltning_is_refused(device, world, tsam):
    other = CostCentreFactory(code="5100", unit=world.bibliotek, budget_manager=tsam)
    with pytest.raises(ValidationError):
        services.device_cost_centre_request(actor=tsam.user, device=device, cost_centre=other)
    assert not ChangeRequest.objects.exists()


def test_dev_4_device_update_refuses_cost_centre(device, desk, world):
    with pytest.raises(ValueError):
        services.device_update(actor=desk, device=device, cost_centre=world.cost_centre)


def test_dev_5_sim_card_and_duplicate_iccid(device, mobile, desk):
    sim = services.sim_create(
        actor=desk, iccid=ICCID, subscription=mobile, device=device, pin="1234", puk="12345678"
    )
    assert sim.device == device
    with pytest.raises(ValidationError) as excinfo:
        services.sim_create(
            actor=desk, iccid=ICCID, subscription=mobile, device=device, pin="1234", puk="12345678"
        )
    assert "iccid" in excinfo.value.message_dict
    assert SimCard.objects.count() == 1
    # PIN and PUK are not copied into the history tables.
    assert not hasattr(sim.history.latest(), "pin")


def test_dev_5_pin_view_is_logged(device, mobile, desk):
    sim = services.sim_create(
        actor=desk, iccid=ICCID, subscription=mobile, device=device, pin="1234", puk="12345678"
    )
    services.sim_pin_view(actor=desk, sim=sim)
    view = PinView.objects.get()
    assert (view.sim, view.viewed_by) == (sim, desk)


# --- orders -------------------------------------------------------------------------------


def _order(world, tsam, items, **fields):
    values = {
        "unit": world.grupp,
        "cost_centre": world.cost_centre,
        "kind": OrderKind.SUBSCRIPTION,
        "subscription_kind": Kind.MOBILE,
        "holder": world.people["employee"],
        "reason": MobileReason.REACHABLE,
        "item": items["phone"],
    } | fields
    return services.order_create(actor=tsam.user, **values)


def _accessory(items):
    """The fields of an accessory order (no subscription, no approval)."""
    return {
        "kind": OrderKind.ACCESSORY,
        "item": items["accessory"],
        "subscription_kind": "",
        "holder": None,
        "reason": "",
    }


def test_dev_2_only_own_forvaltning(world, items):
    other = world.people["telesamordnare_other"]
    with pytest.raises(ValidationError) as excinfo:
        _order(world, other, items)
    assert excinfo.value.message_dict["unit"] == ["Du kan bara beställa för din egen förvaltning."]
    assert not Order.objects.exists()


def test_dev_2_a_non_telesamordnare_cannot_order(world, items):
    with pytest.raises(ValidationError):
        _order(world, world.people["manager"], items)
    assert not Order.objects.exists()


def test_dev_2_item_no_longer_orderable(world, tsam, items):
    with pytest.raises(ValidationError) as excinfo:
        _order(world, tsam, items, item=items["old"])
    assert "item" in excinfo.value.message_dict
    assert not Order.objects.exists()


def test_dev_2_item_withdrawn_after_the_draft_cannot_be_sent(world, tsam, items):
    order = _order(world, tsam, items, **_accessory(items))
    items["accessory"].is_orderable = False
    items["accessory"].save()
    with pytest.raises(ValidationError):
        order = services.order_submit(actor=tsam.user, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_sub_2_an_item_withdrawn_before_approval_stops_the_approval(world, tsam, items):
    """Issue 19.8: the approval sends the order on, so an item that can no longer be
    ordered is refused at approval (the approver rejects it instead), and nothing moves."""
    order = services.order_submit(actor=tsam.user, order=_order(world, tsam, items))
    items["phone"].is_orderable = False
    items["phone"].save()
    with pytest.raises(ValidationError) as excinfo:
        services.order_approve(actor=world.people["manager"].user, order=order)
    assert "Mobil Standard" in excinfo.value.messages[0]
    order.refresh_from_db()
    assert (order.status, order.approved_by) == (OrderStatus.AWAITING_APPROVAL, None)


def test_dev_2_an_order_saved_with_send_goes_the_whole_way_in_one_step(
    world, tsam, items, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 19.8: "Send" on the form is the draft and order_submit in one step: a mobile
    order waits for the enhetschef, an accessory goes to Tele kundtjänst."""
    world.people["manager"].email = "chef@kommun.example"
    world.people["manager"].save()
    with django_capture_on_commit_callbacks(execute=True):
        mobile = _order(world, tsam, items, send=True)
        accessory = _order(
            world,
            tsam,
            items,
            kind=OrderKind.ACCESSORY,
            item=items["accessory"],
            subscription_kind="",
            holder=None,
            reason="",
            send=True,
        )
    assert mobile.status == OrderStatus.AWAITING_APPROVAL
    assert accessory.status == OrderStatus.SENT
    assert [h.status for h in mobile.history.order_by("history_date")] == ["draft", "awaiting"]
    desk = ["tele.kundtjanst@kommun.example"]
    assert [m.to for m in mailoutbox] == [["chef@kommun.example"], desk]


def test_sub_2_mex_or_mobile_needs_one_of_the_reasons(world, tsam, items):
    with pytest.raises(ValidationError) as excinfo:
        _order(world, tsam, items, reason="")
    assert "reason" in excinfo.value.message_dict
    assert not Order.objects.exists()


def test_dev_2_cost_centre_and_holder_in_own_forvaltning(world, tsam, items):
    foreign_cc = CostCentreFactory(code="5100", unit=world.bibliotek, budget_manager=tsam)
    with pytest.raises(ValidationError) as excinfo:
        _order(world, tsam, items, cost_centre=foreign_cc, holder=world.people["outsider"])
    assert set(excinfo.value.message_dict) >= {"cost_centre", "holder"}


def test_dev_2_fault_report_needs_a_description(world, tsam, items, device):
    with pytest.raises(ValidationError) as excinfo:
        _order(
            world,
            tsam,
            items,
            kind=OrderKind.FAULT,
            item=None,
            subscription_kind="",
            holder=None,
            reason="",
            device=device,
        )
    assert "description" in excinfo.value.message_dict
    order = _order(
        world,
        tsam,
        items,
        kind=OrderKind.FAULT,
        item=None,
        subscription_kind="",
        holder=None,
        reason="",
        device=device,
        description="Skärmen är sprucken",
    )
    order = services.order_submit(actor=tsam.user, order=order)
    assert order.status == OrderStatus.SENT


def test_sub_2_mobile_order_flow_with_enhetschef_and_delivery(
    world, tsam, items, desk, django_capture_on_commit_callbacks
):
    manager = world.people["manager"]
    manager.email = "chef@kommun.example"
    manager.save()
    tsam.email = "tsam@kommun.example"
    tsam.save()
    order = _order(world, tsam, items)
    assert order.status == OrderStatus.DRAFT and order.forvaltning == world.vof
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_submit(actor=tsam.user, order=order)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert mail.outbox[-1].to == ["chef@kommun.example"]
    # Swedish, from devices/email/order*.txt: the subject, the facts and the link.
    assert mail.outbox[-1].subject == f"Beställning nr {order.pk} väntar på ditt godkännande"
    body = mail.outbox[-1].body
    assert body.startswith(f"Beställning nr {order.pk} väntar på ditt godkännande\n\n")
    with translation.override("sv"):
        facts = (
            f"Beställning: {order.get_kind_display()} till {order.for_whom or order.unit.name}, "
            f"{order.unit.name}.\nStatus: {order.get_status_display()}.\n\n"
        )
    assert facts in body
    assert body.endswith(
        "https://telefoni.test" + reverse("devices:order_detail", args=[order.pk]) + "\n"
    )
    # Issue 19.8: the approval sends the order on; the telesamordnare is only told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_approve(actor=manager.user, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT and order.approved_by == manager.user
    assert order.sent_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["tele.kundtjanst@kommun.example"], f"Ny beställning nr {order.pk}"),
        (
            ["tsam@kommun.example"],
            f"Beställning nr {order.pk} är godkänd och skickad till Tele kundtjänst",
        ),
    ]
    assert "Status: Skickad till Tele kundtjänst." in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_deliver(
            actor=desk,
            order=order,
            number="070-111 22 33",
            imei=IMEI,
            iccid=ICCID,
            pin="1234",
            puk="12345678",
        )
    assert order.status == OrderStatus.DELIVERED
    assert mail.outbox[-1].to == ["tsam@kommun.example"]
    subscription = order.created_subscription
    assert (subscription.number, subscription.cost_centre) == ("+46701112233", world.cost_centre)
    assert subscription.holder == world.people["employee"]
    device = order.created_device
    assert (device.imei, device.cost_centre, device.subscription) == (
        IMEI,
        world.cost_centre,
        subscription,
    )
    assert SimCard.objects.get().device == device
    assert [h.status for h in order.history.order_by("history_date")] == [
        "draft",
        "awaiting",
        "approved",
        "sent",
        "delivered",
    ]


def test_sub_3_elected_officials_subscription_needs_ks_ordforande(world, tsam, items):
    official = person_with_user(
        unit=world.grupp, username="politiker", title="Ledamot", kind="elected"
    )
    order = _order(world, tsam, items, holder=official, subscription_kind=Kind.FIXED, reason="")
    order = services.order_submit(actor=tsam.user, order=order)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    from devices import permissions

    assert permissions.approval_by(order) == "ksordforande"
    assert not permissions.can_approve_order(world.people["manager"].user, order)
    assert permissions.can_approve_order(world.people["ksordforande"].user, order)
    order = services.order_approve(actor=world.people["ksordforande"].user, order=order)
    assert order.status == OrderStatus.SENT
    assert order.approved_by == world.people["ksordforande"].user


def test_dev_2_fixed_phone_goes_straight_to_tele_kundtjanst(world, tsam, items, desk):
    order = _order(world, tsam, items, subscription_kind=Kind.FIXED, reason="", item=None)
    order = services.order_submit(actor=tsam.user, order=order)
    assert order.status == OrderStatus.SENT
    with pytest.raises(ValidationError) as excinfo:
        services.order_deliver(actor=desk, order=order, number="019-21 15 55")
    assert "extension" in excinfo.value.message_dict
    order = services.order_deliver(actor=desk, order=order, number="019-21 15 55", extension="1555")
    assert order.created_subscription.extension == "1555"
    assert order.created_device is None


def test_dev_2_delivery_with_a_bad_imei_saves_nothing(world, tsam, items, desk):
    order = _order(world, tsam, items, subscription_kind=Kind.FIXED, reason="")
    order = services.order_submit(actor=tsam.user, order=order)
    with pytest.raises(ValidationError):
        services.order_deliver(
            actor=desk,
            order=order,
            number="019-21 15 55",
            extension="1555",
            imei="490154203237519",
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert not Subscription.objects.exists() and not Device.objects.exists()


def test_dev_2_rejected_with_a_reason(world, tsam, items, desk):
    order = _order(world, tsam, items, **_accessory(items))
    order = services.order_submit(actor=tsam.user, order=order)
    with pytest.raises(ValidationError):
        services.order_reject(actor=desk, order=order, reason=" ")
    services.order_reject(actor=desk, order=order, reason="Finns i lager hos er")
    order.refresh_from_db()
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, "Finns i lager hos er")
    with pytest.raises(ValidationError):
        services.order_deliver(actor=desk, order=order)


# --- loss, theft, damage ------------------------------------------------------------------


def test_sub_7_theft_needs_police_report_number(device, world):
    with pytest.raises(ValidationError) as excinfo:
        services.loss_report_create(
            actor=world.people["employee"].user, device=device, kind=LossKind.STOLEN
        )
    assert "police_report_number" in excinfo.value.message_dict
    assert not LossReport.objects.exists()
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_USE


def test_sub_7_theft_blocks_at_once_and_asks_for_operator_block(
    device, mobile, world, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.loss_report_create(
            actor=world.people["employee"].user,
            device=device,
            kind=LossKind.STOLEN,
            police_report_number="5000-K123456-26",
        )
    device.refresh_from_db()
    mobile.refresh_from_db()
    assert device.status == DeviceStatus.STOLEN and device.blocked_at is not None
    assert mobile.status == Status.BLOCKED
    request = report.block_request
    assert (request.kind, request.status, request.object_id) == (
        RequestKind.BLOCK,
        RequestStatus.PENDING,
        mobile.pk,
    )
    assert mail.outbox[-1].to == ["tele.kundtjanst@kommun.example"]
    subscription_services.change_request_apply(actor=desk, request=request)
    report.refresh_from_db()
    assert report.operator_block_confirmed_at is not None


def test_sub_7_damage_marks_broken_without_blocking(device, mobile, world):
    services.loss_report_create(
        actor=world.people["employee"].user, device=device, kind=LossKind.DAMAGED
    )
    device.refresh_from_db()
    mobile.refresh_from_db()
    assert device.status == DeviceStatus.BROKEN
    assert mobile.status == Status.ACTIVE
    assert not ChangeRequest.objects.exists()


# --- barring ------------------------------------------------------------------------------


def test_bar_2_barring_change_is_a_request_kept_with_its_reason(mobile, world, desk):
    budget = world.people["budgetchef"].user
    request = services.barring_change_request(
        actor=budget,
        subscription=mobile,
        values={"open_international": True},
        reason="Tjänsteresa till Oslo",
    )
    assert request.kind == RequestKind.BARRING
    assert request.message == "Tjänsteresa till Oslo"
    mobile.refresh_from_db()
    assert mobile.open_international is False
    subscription_services.change_request_apply(actor=desk, request=request)
    mobile.refresh_from_db()
    assert mobile.open_international is True
    from devices.selectors import barring_requests

    assert [(r.status, r.message) for r in barring_requests(mobile)] == [
        (RequestStatus.APPLIED, "Tjänsteresa till Oslo")
    ]


def test_bar_2_barring_change_needs_a_reason_and_a_change(mobile, world):
    budget = world.people["budgetchef"].user
    with pytest.raises(ValidationError):
        services.barring_change_request(
            actor=budget, subscription=mobile, values={"open_international": True}, reason=""
        )
    with pytest.raises(ValidationError):
        services.barring_change_request(
            actor=budget, subscription=mobile, values={"open_international": False}, reason="x"
        )
    assert not ChangeRequest.objects.exists()


# --- delad faktura ------------------------------------------------------------------------


def test_sub_6_split_invoice_flow(mobile, world, desk, django_capture_on_commit_callbacks):
    anna = world.people["employee"].user
    split = services.split_invoice_request(actor=anna, subscription=mobile)
    with pytest.raises(ValidationError):
        services.split_invoice_request(actor=anna, subscription=mobile)
    with pytest.raises(ValidationError):
        services.split_invoice_activate(actor=desk, split=split)  # not consented yet
    with django_capture_on_commit_callbacks(execute=True):
        split = services.split_invoice_consent(actor=world.people["manager"].user, split=split)
    assert mail.outbox[-1].to == ["tele.kundtjanst@kommun.example"]
    split = services.split_invoice_activate(actor=desk, split=split)
    assert split.status == SplitInvoiceStatus.ACTIVE
    with pytest.raises(ValidationError):
        services.split_invoice_end(actor=desk, split=split, reason="")
    split = services.split_invoice_end(actor=desk, split=split, reason="Missbruk")
    assert (split.status, split.end_reason) == (SplitInvoiceStatus.ENDED, "Missbruk")
    # Once ended, a new one may be asked for.
    services.split_invoice_request(actor=anna, subscription=mobile)
