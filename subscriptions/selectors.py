"""Reads of change requests and entry history, shaped for the pages that show them."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from organisation.models import Person, Unit
from organisation.numbers import format_number

from .choices import RequestStatus
from .models import ChangeRequest

# Field order on every page: the order of the entry form.
ENTRY_FIELDS = ("title", "room", "secondary_number", "unit")


@dataclass(frozen=True)
class ChangeRow:
    """One field of a difference, ready to show: label, old and new as a person reads them.

    An empty value is None, so the template can say "(empty)" in the user's language."""

    field: str
    label: str
    old: str | None
    new: str | None


def display_name(user):
    """The name a person goes by, else the username; None for no user (the system)."""
    if user is None:
        return None
    try:
        return user.person.full_name
    except Person.DoesNotExist:
        return user.get_username()


def _person_value(field, value, units, users):
    """A stored value of a Person field as a person reads it."""
    if value in (None, ""):
        return None
    if field == "unit":
        unit = units.get(value)
        return unit.name if unit else f"#{value}"
    if field == "user":
        user = users.get(value)
        return user.get_username() if user else f"#{value}"
    if field == "secondary_number":
        return format_number(value)
    model_field = Person._meta.get_field(field)
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _label(field):
    return capfirst(Person._meta.get_field(field).verbose_name)


def _lookups(pairs):
    """Units and users named in (field, value) pairs: at most one query each."""
    unit_ids = {value for field, value in pairs if field == "unit" and value}
    user_ids = {value for field, value in pairs if field == "user" and value}
    units = Unit.objects.in_bulk(unit_ids) if unit_ids else {}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    return units, users


def _rows(changes, units, users):
    """[(field, old, new)] -> [ChangeRow], entry fields first in form order."""
    order = {field: index for index, field in enumerate(ENTRY_FIELDS)}
    rows = sorted(changes, key=lambda change: (order.get(change[0], len(order)), change[0]))
    return [
        ChangeRow(
            field=field,
            label=_label(field),
            old=_person_value(field, old, units, users),
            new=_person_value(field, new, units, users),
        )
        for field, old, new in rows
    ]


def with_change_rows(change_requests):
    """Attach `rows` (a list of ChangeRow) to each request; one query for the unit names."""
    change_requests = list(change_requests)
    pairs = [
        (field, value)
        for request in change_requests
        for field, change in request.changes.items()
        for value in (change.get("old"), change.get("new"))
    ]
    units, users = _lookups(pairs)
    for request in change_requests:
        request.rows = _rows(
            [(field, c.get("old"), c.get("new")) for field, c in request.changes.items()],
            units,
            users,
        )
        request.requester_name = display_name(request.requested_by)
        request.decider_name = display_name(request.decided_by)
    return change_requests


def _person_type():
    return ContentType.objects.get_for_model(Person)


def change_request_queue(*, status=RequestStatus.PENDING, forvaltning=None, older_than_days=None):
    """The Tele kundtjänst queue, oldest first, with requester, entry and unit in a fixed
    number of queries however many requests there are."""
    queryset = ChangeRequest.objects.select_related(
        "requested_by__person", "decided_by__person", "forvaltning"
    ).prefetch_related(GenericPrefetch("target", [Person.objects.select_related("unit")]))
    if status:
        queryset = queryset.filter(status=status)
    if forvaltning is not None:
        queryset = queryset.filter(forvaltning=forvaltning)
    if older_than_days:
        queryset = queryset.filter(
            requested_at__lt=timezone.now() - timedelta(days=older_than_days)
        )
    return queryset.order_by("requested_at", "pk")


def entry_requests(person):
    """Change requests of one person's entry, newest first."""
    return (
        ChangeRequest.objects.filter(content_type=_person_type(), object_id=person.pk)
        .select_related("requested_by__person", "decided_by__person")
        .order_by("-requested_at", "-pk")
    )


def entry_for_page(pk):
    return Person.objects.select_related("unit", "unit__forvaltning").get(pk=pk)


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str | None
    kind: str
    reason: str
    rows: list


def entry_history(person):
    """Every saved version of an entry, newest first, each with who, when, why and the
    field-by-field difference to the version before it (simple-history's diff_against).

    Two queries for the versions and their users, plus at most one each for the unit and
    user names the differences mention."""
    records = list(
        person.history.select_related("history_user__person").order_by(
            "-history_date", "-history_id"
        )
    )
    deltas = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        deltas.append(changes)
    pairs = [(c[0], value) for changes in deltas for c in changes for value in c[1:]]
    units, users = _lookups(pairs)
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    return [
        HistoryEntry(
            when=record.history_date,
            who=display_name(record.history_user),
            kind=kinds.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            rows=_rows(changes, units, users),
        )
        for record, changes in zip(records, deltas, strict=True)
    ]
