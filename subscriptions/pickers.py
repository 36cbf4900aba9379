"""The picker kind of phones (common.pickers) and the pickers of a directory entry's unit.

A phone is suggested by its number or extension (any written form), its function name or
its holder's name; ORG-4: a protected holder's phone only to the holder's circle."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import pickers
from common.http import require
from common.users import AnyUser
from organisation import identity
from organisation.models import Person, Unit
from organisation.numbers import format_number, search_digits
from organisation.permissions import identity_circle_q, person_of
from organisation.pickers import PERSON, UNIT, words

from . import permissions
from .models import Subscription


def search_phones(rows: QuerySet[Subscription], text: str) -> QuerySet[Subscription]:
    for word in words(text):
        match = Q(search_key__contains=word) | Q(holder__search_text__contains=word)
        if word.isdigit():
            match |= Q(number_digits__contains=search_digits(word)) | Q(extension__startswith=word)
        rows = rows.filter(match)
    return rows.order_by("holder__last_name", "holder__first_name", "function_name", "number")


def describe_phone(phone: Subscription, reader: AnyUser | None) -> tuple[str, str]:
    if identity.phone_is_hidden(reader, phone):
        return str(identity.PROTECTED), f"{phone.get_kind_display()} · {phone.unit.name}"
    label = f"{format_number(phone.number)} – {identity.owner_name(reader, phone)}"
    parts = [phone.get_kind_display()]
    if phone.extension:
        parts.append(gettext("ext. %(extensions)s") % {"extensions": phone.extension})
    parts += [phone.unit.name, gettext("cost centre %(code)s") % {"code": phone.cost_centre.code}]
    return label, " · ".join(parts)


def visible_phones(rows: QuerySet[Subscription], reader: AnyUser | None) -> QuerySet[Subscription]:
    if reader is None:
        return rows.filter(Q(holder__isnull=True) | Q(holder__protected_identity=False))
    return rows.filter(Q(holder__isnull=True) | identity_circle_q(reader, "holder__"))


PHONE = pickers.Kind(
    search=search_phones,
    describe=describe_phone,
    prepare=lambda rows: rows.select_related("holder__unit", "unit", "cost_centre"),
    visible=visible_phones,
    hint=_("Type part of the number, the extension, the holder's name or the function."),
)


def own_entry_units(person) -> QuerySet[Unit]:
    """The units a holder may move their own entry to: those of their förvaltning."""
    return Unit.objects.filter(forvaltning_id=person.unit.forvaltning_id)


def _own_entry_units(request: HttpRequest) -> QuerySet[Unit]:
    person = person_of(request.user)
    return own_entry_units(person) if person is not None else Unit.objects.none()


pickers.register("own-entry-unit", kind=UNIT, rows=_own_entry_units)


def hand_over_holders(subscription: Subscription) -> QuerySet[Person]:
    """X-3: to whom a phone may be handed over: any active person but its holder."""
    return Person.objects.filter(is_active=True).exclude(pk=subscription.holder_id or 0)


def hand_over_units() -> QuerySet[Unit]:
    """X-3: the units a handed-over phone may move to: the open ones."""
    return Unit.objects.filter(closed_on__isnull=True)


def _hand_over(rows):
    def source(request: HttpRequest):
        subscription = get_object_or_404(
            Subscription.objects.select_related("holder", "unit", "cost_centre"),
            pk=pickers.param_id(request, "subscription"),
        )
        require(permissions.can_hand_over_subscription(request.user, subscription))
        return rows(subscription)

    return source


pickers.register(
    "hand-over-holder", kind=PERSON, rows=_hand_over(hand_over_holders), params=["subscription"]
)
pickers.register(
    "hand-over-unit",
    kind=UNIT,
    rows=_hand_over(lambda _subscription: hand_over_units()),
    params=["subscription"],
)
