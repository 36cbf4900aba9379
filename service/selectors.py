"""Reads shared by views, the start page and the sweeps. The visibility rules here are the
set-based twins of permissions.py (a list shows exactly what a detail page would open).

DIR-5: nothing here filters or searches by a caller's number or e-mail."""

from collections.abc import Iterable
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from absence import workdays
from common.inbox import Source
from common.roles import Role, is_service_desk, roles_of
from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.permissions import person_of

from .choices import CallbackStatus
from .models import Callback, PhoneNote, ThreatReport
from .permissions import is_kundtjanst


def today() -> date:
    return timezone.localdate(workdays.now())


def _headed(user: AnyUser) -> tuple[tuple[str, bool], ...]:
    """(path, is_förvaltning) of the units whose manager the user's person is; cached on
    the user object for the request."""
    cached: tuple[tuple[str, bool], ...] | None = getattr(user, "_service_headed", None)
    if cached is None:
        roles, person = roles_of(user), person_of(user)
        cached = ()
        if person is not None and (Role.ENHETSCHEF in roles or Role.FORVALTNINGSCHEF in roles):
            cached = tuple(
                (path, parent_id is None)
                for path, parent_id in person.managed_units.values_list("path", "parent_id")
            )
        user._service_headed = cached  # type: ignore[union-attr]  # a per-request cache
    return cached


def _forvaltning_paths(user: AnyUser) -> tuple[str, ...]:
    if Role.FORVALTNINGSCHEF not in roles_of(user):
        return ()
    return tuple(path for path, is_forvaltning in _headed(user) if is_forvaltning)


def _managed_paths(user: AnyUser) -> tuple[str, ...]:
    """Unit paths the user manages (as permissions.manages): as enhetschef their units
    and below, as förvaltningschef their förvaltning."""
    if Role.ENHETSCHEF in roles_of(user):
        return tuple(path for path, _is_forvaltning in _headed(user))
    return _forvaltning_paths(user)


def _under(paths: Iterable[str], field: str) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths), Q(pk__in=[]))


# --- Callbacks (SRV-2) -------------------------------------------------------------------


def recipients_for(user: AnyUser) -> QuerySet[Person]:
    """Who a callback may be recorded for: active people; protected identities only for
    Tele kundtjänst (ORG-4)."""
    people = Person.objects.filter(is_active=True).select_related("unit")
    if not is_service_desk(user):
        people = people.filter(protected_identity=False)
    return people.order_by("last_name", "first_name", "pk")


def call_card_person(pk: int) -> Person:
    """A person for Kundtjänst's call card, with the unit and förvaltning it shows."""
    return Person.objects.select_related("unit__forvaltning").get(pk=pk)


def callbacks_visible_to(user: AnyUser, *, status: str | None = None) -> QuerySet[Callback]:
    rows = Callback.objects.select_related("recipient__unit", "recorded_by__person")
    if not is_service_desk(user):
        person = person_of(user)
        visible = Q(recorded_by=user) | _under(_managed_paths(user), "recipient__unit__path")
        if person is not None:
            visible |= Q(recipient=person)
        if is_kundtjanst(user):
            visible |= Q(recipient__protected_identity=False)
        rows = rows.filter(visible)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("status", "deadline", "received_at", "pk")


def open_callbacks_for(person: Person) -> QuerySet[Callback]:
    """The start page: callbacks waiting for this person, earliest deadline first."""
    return (
        Callback.objects.filter(recipient=person, status=CallbackStatus.OPEN)
        .select_related("recipient")
        .order_by("deadline", "received_at", "pk")
    )


def callback_detail(pk: int) -> Callback:
    return Callback.objects.select_related(
        "recipient__unit", "recorded_by__person", "done_by__person"
    ).get(pk=pk)


def srv_2_breaking(*, day: date | None = None) -> QuerySet[Callback]:
    """SRV-2: open callbacks whose deadline has passed (the deadline day itself is fine)."""
    day = day or today()
    return Callback.objects.filter(status=CallbackStatus.OPEN, deadline__lt=day)


# --- Phone notes (SRV-3) -----------------------------------------------------------------


def phone_notes_visible_to(
    user: AnyUser, *, case_number: str = "", unit: Unit | None = None
) -> QuerySet[PhoneNote]:
    rows = PhoneNote.objects.select_related("unit", "written_by__person")
    person = person_of(user)
    visible = Q(written_by=user) | _under(_managed_paths(user), "unit__path")
    if person is not None:
        visible |= Q(unit_id=person.unit_id)
    rows = rows.filter(visible)
    if case_number:
        rows = rows.filter(case_number=case_number)
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("-received_at", "-pk")


def phone_note_detail(pk: int) -> PhoneNote:
    return PhoneNote.objects.select_related("unit", "written_by__person").get(pk=pk)


# --- Threat reports (SRV-4) --------------------------------------------------------------


def threat_reports_visible_to(user: AnyUser) -> QuerySet[ThreatReport]:
    rows = ThreatReport.objects.select_related("reporter", "manager", "unit")
    if is_service_desk(user):
        return rows
    person = person_of(user)
    if person is None:
        return rows.none()
    visible = (
        Q(reporter=person) | Q(manager=person) | _under(_forvaltning_paths(user), "unit__path")
    )
    return rows.filter(visible)


def unread_threats_for(person: Person) -> QuerySet[ThreatReport]:
    """The start page: threat reports sent to this manager and not yet marked read."""
    return (
        ThreatReport.objects.filter(manager=person, acknowledged_at__isnull=True)
        .select_related("reporter")
        .order_by("-occurred_at", "-pk")
    )


def threat_detail(pk: int) -> ThreatReport:
    return ThreatReport.objects.select_related("reporter__unit", "manager", "unit").get(pk=pk)


# --- The start page's inbox (issue 19.1) -------------------------------------------------


def waiting_for(user: AnyUser) -> list[Source]:
    """SRV-2: callers waiting for this person's callback (the start page lists them with
    "Contacted"); SRV-4: threat reports to this manager not yet marked read."""
    person = person_of(user)
    if person is None:
        return []
    return [
        Source(
            key="service.callbacks",
            label=_("Callers to call back"),
            waiting=Callback.objects.filter(recipient=person, status=CallbackStatus.OPEN),
            since="received_at",
            url=reverse("start") + "#callbacks-heading",
            detail=lambda pk: reverse("service:callback_detail", args=[pk]),
        ),
        Source(
            key="service.threats",
            label=_("Threat reports to read"),
            waiting=ThreatReport.objects.filter(manager=person, acknowledged_at__isnull=True),
            since="created_at",
            url=reverse("start") + "#threats-heading",
            detail=lambda pk: reverse("service:threat_detail", args=[pk]),
        ),
    ]
