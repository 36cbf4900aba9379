"""Reads of change requests and entry history, shaped for the pages that show them."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.inbox import Source
from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.numbers import format_number

from .choices import RequestKind, RequestStatus
from .models import ChangeRequest, Subscription
from .permissions import can_handle_change_requests

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Field order on every page: the order of the entry form.
ENTRY_FIELDS = ("title", "room", "secondary_number", "unit")


@dataclass(frozen=True)
class ChangeRow:
    """One field of a difference, ready to show: label, old and new as a person reads them.

    An empty value is None, so the template can say "(empty)" in the user's language."""

    field: str
    label: "StrOrPromise"
    old: str | None
    new: str | None


# {related model: {pk: instance}}: the objects a difference names (see _lookups).
Related = Mapping[Any, Mapping[Any, models.Model]]


def concrete_field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The field `name` of `model` that a change or an entry names: always a concrete
    field (never a reverse relation or a generic foreign key), as they are stored by
    column."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def display_name(user: User | None) -> str | None:
    """The name a person goes by, else the username; None for no user (the system)."""
    if user is None:
        return None
    try:
        return user.person.full_name
    except Person.DoesNotExist:
        return user.get_username()


def _display_value(
    model: type[models.Model], field: str, value: Any, related: Related
) -> str | None:
    """A stored value of a field of `model` as a person reads it; `related` maps a related
    model to {pk: instance} for relations (see _lookups)."""
    if value in (None, ""):
        return None
    model_field = concrete_field(model, field)
    if model_field.is_relation:
        instance = related.get(model_field.related_model, {}).get(value)
        if instance is None:
            return f"#{value}"
        if isinstance(instance, Unit):
            return instance.name
        if isinstance(instance, get_user_model()):
            return instance.get_username()
        return str(instance)
    if field.endswith("number") and isinstance(value, str) and value.startswith("+"):
        return format_number(value)
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _label(model: type[models.Model], field: str) -> "StrOrPromise":
    return capfirst(concrete_field(model, field).verbose_name)


def _lookups(triples: Iterable[tuple[type[models.Model], str, Any]]) -> Related:
    """The related objects named in (model, field, value) triples: {related model: {pk:
    instance}}, one query per related model."""
    wanted: dict[Any, set[Any]] = {}
    for model, field, value in triples:
        model_field = model._meta.get_field(field)
        if model_field.is_relation and value not in (None, ""):
            wanted.setdefault(model_field.related_model, set()).add(value)
    return {related: related._default_manager.in_bulk(pks) for related, pks in wanted.items()}


def _rows(
    model: type[models.Model], changes: Iterable[tuple[str, Any, Any]], related: Related
) -> list[ChangeRow]:
    """[(field, old, new)] -> [ChangeRow], entry fields first in form order."""
    order = {field: index for index, field in enumerate(ENTRY_FIELDS)}
    rows = sorted(changes, key=lambda change: (order.get(change[0], len(order)), change[0]))
    return [
        ChangeRow(
            field=field,
            label=_label(model, field),
            old=_display_value(model, field, old, related),
            new=_display_value(model, field, new, related),
        )
        for field, old, new in rows
    ]


def _model_of(request: ChangeRequest) -> type[models.Model]:
    # get_for_id is cached: no query per request.
    model = ContentType.objects.get_for_id(request.content_type_id).model_class()
    assert model is not None, "a change request of a model that no longer exists"
    return model


def with_change_rows(change_requests: Iterable[ChangeRequest]) -> list[ChangeRequest]:
    """Attach `rows` (a list of ChangeRow) to each request; one query per related model
    the differences name (units, cost centres, ...)."""
    change_requests = list(change_requests)
    triples = [
        (_model_of(request), field, value)
        for request in change_requests
        for field, change in request.changes.items()
        for value in (change.get("old"), change.get("new"))
    ]
    related = _lookups(triples)
    for request in change_requests:
        request.rows = _rows(
            _model_of(request),
            [(field, c.get("old"), c.get("new")) for field, c in request.changes.items()],
            related,
        )
        request.requester_name = display_name(request.requested_by)
        request.decider_name = display_name(request.decided_by)
    return change_requests


def _person_type() -> ContentType:
    return ContentType.objects.get_for_model(Person)


# Other apps whose objects are change request targets register how the queue loads them
# (e.g. a device with its catalogue model), so a page of requests costs a fixed number of
# queries: register_target_queryset(lambda: Device.objects.select_related("model")).
_TARGET_QUERYSETS: list[Callable[[], QuerySet[Any]]] = []


def register_target_queryset(factory: Callable[[], QuerySet[Any]]) -> None:
    _TARGET_QUERYSETS.append(factory)


def change_request_queue(
    *,
    status: str | None = RequestStatus.PENDING,
    forvaltning: Unit | None = None,
    older_than_days: int | None = None,
    kind: str | None = None,
) -> QuerySet[ChangeRequest]:
    """The Tele kundtjänst queue, oldest first, with requester, entry and unit in a fixed
    number of queries however many requests there are."""
    queryset = ChangeRequest.objects.select_related(
        "requested_by__person", "decided_by__person", "forvaltning"
    ).prefetch_related(
        GenericPrefetch(
            "target",
            list[QuerySet[Any]](
                [
                    Person.objects.select_related("unit"),
                    Subscription.objects.select_related("unit", "holder"),
                    *(factory() for factory in _TARGET_QUERYSETS),
                ]
            ),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    if forvaltning is not None:
        queryset = queryset.filter(forvaltning=forvaltning)
    if older_than_days:
        queryset = queryset.filter(
            requested_at__lt=timezone.now() - timedelta(days=older_than_days)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("requested_at", "pk")


def entry_requests(person: Person) -> QuerySet[ChangeRequest]:
    """Change requests of one person's entry, newest first."""
    return (
        ChangeRequest.objects.filter(content_type=_person_type(), object_id=person.pk)
        .select_related("requested_by__person", "decided_by__person")
        .order_by("-requested_at", "-pk")
    )


def entry_for_page(pk: int) -> Person:
    return Person.objects.select_related("unit", "unit__forvaltning").get(pk=pk)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str | None
    kind: str
    reason: str
    rows: list[ChangeRow]


def entry_history(person: Person) -> list[HistoryEntry]:
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
    related = _lookups(
        [(Person, c[0], value) for changes in deltas for c in changes for value in c[1:]]
    )
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    return [
        HistoryEntry(
            when=record.history_date,
            who=display_name(record.history_user),
            kind=kinds.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            rows=_rows(Person, changes, related),
        )
        for record, changes in zip(records, deltas, strict=True)
    ]


# --- The start page's inbox (issue 19.1) -------------------------------------------------

_WAITING_LABELS = {
    RequestKind.ENTRY: gettext_lazy("Directory entry changes to apply"),
    RequestKind.SUBSCRIPTION: gettext_lazy("Subscription changes to apply"),
    RequestKind.BARRING: gettext_lazy("Call-barring changes to apply"),
    RequestKind.DEVICE: gettext_lazy("Device changes to apply (cost centre)"),
    RequestKind.BLOCK: gettext_lazy("Operator blocks to confirm (loss or theft)"),
    RequestKind.CANCELLATION: gettext_lazy("Cancellations to make at the operator"),
}


def waiting_for(user: AnyUser) -> list[Source]:
    """Tele kundtjänst: the change requests waiting in the queue, one line per kind (an
    operator block apart from the rest), each linking to the queue of that kind. Nothing
    for anyone else."""
    if not can_handle_change_requests(user):
        return []
    queue = reverse("subscriptions:change_request_list")
    pending = ChangeRequest.objects.filter(status=RequestStatus.PENDING)
    return [
        Source(
            key=f"subscriptions.change_requests.{kind}",
            label=label,
            waiting=pending.filter(kind=kind),
            since="requested_at",
            url=f"{queue}?{urlencode({'kind': kind})}",
        )
        for kind, label in _WAITING_LABELS.items()
    ]


def subscription_for_page(pk: int) -> Subscription:
    """A subscription with what its page and the permission predicates read."""
    return Subscription.objects.select_related(
        "holder__unit", "unit__forvaltning", "cost_centre__budget_manager"
    ).get(pk=pk)


def cancellation_requests(subscription: Subscription) -> QuerySet[ChangeRequest]:
    """SUB-5, X-3: the cancellations at the operator asked for this subscription."""
    return ChangeRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(Subscription),
        object_id=subscription.pk,
        kind=RequestKind.CANCELLATION,
    ).order_by("-requested_at")
