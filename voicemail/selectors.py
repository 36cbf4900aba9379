"""Reads of voicemail boxes and registrations that views, the start page and telesök share."""

from datetime import datetime, time
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from absence import workdays
from common.inbox import Source
from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from compliance.selectors import open_flag_counts
from organisation.models import Person, Unit
from organisation.permissions import _headed_paths, person_of
from subscriptions.choices import Status as PhoneStatus
from subscriptions.models import Subscription

from .choices import MESSAGE_KINDS
from .models import Listening, MessageRecord, VoicemailBox

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class LastListening(TypedDict):
    last_listened_at: datetime | None


# A box annotated by with_last_listening.
ListenedBox: TypeAlias = "WithAnnotations[VoicemailBox, LastListening]"


def _boxes() -> QuerySet[VoicemailBox]:
    return VoicemailBox.objects.select_related(
        "subscription__holder", "subscription__unit", "deputy", "greeting_confirmed_by"
    )


def with_last_listening(boxes: QuerySet[VoicemailBox]) -> QuerySet[ListenedBox]:
    last = Listening.objects.filter(box_id=OuterRef("pk")).order_by("-listened_at", "-pk")
    return boxes.annotate(last_listened_at=Subquery(last.values("listened_at")[:1]))


def boxes_to_listen(person: Person | None, *, now: datetime | None = None) -> list[ListenedBox]:
    """The start page's list (VM-4): boxes in use that take messages and that the person
    marks listened: as holder, as deputy, or as the manager of a function phone's unit."""
    if person is None:
        return []
    today = timezone.localdate(now or workdays.now())
    rows = list(
        with_last_listening(
            _boxes()
            .filter(Q(subscription__holder=person) | Q(deputy=person) | _function_of(person))
            .filter(is_on=True, kind__in=MESSAGE_KINDS, subscription__status=PhoneStatus.ACTIVE)
            .order_by("subscription__number", "pk")
        )
    )
    for box in rows:
        last = box.last_listened_at
        box.listened_today = last is not None and timezone.localdate(last) == today
        box.as_deputy = box.deputy_id == person.pk and box.subscription.holder_id != person.pk
    return rows


def _function_of(person: Person) -> Q:
    return Q(subscription__holder__isnull=True, subscription__unit__manager=person)


def box_detail(pk: int) -> VoicemailBox:
    return _boxes().select_related("approved_by__person").get(pk=pk)


def listenings_of(box: VoicemailBox, limit: int = 10) -> QuerySet[Listening]:
    return box.listenings.select_related("by").order_by("-listened_at", "-pk")[:limit]


def unit_boxes(unit: Unit) -> QuerySet[ListenedBox]:
    """Boxes of the unit's phones and of every unit below it, with their last listening."""
    return with_last_listening(
        _boxes()
        .filter(subscription__unit__path__startswith=unit.path)
        .order_by("subscription__unit__path", "subscription__number", "pk")
    )


def approvable_subscriptions(unit: Unit) -> QuerySet[Subscription]:
    """Active phones of the unit and below that have no box yet (VM-1)."""
    return (
        Subscription.objects.filter(
            unit__path__startswith=unit.path,
            status=PhoneStatus.ACTIVE,
            voicemail_box__isnull=True,
        )
        .select_related("holder")
        .order_by("number")
    )


def approvable_for(user: AnyUser, unit: Unit) -> QuerySet[Subscription]:
    """The phones `user` (the unit's manager) may approve a box for: not their own."""
    choices = approvable_subscriptions(unit)
    own = person_of(user)
    return choices.exclude(holder=own) if own is not None else choices


def _records() -> QuerySet[MessageRecord]:
    return MessageRecord.objects.select_related(
        "box__subscription__holder", "unit", "registered_by__person"
    )


def unit_records(unit: Unit) -> QuerySet[MessageRecord]:
    """VM-5: registered messages of the unit and below, newest first."""
    return _records().filter(unit__path__startswith=unit.path).order_by("-received_at", "-pk")


def visible_records(user: AnyUser) -> QuerySet[MessageRecord]:
    """Registrations the user may read: of boxes they hold or deputise, of units they
    manage, all for Tele kundtjänst."""
    if is_service_desk_or_admin(user):
        return _records()
    person = person_of(user)
    q = Q(pk__in=[])
    if person is not None:
        q |= Q(box__subscription__holder=person) | Q(box__deputy=person)
    for path in _headed_paths(user) if _may_manage(user) else ():
        q |= Q(unit__path__startswith=path)
    return _records().filter(q)


def _may_manage(user: AnyUser) -> bool:
    return bool({Role.ENHETSCHEF, Role.FORVALTNINGSCHEF} & roles_of(user))


def case_records(user: AnyUser, case_number: str | None) -> QuerySet[MessageRecord]:
    """VM-5: the user's visible registrations under one case number (exact, case and
    spaces ignored at the ends)."""
    case_number = (case_number or "").strip()
    if not case_number:
        return MessageRecord.objects.none()
    return (
        visible_records(user)
        .filter(case_number__iexact=case_number)
        .order_by("-received_at", "-pk")
    )


def record_detail(pk: int) -> MessageRecord:
    return _records().get(pk=pk)


def unit_flag_counts(unit: Unit) -> dict[str, int]:
    """{rule: open flags} of voicemail boxes in the unit and below (telesök's unit page)."""
    return open_flag_counts(under=unit, model=VoicemailBox)


# --- The start page's inbox (issue 19.1) -------------------------------------------------


def waiting_for(user: AnyUser, *, now: datetime | None = None) -> list[Source]:
    """VM-4: on a working day, the boxes of boxes_to_listen() not yet marked listened
    today; each has waited since its last listening (or since it was switched on). The
    start page lists them with "Listened". Nothing on other days."""
    person = person_of(user)
    today = timezone.localdate(now or workdays.now())
    if person is None or not workdays.is_working_day(today):
        return []
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    boxes = (
        with_last_listening(
            VoicemailBox.objects.filter(
                Q(subscription__holder=person) | Q(deputy=person) | _function_of(person)
            ).filter(is_on=True, kind__in=MESSAGE_KINDS, subscription__status=PhoneStatus.ACTIVE)
        )
        .filter(Q(last_listened_at__isnull=True) | Q(last_listened_at__lt=start_of_today))
        .annotate(since=Coalesce("last_listened_at", "switched_on_at", "approved_at"))
    )
    return [
        Source(
            key="voicemail.to_listen",
            label=_("Voicemail boxes to listen to today"),
            waiting=boxes,
            since="since",
            url=reverse("start") + "#voicemail-heading",
        )
    ]
