"""The pickers of an order and of a device of the inventory (common.pickers): their
sources answer exactly the rows the forms offer, to whom may use the forms."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from common import pickers
from common.http import require
from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.permissions import person_of
from organisation.pickers import PERSON, UNIT
from subscriptions.choices import Status
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import permissions


def order_forvaltningar(user: AnyUser) -> list[int]:
    """The förvaltningar a telesamordnare orders for: those they coordinate."""
    person = person_of(user)
    return list(person.coordinated_units.values_list("forvaltning_id", flat=True)) if person else []


def order_units(forvaltningar: list[int]) -> QuerySet[Unit]:
    return Unit.objects.filter(forvaltning_id__in=forvaltningar)


def order_holders(forvaltningar: list[int]) -> QuerySet[Person]:
    """DEV-2: for whom a phone is ordered: active staff of the förvaltning; never a
    protected identity (ORG-4: the order goes to Tele kundtjänst by name)."""
    return Person.objects.filter(
        unit__forvaltning_id__in=forvaltningar, is_active=True, protected_identity=False
    )


def device_units(forvaltning: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(forvaltning=forvaltning)


def device_holders(forvaltning: Unit) -> QuerySet[Person]:
    return Person.objects.filter(unit__forvaltning=forvaltning, is_active=True)


def device_phones(forvaltning: Unit) -> QuerySet[Subscription]:
    return Subscription.objects.filter(unit__forvaltning=forvaltning).exclude(
        status=Status.CANCELLED
    )


def _ordering(rows):
    def source(request: HttpRequest):
        require(permissions.can_order(request.user))
        return rows(order_forvaltningar(request.user))

    return source


def _inventory(rows):
    def source(request: HttpRequest):
        forvaltning = get_object_or_404(
            Unit, pk=pickers.param_id(request, "forvaltning"), parent__isnull=True
        )
        require(permissions.can_edit_device(request.user, forvaltning))
        return rows(forvaltning)

    return source


pickers.register("order-unit", kind=UNIT, rows=_ordering(order_units))
pickers.register("order-holder", kind=PERSON, rows=_ordering(order_holders))
pickers.register("device-unit", kind=UNIT, rows=_inventory(device_units), params=["forvaltning"])
pickers.register(
    "device-holder", kind=PERSON, rows=_inventory(device_holders), params=["forvaltning"]
)
pickers.register("device-phone", kind=PHONE, rows=_inventory(device_phones), params=["forvaltning"])
