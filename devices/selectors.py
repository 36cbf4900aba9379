"""Reads shared by the devices views: lists with their relations in a fixed number of
queries."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet

from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.choices import PersonKind
from organisation.models import Person, Unit
from organisation.permissions import person_of
from subscriptions.choices import FUNCTION_KINDS, Kind, RequestKind, RequestStatus, Status
from subscriptions.models import ChangeRequest, Subscription

from .choices import OrderKind, OrderStatus
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
