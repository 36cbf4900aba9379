"""State changes of the catalogue, orders, inventory, SIM cards, loss reports, call
barring and delad faktura. Every function records who acted (simple-history)."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, QuerySet, When
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import note_history, save_with_history
from common.mail import mail_template_on_commit
from common.roles import Role
from common.users import Actor
from compliance.selectors import register_flag_objects
from compliance.services import SweepResult, raise_or_resolve
from organisation.leavers import person_left
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import format_number, parse_number
from organisation.permissions import is_telesamordnare_of
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, RequestKind, Status
from subscriptions.models import ChangeRequest, Subscription
from subscriptions.signals import subscription_cancelled, subscription_handed_over

from .choices import (
    BLOCKING_LOSSES,
    DeviceStatus,
    ItemKind,
    LossKind,
    OrderKind,
    OrderStatus,
    SplitInvoiceStatus,
)
from .models import (
    GONE,
    CatalogueItem,
    Device,
    LossReport,
    Order,
    PinView,
    SimCard,
    SplitInvoice,
)
from .permissions import approval_by

if TYPE_CHECKING:
    pass

# BAR-2: the categories a barring change may open or close.
BARRING_FIELDS = ("open_international", "open_premium", "open_directory_enquiry")


def _address(user_or_person: User | Person | None) -> str:
    if user_or_person is None:
        return ""
    email = getattr(user_or_person, "email", "")
    if email:
        return email
    person = getattr(user_or_person, "person", None)
    return getattr(person, "email", "") if person is not None else ""


def _link(obj: Order | LossReport | SplitInvoice) -> str:
    return settings.TELEFONI_SITE_URL + obj.get_absolute_url()


# --- catalogue (DEV-1) -------------------------------------------------------------------


@transaction.atomic
def catalogue_item_save(*, actor: Actor, item: CatalogueItem) -> CatalogueItem:
    """Create or update a catalogue item (Tele kundtjänst)."""
    created = item.pk is None
    item.full_clean()
    return save_with_history(
        item,
        actor=actor,
        reason=_("Catalogue item created") if created else _("Catalogue item changed"),
    )


# --- orders (DEV-2, SUB-2, SUB-3) --------------------------------------------------------


def _check_orderable(item: CatalogueItem | None) -> None:
    if item is not None and not item.is_orderable:
        raise ValidationError(
            {"item": _("“%(item)s” can no longer be ordered.") % {"item": item.name}}
        )


@transaction.atomic
def order_create(
    *,
    actor: User,
    unit: Unit,
    cost_centre: CostCentre,
    kind: str,
    send: bool = False,
    **fields: Any,
) -> Order:
    """An order of a telesamordnare for a unit of their own förvaltning: a draft, or with
    `send` saved and sent in one step (order_submit; issue 19.8)."""
    if not is_telesamordnare_of(actor, unit):
        raise ValidationError(
            {"unit": _("You can only order for your own förvaltning.")}, code="forvaltning"
        )
    forvaltning_id = unit.forvaltning_id
    assert forvaltning_id is not None  # a saved unit always has its förvaltning
    order = Order(
        ordered_by=actor,
        unit=unit,
        forvaltning_id=forvaltning_id,
        cost_centre=cost_centre,
        kind=kind,
        **fields,
    )
    errors: dict[str, str] = {}
    if cost_centre.unit.forvaltning_id != unit.forvaltning_id:
        errors["cost_centre"] = _("Choose a cost centre of your own förvaltning.")
    if order.holder is not None and order.holder.unit.forvaltning_id != unit.forvaltning_id:
        errors["holder"] = _("Choose a person in your own förvaltning.")
    if order.item is not None:
        expected = ItemKind.ACCESSORY if kind == OrderKind.ACCESSORY else ItemKind.PHONE
        if order.item.kind != expected:
            errors["item"] = _("Choose an item of the right kind from the catalogue.")
        elif not order.item.is_orderable:
            errors["item"] = _("“%(item)s” can no longer be ordered.") % {"item": order.item.name}
    if kind in (OrderKind.PHONE, OrderKind.ACCESSORY) and not order.item_id:
        errors["item"] = _("Choose an item from the catalogue.")
    if kind == OrderKind.SUBSCRIPTION:
        if not order.subscription_kind:
            errors["subscription_kind"] = _("Say what kind of subscription is ordered.")
        elif order.subscription_kind in (Kind.FUNCTION, Kind.GROUP):
            if not order.function_name or order.holder_id:
                errors["function_name"] = _(
                    "A function or group phone has a function and no holder."
                )
        elif not order.holder_id:
            errors["holder"] = _("Choose the person the subscription is for.")
        if order.subscription_kind in (Kind.MEX, Kind.MOBILE) and not order.reason:
            errors["reason"] = _(
                "A MEX or mobile phone needs one of the four reasons (the enhetschef decides)."
            )
    if kind == OrderKind.FAULT and not order.description.strip():
        errors["description"] = _("Describe the fault.")
    if order.device is not None and order.device.unit.forvaltning_id != unit.forvaltning_id:
        errors["device"] = _("Choose a device of your own förvaltning.")
    if errors:
        raise ValidationError(errors)
    order.full_clean()
    save_with_history(order, actor=actor, reason=_("Order created"))
    return order_submit(actor=actor, order=order) if send else order


def _locked(order: Order, *, expected: Sequence[str]) -> Order:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status not in expected:
        raise ValidationError(
            _("The order is %(status)s; this step is not possible now.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _approver_addresses(order: Order) -> list[str]:
    by = approval_by(order)
    if by == "ksordforande":
        return list(
            Person.objects.filter(user__groups__name=Role.KSORDFORANDE, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if by == "manager":
        unit = (
            Unit.objects.filter(pk__in=order.unit.ancestor_ids(), manager__isnull=False)
            .select_related("manager")
            .order_by("-depth")
            .first()
        )
        return [unit.manager.email] if unit and unit.manager else []
    return []


def _mail_order(order: Order, addresses: Iterable[str], event: str) -> None:
    """The e-mail of `event` (awaits_approval, sent, approved, rejected, delivered):
    devices/email/order.txt."""
    context = {
        "order": order,
        "event": event,
        "whom": order.for_whom or order.unit.name,
        "url": _link(order),
    }
    mail_template_on_commit(addresses, "devices/email/order", context)


def _send_to_desk(order: Order, *, actor: Actor) -> None:
    """The one way an order reaches Tele kundtjänst: status sent, history, their e-mail."""
    _check_orderable(order.item)
    order.status = OrderStatus.SENT
    order.sent_at = timezone.now()
    save_with_history(order, actor=actor, reason=_("Sent to Tele kundtjänst"))
    _mail_order(order, [settings.TELEFONI_SERVICE_DESK_EMAIL], "sent")


@transaction.atomic
def order_submit(*, actor: Actor, order: Order) -> Order:
    """Draft -> awaiting approval (MEX/mobile: the enhetschef; an elected official: the KS
    ordförande), or straight to Tele kundtjänst when no approval is needed."""
    order = _locked(order, expected=[OrderStatus.DRAFT])
    _check_orderable(order.item)
    if approval_by(order):
        order.status = OrderStatus.AWAITING_APPROVAL
        save_with_history(order, actor=actor, reason=_("Sent for approval"))
        _mail_order(order, _approver_addresses(order), "awaits_approval")
    else:
        _send_to_desk(order, actor=actor)
    return order


@transaction.atomic
def order_delete(*, actor: Actor, order: Order) -> None:
    """A telesamordnare throws away their draft; history keeps who deleted it."""
    order = _locked(order, expected=[OrderStatus.DRAFT])
    note_history(order, actor=actor, reason=_("Draft deleted"))
    order.delete()


@transaction.atomic
def order_approve(*, actor: Actor, order: Order) -> Order:
    """The approver's yes sends the order on to Tele kundtjänst at once (issue 19.8): the
    history keeps both steps, and the telesamordnare who ordered is told by e-mail. An item
    that can no longer be ordered stops the approval (the approver can reject instead)."""
    order = _locked(order, expected=[OrderStatus.AWAITING_APPROVAL])
    _check_orderable(order.item)
    order.status = OrderStatus.APPROVED
    order.approved_by = actor
    order.approved_at = timezone.now()
    save_with_history(order, actor=actor, reason=_("Approved"))
    _send_to_desk(order, actor=actor)
    _mail_order(order, [_address(order.ordered_by)], "approved")
    return order


@transaction.atomic
def order_send(*, actor: Actor, order: Order) -> Order:
    """Sends an order approved before approval sent orders on by itself (issue 19.8); no
    order reaches "approved" and stays there any more."""
    order = _locked(order, expected=[OrderStatus.APPROVED])
    _send_to_desk(order, actor=actor)
    return order


@transaction.atomic
def order_reject(*, actor: Actor, order: Order, reason: str | None) -> Order:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the order is rejected.")})
    order = _locked(order, expected=[OrderStatus.AWAITING_APPROVAL, OrderStatus.SENT])
    order.status = OrderStatus.REJECTED
    order.decided_by = actor
    order.rejection_reason = reason
    save_with_history(order, actor=actor, reason=reason)
    _mail_order(order, [_address(order.ordered_by)], "rejected")
    return order


def _delivers_device(order: Order) -> bool:
    return (
        order.item is not None
        and order.item.kind == ItemKind.PHONE
        and order.kind
        in (
            OrderKind.PHONE,
            OrderKind.SUBSCRIPTION,
        )
    )


@transaction.atomic
def order_deliver(
    *,
    actor: Actor,
    order: Order,
    number: str = "",
    extension: str | None = "",
    imei: str = "",
    serial_number: str = "",
    theft_mark: str = "",
    iccid: str = "",
    pin: str = "",
    puk: str = "",
) -> Order:
    """Tele kundtjänst delivers a sent order. A subscription order creates the
    subscription (with the number Tele kundtjänst gives it); an order with a phone creates
    the device; a SIM card is recorded when its ICCID is given. Everything is tied to the
    order's cost centre. Nothing is saved when anything is wrong."""
    order = _locked(order, expected=[OrderStatus.SENT])
    subscription = device = None
    if order.kind == OrderKind.SUBSCRIPTION:
        if not number:
            raise ValidationError({"number": _("Give the new subscription's number.")})
        try:
            e164 = parse_number(number)
        except ValidationError as exc:
            raise ValidationError({"number": exc.messages}) from exc
        extension = (extension or "").strip() or None
        if order.subscription_kind != Kind.MOBILE and not extension:
            raise ValidationError({"extension": _("Give the extension.")})
        try:
            subscription = subscription_services.subscription_create(
                actor=actor,
                reason=_("Order #%(pk)s delivered") % {"pk": order.pk},
                kind=order.subscription_kind,
                number=e164,
                extension=extension,
                holder=order.holder,
                function_name=order.function_name,
                unit=order.unit,
                cost_centre=order.cost_centre,
                **(
                    {"voice_message_to": "kundtjanst"}
                    if order.subscription_kind == Kind.GROUP
                    else {}
                ),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {
                        k if k in ("number", "extension") else "number": v
                        for k, v in exc.error_dict.items()
                    }
                ) from exc
            raise ValidationError({"number": exc.messages}) from exc
    if _delivers_device(order):
        device = device_create(
            actor=actor,
            reason=_("Order #%(pk)s delivered") % {"pk": order.pk},
            model=order.item,
            imei=imei or None,
            serial_number=serial_number,
            theft_mark=theft_mark,
            holder=order.holder if order.holder_id and not order.function_name else None,
            function_name=order.function_name,
            unit=order.unit,
            cost_centre=order.cost_centre,
            subscription=subscription,
            status=DeviceStatus.IN_USE,
        )
    if iccid:
        target = subscription or (device.subscription if device else None)
        if target is None:
            raise ValidationError({"iccid": _("A SIM card needs a subscription.")})
        sim_create(actor=actor, iccid=iccid, subscription=target, device=device, pin=pin, puk=puk)
    order.status = OrderStatus.DELIVERED
    order.delivered_at = timezone.now()
    order.decided_by = actor
    order.created_device = device
    order.created_subscription = subscription
    save_with_history(order, actor=actor, reason=_("Delivered"))
    _mail_order(order, [_address(order.ordered_by)], "delivered")
    return order


# --- inventory (DEV-3, DEV-4, DEV-5) -----------------------------------------------------


@transaction.atomic
def device_create(*, actor: Actor, reason: str | None = None, **fields: Any) -> Device:
    device = Device(**fields)
    return _device_save(device, actor=actor, reason=reason or _("Device added"))


def _device_save(device: Device, *, actor: Actor, reason: str) -> Device:
    device.full_clean(validate_unique=False, validate_constraints=False)
    if device.imei and Device.objects.filter(imei=device.imei).exclude(pk=device.pk).exists():
        raise ValidationError({"imei": _("A device with this IMEI is already in the inventory.")})
    device.full_clean()
    try:
        with transaction.atomic():
            return save_with_history(device, actor=actor, reason=reason)
    except IntegrityError as exc:
        raise ValidationError(
            {"imei": _("A device with this IMEI is already in the inventory.")}
        ) from exc


@transaction.atomic
def device_update(
    *, actor: Actor, device: Device, reason: str | None = None, **fields: Any
) -> Device:
    """Change a device's details; its cost centre changes only through Tele kundtjänst
    (DEV-4: device_cost_centre_request)."""
    if "cost_centre" in fields:
        raise ValueError("a device's cost centre changes through a change request (DEV-4)")
    device = Device.objects.select_for_update().get(pk=device.pk)
    for field, value in fields.items():
        setattr(device, field, value)
    return _device_save(device, actor=actor, reason=reason or _("Device changed"))


@transaction.atomic
def device_cost_centre_request(
    *, actor: User, device: Device, cost_centre: CostCentre, message: str | None = ""
) -> ChangeRequest:
    """DEV-4: a device changing cost centre is a change request to Tele kundtjänst."""
    changes = subscription_services.field_changes(device, {"cost_centre": cost_centre})
    if not changes:
        raise ValidationError({"cost_centre": _("The device already has this cost centre.")})
    if cost_centre.unit.forvaltning_id != device.unit.forvaltning_id:
        raise ValidationError({"cost_centre": _("Choose a cost centre of your own förvaltning.")})
    return subscription_services.change_request_create(
        actor=actor,
        kind=RequestKind.DEVICE,
        target=device,
        changes=changes,
        forvaltning=device.unit.forvaltning,
        message=message,
    )


@transaction.atomic
def sim_create(*, actor: Actor, **fields: Any) -> SimCard:
    sim = SimCard(**fields)
    sim.full_clean(validate_unique=False, validate_constraints=False)
    if SimCard.objects.filter(iccid=sim.iccid).exists():
        raise ValidationError({"iccid": _("A SIM card with this ICCID is already registered.")})
    if sim.device is not None and sim.device.subscription_id not in (None, sim.subscription_id):
        raise ValidationError({"device": _("The device belongs to another subscription.")})
    sim.full_clean()
    try:
        with transaction.atomic():
            return save_with_history(sim, actor=actor, reason=_("SIM card registered"))
    except IntegrityError as exc:
        raise ValidationError(
            {"iccid": _("A SIM card with this ICCID is already registered.")}
        ) from exc


@transaction.atomic
def sim_pin_view(*, actor: User, sim: SimCard) -> PinView:
    """DEV-5: log who sees the PIN and PUK before they are shown."""
    return PinView.objects.create(sim=sim, viewed_by=actor)


# --- loss, theft, damage (SUB-7) ---------------------------------------------------------


@transaction.atomic
def loss_report_create(
    *,
    actor: User,
    device: Device,
    kind: str,
    police_report_number: str | None = "",
    description: str = "",
    occurred_on: date | None = None,
) -> LossReport:
    """Report a device lost, stolen or damaged. A loss or theft blocks the subscription and
    the device at once and asks Tele kundtjänst to confirm the operator block."""
    police_report_number = (police_report_number or "").strip()
    if kind == LossKind.STOLEN and not police_report_number:
        raise ValidationError(
            {
                "police_report_number": _(
                    "A theft must be reported to the police: give the police report number."
                )
            }
        )
    device = (
        Device.objects.select_for_update(of=("self",))
        .select_related("subscription", "unit")
        .get(pk=device.pk)
    )
    report = LossReport(
        device=device,
        subscription=device.subscription,
        kind=kind,
        police_report_number=police_report_number,
        description=description,
        reported_by=actor,
        **({"occurred_on": occurred_on} if occurred_on else {}),
    )
    report.full_clean()
    save_with_history(report, actor=actor, reason=_("Reported"))
    why = _("%(kind)s, loss report #%(pk)s") % {"kind": report.get_kind_display(), "pk": report.pk}
    if kind in BLOCKING_LOSSES:
        device.status = DeviceStatus.STOLEN if kind == LossKind.STOLEN else DeviceStatus.LOST
        device.blocked_at = timezone.now()
        save_with_history(device, actor=actor, reason=why)
        if device.subscription is not None and device.subscription.status != Status.CANCELLED:
            subscription_services.subscription_block(
                actor=actor, subscription=device.subscription, reason=why
            )
            try:
                report.block_request = subscription_services.change_request_create(
                    actor=actor,
                    kind=RequestKind.BLOCK,
                    target=device.subscription,
                    changes={},
                    forvaltning=device.unit.forvaltning,
                    message=_(
                        "%(why)s. The subscription and the device (IMEI %(imei)s) are blocked "
                        "in Telefoni: block them at the operator too, then apply this request."
                    )
                    % {"why": why, "imei": device.imei or "–"},
                )
            except subscription_services.DuplicateRequest as duplicate:
                # An operator block of this subscription already waits: the report joins it.
                report.block_request = duplicate.waiting
            save_with_history(report, actor=actor, reason=_("Operator block requested"))
    else:
        device.status = DeviceStatus.BROKEN
        save_with_history(device, actor=actor, reason=why)
    mail_template_on_commit(
        [settings.TELEFONI_SERVICE_DESK_EMAIL],
        "devices/email/loss_report",
        {"report": report, "device": device, "url": _link(report)},
    )
    return report


def confirm_operator_block(*, actor: User, request: ChangeRequest, target: Any) -> None:
    """Apply hook of RequestKind.BLOCK: Tele kundtjänst confirms the operator block."""
    now = timezone.now()
    for report in LossReport.objects.select_for_update().filter(block_request=request):
        report.operator_block_confirmed_at = now
        save_with_history(report, actor=actor, reason=_("Operator block confirmed"))


# --- call barring (BAR-2) ----------------------------------------------------------------


@transaction.atomic
def barring_change_request(
    *, actor: User, subscription: Subscription, values: dict[str, bool], reason: str | None
) -> ChangeRequest:
    """BAR-2: a change of barring becomes a change request; the reason goes with it and is
    kept with the applied change."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the barring should change.")})
    unknown = set(values) - set(BARRING_FIELDS)
    if unknown:
        raise ValueError(f"not barring fields: {sorted(unknown)}")
    changes = subscription_services.field_changes(subscription, values)
    if not changes:
        raise ValidationError(_("Nothing to change: the barring is already like this."))
    return subscription_services.change_request_create(
        actor=actor,
        kind=RequestKind.BARRING,
        target=subscription,
        changes=changes,
        forvaltning=subscription.unit.forvaltning,
        message=reason,
    )


# --- delad faktura (SUB-6) ---------------------------------------------------------------


def _locked_split(split: SplitInvoice, expected: Sequence[str]) -> SplitInvoice:
    locked = SplitInvoice.objects.select_for_update().get(pk=split.pk)
    if locked.status not in expected:
        raise ValidationError(
            _("The split invoice is %(status)s; this step is not possible now.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def split_invoice_request(*, actor: User, subscription: Subscription) -> SplitInvoice:
    if (
        SplitInvoice.objects.filter(subscription=subscription)
        .exclude(status=SplitInvoiceStatus.ENDED)
        .exists()
    ):
        raise ValidationError(_("This subscription already has a split invoice."))
    split = SplitInvoice(subscription=subscription, requested_by=actor)
    try:
        with transaction.atomic():
            save_with_history(split, actor=actor, reason=_("Requested"))
    except IntegrityError as exc:
        raise ValidationError(_("This subscription already has a split invoice.")) from exc
    return split


@transaction.atomic
def split_invoice_consent(*, actor: Actor, split: SplitInvoice) -> SplitInvoice:
    split = _locked_split(split, [SplitInvoiceStatus.REQUESTED])
    split.status = SplitInvoiceStatus.CONSENTED
    split.consented_by, split.consented_at = actor, timezone.now()
    save_with_history(split, actor=actor, reason=_("Consented"))
    mail_template_on_commit(
        [settings.TELEFONI_SERVICE_DESK_EMAIL],
        "devices/email/split_invoice",
        {"split": split, "url": _link(split)},
    )
    return split


@transaction.atomic
def split_invoice_activate(*, actor: Actor, split: SplitInvoice) -> SplitInvoice:
    split = _locked_split(split, [SplitInvoiceStatus.CONSENTED])
    split.status = SplitInvoiceStatus.ACTIVE
    split.activated_by, split.activated_at = actor, timezone.now()
    return save_with_history(split, actor=actor, reason=_("Activated"))


@transaction.atomic
def split_invoice_end(*, actor: Actor, split: SplitInvoice, reason: str | None) -> SplitInvoice:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the split invoice ends.")})
    split = _locked_split(
        split,
        [SplitInvoiceStatus.REQUESTED, SplitInvoiceStatus.CONSENTED, SplitInvoiceStatus.ACTIVE],
    )
    split.status = SplitInvoiceStatus.ENDED
    split.ended_by, split.ended_at, split.end_reason = actor, timezone.now(), reason
    return save_with_history(split, actor=actor, reason=reason)


# --- what a leaver holds ---------------------------------------------------------


def leaver_devices() -> QuerySet[Device]:
    """X-3: phones (not retired, lost or stolen) whose holder has left. The flag goes to
    the cost centre's budget-responsible manager (Tele kundtjänst when that manager has
    left too); it resolves when the phone is handed to an active holder or a function,
    or retired."""
    return (
        Device.objects.filter(holder__is_active=False)
        .exclude(status__in=GONE)
        .annotate(
            flag_responsible_id=Case(
                When(
                    cost_centre__budget_manager__is_active=True,
                    then=F("cost_centre__budget_manager"),
                ),
                default=None,
                output_field=BigIntegerField(),
            )
        )
    )


def sweep_leavers(*, person_ids: Iterable[int] | None = None) -> SweepResult:
    """X-3, nightly and whenever someone is marked as left: one query per kind of object
    (subscriptions, phones) for what leavers still hold, flagged to the budget-responsible
    manager for handover or cancellation. Voicemail boxes are flagged by voicemail. With
    `person_ids` only what those people hold is judged (the marking is a request)."""
    result = SweepResult()
    for breaking in (subscription_services.leaver_subscriptions(), leaver_devices()):
        within = None
        if person_ids is not None:
            within = breaking.model.objects.filter(holder_id__in=list(person_ids))
        result += raise_or_resolve(
            rule_id="X-3",
            breaking=breaking,
            unit_field="unit_id",
            responsible_field="flag_responsible_id",
            within=within,
        )
    return result


@receiver(person_left, dispatch_uid="devices.flag_what_leavers_hold")
def _flag_what_leavers_hold(sender: object, person_ids: Iterable[int] = (), **kwargs: Any) -> None:
    sweep_leavers(person_ids=person_ids)


# The compliance dashboard names a flagged phone by its model.
register_flag_objects(Device, queryset=lambda: Device.objects.select_related("model"))


# --- SUB-5, X-3: the phone of a subscription that is cancelled or handed over ----------


@receiver(subscription_cancelled, dispatch_uid="devices.phone_back_to_stock")
def _phone_back_to_stock(
    sender: object, subscription: Subscription, actor: Actor = None, **kwargs: Any
) -> None:
    """The phones linked to a cancelled subscription go back to stock: no holder or
    function, no subscription; unit and cost centre stay (the telesamordnare's stock)."""
    for device in (
        Device.objects.select_for_update()
        .filter(subscription=subscription)
        .exclude(status__in=GONE)
    ):
        device.status = DeviceStatus.IN_STOCK
        device.holder, device.function_name, device.subscription = None, "", None
        _device_save(
            device,
            actor=actor,
            reason=_("Back to stock: %(number)s cancelled")
            % {"number": format_number(subscription.number)},
        )


@receiver(subscription_handed_over, dispatch_uid="devices.phone_follows_holder")
def _phone_follows_holder(
    sender: object, subscription: Subscription, actor: Actor = None, **kwargs: Any
) -> None:
    """The phones linked to a handed-over subscription follow it to its new holder, unit
    and cost centre."""
    for device in (
        Device.objects.select_for_update()
        .filter(subscription=subscription)
        .exclude(status__in=GONE)
    ):
        device.holder, device.function_name = subscription.holder, ""
        device.unit, device.cost_centre = subscription.unit, subscription.cost_centre
        _device_save(
            device,
            actor=actor,
            reason=_("Handed over with %(number)s")
            % {"number": format_number(subscription.number)},
        )
