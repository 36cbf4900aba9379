"""Who may do what with the catalogue, orders, devices, SIM cards, loss reports, call
barring and delad faktura. Pure predicates on top of organisation.permissions."""

from typing import Literal

from common.roles import Role, is_service_desk, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.choices import PersonKind
from organisation.models import Unit
from organisation.permissions import (
    is_budget_manager_of,
    is_forvaltningschef_of,
    is_manager_of_unit,
    is_telesamordnare_of,
    person_of,
)
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from subscriptions.permissions import can_change_barring  # BAR-2; costs and telesök link it

from .choices import OrderKind, OrderStatus, SplitInvoiceStatus
from .models import Device, LossReport, Order, SimCard, SplitInvoice

# --- catalogue (DEV-1) -------------------------------------------------------------------


def can_edit_catalogue(user: AnyUser) -> bool:
    return is_service_desk_or_admin(user)


# --- orders (DEV-2, SUB-2, SUB-3) --------------------------------------------------------


def can_order(user: AnyUser) -> bool:
    """Only a telesamordnare orders (for their own förvaltning: the form offers only its
    units, and the service refuses others)."""
    return Role.TELESAMORDNARE in roles_of(user)


def approval_by(order: Order) -> Literal["ksordforande", "manager"] | None:
    """Who must approve an order before it goes to Tele kundtjänst: "ksordforande" for an
    elected official's subscription (SUB-3), "manager" (the enhetschef) for a MEX or
    mobile subscription (SUB-2), else None."""
    if order.kind != OrderKind.SUBSCRIPTION:
        return None
    if order.holder is not None and order.holder.kind == PersonKind.ELECTED:
        return "ksordforande"
    if order.subscription_kind in (Kind.MEX, Kind.MOBILE):
        return "manager"
    return None


def _is_approver(user: AnyUser, order: Order) -> bool:
    by = approval_by(order)
    if by == "ksordforande":
        return Role.KSORDFORANDE in roles_of(user)
    if by == "manager":
        return is_manager_of_unit(user, order.unit)
    return False


def can_view_order(user: AnyUser, order: Order) -> bool:
    return (
        is_service_desk_or_admin(user)
        or is_telesamordnare_of(user, order.forvaltning)
        or order.ordered_by_id == user.pk
        or _is_approver(user, order)
    )


def can_submit_order(user: AnyUser, order: Order) -> bool:
    return order.status == OrderStatus.DRAFT and is_telesamordnare_of(user, order.forvaltning)


def can_send_order(user: AnyUser, order: Order) -> bool:
    return order.status == OrderStatus.APPROVED and is_telesamordnare_of(user, order.forvaltning)


def can_approve_order(user: AnyUser, order: Order) -> bool:
    return order.status == OrderStatus.AWAITING_APPROVAL and _is_approver(user, order)


def can_deliver_order(user: AnyUser, order: Order) -> bool:
    return order.status == OrderStatus.SENT and is_service_desk_or_admin(user)


def can_reject_order(user: AnyUser, order: Order) -> bool:
    """The approver while it awaits approval; Tele kundtjänst once it is sent."""
    return can_approve_order(user, order) or can_deliver_order(user, order)


# --- inventory (DEV-3, DEV-4, DEV-5, SUB-4) ----------------------------------------------


def can_view_inventory(user: AnyUser, forvaltning: Unit) -> bool:
    return (
        is_service_desk_or_admin(user)
        or is_telesamordnare_of(user, forvaltning)
        or is_forvaltningschef_of(user, forvaltning)
    )


def can_edit_device(user: AnyUser, device_or_unit: Device | Unit) -> bool:
    """Tele kundtjänst, and the telesamordnare of the device's (or unit's) förvaltning."""
    unit = device_or_unit.unit if isinstance(device_or_unit, Device) else device_or_unit
    return is_service_desk_or_admin(user) or is_telesamordnare_of(user, unit)


def _holds(user: AnyUser, device: Device) -> bool:
    own = person_of(user)
    if own is None:
        return False
    if device.holder_id == own.pk:
        return True
    subscription = device.subscription if device.subscription_id else None
    return subscription is not None and subscription.holder_id == own.pk


def can_view_device(user: AnyUser, device: Device) -> bool:
    return (
        can_edit_device(user, device)
        or _holds(user, device)
        or is_manager_of_unit(user, device.unit)
        or is_forvaltningschef_of(user, device.unit)
    )


def can_request_cost_centre_change(user: AnyUser, device: Device) -> bool:
    """DEV-4: the telesamordnare reports it to Tele kundtjänst."""
    return is_telesamordnare_of(user, device.unit)


def can_add_sim(user: AnyUser) -> bool:
    return is_service_desk_or_admin(user)


def can_view_pin(user: AnyUser, sim: SimCard) -> bool:
    """DEV-5: only Tele kundtjänst and the subscription's holder (not the
    systemadministratör, issue 16.4)."""
    own = person_of(user)
    return is_service_desk(user) or (own is not None and sim.subscription.holder_id == own.pk)


def can_report_loss(user: AnyUser, device: Device) -> bool:
    """SUB-7: the holder or the telesamordnare (Tele kundtjänst takes reports by phone)."""
    return _holds(user, device) or can_edit_device(user, device)


def can_view_loss_report(user: AnyUser, report: LossReport) -> bool:
    return can_report_loss(user, report.device) or report.reported_by_id == user.pk


# --- subscriptions: barring (BAR-2) and delad faktura (SUB-6) ----------------------------


def _is_holder(user: AnyUser, subscription: Subscription) -> bool:
    own = person_of(user)
    return own is not None and subscription.holder_id == own.pk


def can_view_subscription(user: AnyUser, subscription: Subscription) -> bool:
    return (
        can_change_barring(user, subscription)
        or _is_holder(user, subscription)
        or is_service_desk_or_admin(user)
        or is_manager_of_unit(user, subscription.unit)
    )


def can_request_split_invoice(user: AnyUser, subscription: Subscription) -> bool:
    """SUB-6: the holder of a mobile (or MEX) phone."""
    return _is_holder(user, subscription) and subscription.kind in (Kind.MOBILE, Kind.MEX)


def _is_responsible_manager(user: AnyUser, subscription: Subscription) -> bool:
    return is_manager_of_unit(user, subscription.unit) or is_budget_manager_of(
        user, subscription.cost_centre
    )


def can_view_split_invoice(user: AnyUser, split: SplitInvoice) -> bool:
    subscription = split.subscription
    return (
        _is_holder(user, subscription)
        or _is_responsible_manager(user, subscription)
        or is_service_desk_or_admin(user)
    )


def can_consent_split_invoice(user: AnyUser, split: SplitInvoice) -> bool:
    return split.status == SplitInvoiceStatus.REQUESTED and _is_responsible_manager(
        user, split.subscription
    )


def can_activate_split_invoice(user: AnyUser, split: SplitInvoice) -> bool:
    return split.status == SplitInvoiceStatus.CONSENTED and is_service_desk_or_admin(user)


def can_end_split_invoice(user: AnyUser, split: SplitInvoice) -> bool:
    return split.status != SplitInvoiceStatus.ENDED and is_service_desk_or_admin(user)
