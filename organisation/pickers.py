"""The picker kinds of people and units (common.pickers), and organisation's own picker
sources: the telesamordnare of a unit, a cost centre's unit and budget-responsible manager.

A person is suggested by any part of the name, title or unit, or by the start of an
extension; what tells namesakes apart is shown beside the name (title, unit, extension).
ORG-4: a protected identity is suggested only to its circle (identity_circle_q); one that is
already chosen stays in the field as "Skyddad identitet" for the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import pickers
from common.http import require
from common.users import AnyUser

from . import identity, permissions
from .models import Person, Unit, search_fold

_WORD = re.compile(r"\w+")

# What a person's phones are read for: the extensions that tell namesakes apart.
CANCELLED = "cancelled"  # subscriptions.choices.Status.CANCELLED (organisation is below it)


def words(text: str) -> list[str]:
    """The search_fold-ed words of a picker's text ("Östlund, A." -> ["ostlund", "a"])."""
    return _WORD.findall(search_fold(text))


# --- People ---------------------------------------------------------------------------------


def search_people(rows: QuerySet[Person], text: str) -> QuerySet[Person]:
    for word in words(text):
        match = Q(search_text__contains=word)
        if word.isdigit():
            match |= Q(
                pk__in=Person.objects.filter(subscriptions__extension__startswith=word).values("pk")
            )
        rows = rows.filter(match)
    return rows.order_by("last_name", "first_name", "pk")


def prepare_people(rows: QuerySet[Person]) -> QuerySet[Person]:
    phones = Prefetch(
        "subscriptions",
        queryset=Person.subscriptions.rel.related_model._default_manager.exclude(  # type: ignore[union-attr]  # Subscription, not imported here (it is above)
            status=CANCELLED
        )
        .exclude(extension__isnull=True)
        .exclude(extension="")
        .order_by("extension"),
        to_attr="picker_phones",
    )
    return rows.select_related("unit").prefetch_related(phones)


def describe_person(person: Person, reader: AnyUser | None) -> tuple[str, str]:
    if identity.is_hidden(reader, person):
        return str(identity.PROTECTED), person.unit.name
    parts = [person.title, person.unit.name]
    extensions = [phone.extension for phone in getattr(person, "picker_phones", [])]
    if extensions:
        parts.append(gettext("ext. %(extensions)s") % {"extensions": ", ".join(extensions)})
    return f"{person.last_name}, {person.first_name}", " · ".join(parts)


def visible_people(rows: QuerySet[Person], reader: AnyUser | None) -> QuerySet[Person]:
    if reader is None:
        return rows.filter(protected_identity=False)
    return rows.filter(permissions.identity_circle_q(reader))


PERSON = pickers.Kind(
    search=search_people,
    describe=describe_person,
    prepare=prepare_people,
    visible=visible_people,
    hint=_("Type part of the name, title or unit, or an extension."),
)


# --- Units ----------------------------------------------------------------------------------


def search_units(rows: QuerySet[Unit], text: str) -> QuerySet[Unit]:
    for word in words(text):
        rows = rows.filter(search_key__contains=word)
    return rows.order_by("name", "pk")


def describe_unit(unit: Unit, reader: Any) -> tuple[str, str]:
    if unit.parent_id is None:
        return unit.name, gettext("Förvaltning")
    parent = cast(Unit, unit.parent)
    detail = parent.name
    if parent.pk != unit.forvaltning_id:
        detail = f"{detail}, {cast(Unit, unit.forvaltning).name}"
    return unit.name, detail


UNIT = pickers.Kind(
    search=search_units,
    describe=describe_unit,
    prepare=lambda rows: rows.select_related("parent", "forvaltning"),
    hint=_("Type part of the unit's name."),
)


# --- Organisation's sources ------------------------------------------------------------------


def telesamordnare_choices(unit: Unit) -> QuerySet[Person]:
    """Who may be a unit's telesamordnare: the förvaltning's active staff (ORG-2)."""
    return Person.objects.filter(unit__forvaltning_id=unit.forvaltning_id, is_active=True)


def _telesamordnare_rows(request: HttpRequest) -> QuerySet[Person]:
    unit = get_object_or_404(Unit, pk=pickers.param_id(request, "unit"))
    require(permissions.can_assign_telesamordnare(request.user, unit))
    return telesamordnare_choices(unit)


def budget_manager_choices(current_id: int | None = None) -> QuerySet[Person]:
    """Who may be a cost centre's budget-responsible manager: active people, and the
    current one, active or not."""
    return Person.objects.filter(Q(is_active=True) | Q(pk=current_id or 0))


def _cost_centre_rows(rows: Callable[[], QuerySet[Any]]) -> Callable[[HttpRequest], QuerySet[Any]]:
    def source(request: HttpRequest) -> QuerySet[Any]:
        require(permissions.can_manage_cost_centres(request.user))
        return rows()

    return source


def all_units() -> QuerySet[Unit]:
    return Unit.objects.all()


def _any_unit(request: HttpRequest) -> QuerySet[Unit]:
    """Every unit, for every signed-in user (a phone note's unit)."""
    return all_units()


pickers.register("telesamordnare", kind=PERSON, rows=_telesamordnare_rows, params=["unit"])
pickers.register("budget-manager", kind=PERSON, rows=_cost_centre_rows(budget_manager_choices))
pickers.register("cost-centre-unit", kind=UNIT, rows=_cost_centre_rows(all_units))
pickers.register("unit", kind=UNIT, rows=_any_unit)
