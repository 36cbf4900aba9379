"""Reads shared by the devices views: lists with their relations in a fixed number of
queries."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from common.inbox import Source
from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.choices import PersonKind
from organisation.models import Person, Unit
from organisation.permissions import person_of
from subscriptions.choices import FUNCTION_KINDS, Kind, RequestKind, RequestStatus, Status
from subscriptions.models import ChangeRequest, Subscription

from .choices import OrderKind, OrderStatus, SplitInvoiceStatus
from .models import CatalogueItem, Device, LossReport, Order, SimCard, SplitInvoice


def catalogue() -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.order_by("kind", "name")


def orderable_items(kind: str) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(kind=kind, is_orderable=True).order_by("name")


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related(
        "unit", "forvaltning", "cost_centre", "item", "holder", "ordered_by__person"
    )


def order_for_page(pk: int) -> Order:
    return (
        _orders()
        .select_related("holder__unit", "device__model", "created_device", "created_subscription")
        .get(pk=pk)
    )


def visible_orders(user: AnyUser) -> QuerySet[Order]:
    """Orders a user may see: Tele kundtjänst all; a telesamordnare their förvaltning's;
    an approver those awaiting them (the enhetschef: their units'; KS ordförande:
    elected officials')."""
    queryset = _orders()
    if is_service_desk_or_admin(user):
        return queryset
    roles = roles_of(user)
    person = person_of(user)
    condition = Q(ordered_by=user)
    if person is not None:
        coordinated = list(person.coordinated_units.values_list("forvaltning_id", flat=True))
        if Role.TELESAMORDNARE in roles and coordinated:
            condition |= Q(forvaltning_id__in=coordinated)
        if Role.ENHETSCHEF in roles:
            for path in person.managed_units.values_list("path", flat=True):
                condition |= Q(
                    unit__path__startswith=path,
                    subscription_kind__in=[Kind.MEX, Kind.MOBILE],
                    status=OrderStatus.AWAITING_APPROVAL,
                ) & ~Q(holder__kind=PersonKind.ELECTED)
    if Role.KSORDFORANDE in roles:
        condition |= Q(
            holder__kind=PersonKind.ELECTED,
            kind=OrderKind.SUBSCRIPTION,
            status=OrderStatus.AWAITING_APPROVAL,
        )
    return queryset.filter(condition)


def inventory(forvaltning: Unit) -> QuerySet[Device]:
    """DEV-3: the devices of a förvaltning, in unit order, then by model and holder (in
    Swedish order; shared phones, without a holder, last)."""
    return (
        Device.objects.filter(unit__forvaltning=forvaltning)
        .select_related("model", "holder", "unit", "cost_centre", "subscription__holder")
        .order_by(
            "unit__path",
            "model__name",
            F("holder__last_name").asc(nulls_last=True),
            "holder__first_name",
            "pk",
        )
    )


def device_for_page(pk: int) -> Device:
    return Device.objects.select_related(
        "model", "holder", "unit", "unit__forvaltning", "cost_centre", "subscription__holder"
    ).get(pk=pk)


def device_sims(device: Device) -> QuerySet[SimCard]:
    return SimCard.objects.filter(device=device).select_related("subscription")


def sim_for_page(pk: int) -> SimCard:
    return SimCard.objects.select_related(
        "subscription__holder", "subscription__unit", "device__model"
    ).get(pk=pk)


def function_phones(forvaltning: Unit) -> QuerySet[Subscription]:
    """SUB-4: active function and group phones of a förvaltning, for labels."""
    return (
        Subscription.objects.filter(unit__forvaltning=forvaltning, kind__in=FUNCTION_KINDS)
        .exclude(status=Status.CANCELLED)
        .select_related("unit")
        .order_by("unit__path", "number")
    )


def loss_report_for_page(pk: int) -> LossReport:
    return LossReport.objects.select_related(
        "device__model",
        "device__unit__forvaltning",
        "device__holder",
        "device__subscription",
        "subscription",
        "reported_by__person",
        "block_request",
    ).get(pk=pk)


def subscription_for_page(pk: int) -> Subscription:
    return Subscription.objects.select_related("holder", "unit", "cost_centre").get(pk=pk)


def waiting_cost_centre_moves(device: Device) -> QuerySet[ChangeRequest]:
    """DEV-4: the device's cost-centre moves waiting for Tele kundtjänst (the page a
    refused identical request links to)."""
    return ChangeRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(Device),
        object_id=device.pk,
        kind=RequestKind.DEVICE,
        status=RequestStatus.PENDING,
    ).order_by("requested_at", "pk")


def barring_requests(subscription: Subscription) -> QuerySet[ChangeRequest]:
    """BAR-2: the barring changes asked for on a subscription, newest first, with who
    and why; applied ones are the barring's history."""
    return (
        ChangeRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(Subscription),
            object_id=subscription.pk,
            kind=RequestKind.BARRING,
        )
        .select_related("requested_by__person", "decided_by__person")
        .order_by("-requested_at", "-pk")
    )


def pending_barring_request(subscription: Subscription) -> ChangeRequest | None:
    return barring_requests(subscription).filter(status=RequestStatus.PENDING).first()


def my_devices(person: Person) -> QuerySet[Device]:
    return (
        Device.objects.filter(Q(holder=person) | Q(subscription__holder=person))
        .select_related("model", "subscription", "unit")
        .order_by("pk")
    )


def my_subscriptions(person: Person) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(holder=person)
        .exclude(status=Status.CANCELLED)
        .prefetch_related("sim_cards")
        .order_by("number")
    )


def split_invoice_for_page(pk: int) -> SplitInvoice:
    return SplitInvoice.objects.select_related(
        "subscription__holder",
        "subscription__unit",
        "subscription__cost_centre",
        "requested_by__person",
        "consented_by__person",
        "activated_by__person",
        "ended_by__person",
    ).get(pk=pk)


def split_invoices(subscription: Subscription) -> QuerySet[SplitInvoice]:
    return SplitInvoice.objects.filter(subscription=subscription).order_by("-requested_at")


# --- The start page's inbox (issue 19.1) -------------------------------------------------

# How long a delivered order stays on its telesamordnare's start page: there is no step
# that marks it handed out (docs/not-yet.md).
DELIVERED_SHOWN_DAYS = 7


def _headed_by(person: Person, unit_path: str) -> Exists:
    """The unit at `unit_path` (an OuterRef path) is headed by `person` or lies below a
    unit they head: one subquery, no query of its own."""
    return Exists(
        Unit.objects.filter(manager=person).filter(StartsWith(OuterRef(unit_path), F("path")))
    )


def waiting_for(user: AnyUser) -> list[Source]:
    """Orders and delad faktura waiting for `user`, by role: to approve (the enhetschef:
    MEX and mobile subscriptions of their units; the KS ordförande: elected officials'),
    drafts to send, approved orders with Tele kundtjänst and recent deliveries (the
    telesamordnare, their förvaltningar), orders to deliver and split invoices to
    activate (Tele kundtjänst), split invoices to consent to (the responsible manager)."""
    roles = roles_of(user)
    person = person_of(user)
    desk = is_service_desk_or_admin(user)
    orders = Order.objects.all()
    awaiting = Q(status=OrderStatus.AWAITING_APPROVAL, kind=OrderKind.SUBSCRIPTION)
    elected = Q(holder__kind=PersonKind.ELECTED)
    sources: list[Source] = []

    def order_source(name: str, waiting: QuerySet[Order], since: str, status: str) -> Source:
        return Source(
            key=f"devices.orders.{name}",
            label=_ORDER_LABELS[name],
            waiting=waiting,
            since=since,
            url=f"{reverse('devices:order_list')}?{urlencode({'status': status})}",
            detail=lambda pk: reverse("devices:order_detail", args=[pk]),
        )

    if person is not None and Role.ENHETSCHEF in roles:
        to_approve = orders.filter(
            awaiting,
            Q(subscription_kind__in=[Kind.MEX, Kind.MOBILE]),
            _headed_by(person, "unit__path"),
        ).exclude(elected)
        sources.append(
            order_source("to_approve", to_approve, "created_at", OrderStatus.AWAITING_APPROVAL)
        )
    if Role.KSORDFORANDE in roles:
        sources.append(
            order_source(
                "to_approve_elected",
                orders.filter(awaiting, elected),
                "created_at",
                OrderStatus.AWAITING_APPROVAL,
            )
        )
    if person is not None and Role.TELESAMORDNARE in roles:
        mine = orders.filter(forvaltning__in=person.coordinated_units.values("forvaltning_id"))
        since = timezone.now() - timedelta(days=DELIVERED_SHOWN_DAYS)
        sources += [
            order_source(
                "drafts", mine.filter(status=OrderStatus.DRAFT), "created_at", OrderStatus.DRAFT
            ),
            order_source(
                "approved",
                mine.filter(status=OrderStatus.SENT, approved_at__isnull=False),
                "approved_at",
                OrderStatus.SENT,
            ),
            order_source(
                "delivered",
                mine.filter(status=OrderStatus.DELIVERED, delivered_at__gte=since),
                "delivered_at",
                OrderStatus.DELIVERED,
            ),
        ]
    if desk:
        sources.append(
            order_source(
                "to_deliver", orders.filter(status=OrderStatus.SENT), "sent_at", OrderStatus.SENT
            )
        )

    def split_detail(pk: int) -> str:
        return reverse("devices:split_invoice_detail", args=[pk])

    if desk:
        sources.append(
            Source(
                key="devices.split_invoices.to_activate",
                label=_("Split invoices to activate"),
                waiting=SplitInvoice.objects.filter(status=SplitInvoiceStatus.CONSENTED),
                since="consented_at",
                # No list of split invoices: several link to the first of them.
                detail=split_detail,
            )
        )
    if person is not None and roles & {Role.ENHETSCHEF, Role.BUDGETCHEF}:
        responsible = Q(pk__in=[])
        if Role.ENHETSCHEF in roles:
            responsible |= Q(_headed_by(person, "subscription__unit__path"))
        if Role.BUDGETCHEF in roles:
            responsible |= Q(subscription__cost_centre__budget_manager=person)
        sources.append(
            Source(
                key="devices.split_invoices.to_consent",
                label=_("Split invoices to consent to"),
                waiting=SplitInvoice.objects.filter(
                    responsible, status=SplitInvoiceStatus.REQUESTED
                ),
                since="requested_at",
                detail=split_detail,
            )
        )
    return sources


_ORDER_LABELS = {
    "to_approve": _("Orders to approve (MEX and mobile phones)"),
    "to_approve_elected": _("Orders for elected officials to approve"),
    "drafts": _("Order drafts to send"),
    "approved": _("Approved orders, now with Tele kundtjänst"),
    "delivered": _("Orders delivered in the last week: hand them out"),
    "to_deliver": _("Orders to deliver"),
}
