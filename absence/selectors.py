"""Reads of hänvisningar that views, telesök, the API and the sweep share.

A redirect is current while it is active and starts_at <= now < ends_at (no end: open).
Reads compare with the clock, so a hänvisning is over the moment its end passes."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.guideline import guideline
from organisation.models import Person
from subscriptions.choices import Status as SubscriptionStatus
from subscriptions.models import Subscription

from . import workdays
from .choices import Preset, Reason, Status
from .models import Redirect, Trip, back_at_display

LUNCH_MINUTES = 45


def current_q(now: datetime) -> Q:
    return Q(status=Status.ACTIVE, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def not_over_q(now: datetime) -> Q:
    """Current or planned."""
    return Q(status=Status.ACTIVE) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def current_redirects(
    subscription_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, Redirect]:
    """{subscription id: its current Redirect} for the given subscriptions; one query,
    whatever their number (telesök attaches these to its hits)."""
    ids = list(subscription_ids)
    if not ids:
        return {}
    now = now or workdays.now()
    # No ORDER BY: a phone has one current redirect at most (redirect_no_overlap), and
    # compiling the model's ordering was a third of this query's time (issue 19).
    rows = (
        Redirect.objects.filter(current_q(now), subscription_id__in=ids)
        .select_related("target_subscription__holder")
        .order_by()
    )
    return {redirect.subscription_id: redirect for redirect in rows}


def redirects_of(person: Person, *, now: datetime | None = None) -> QuerySet[Redirect]:
    """The person's current and planned redirects, soonest first, with who set them."""
    now = now or workdays.now()
    return (
        Redirect.objects.filter(not_over_q(now), subscription__holder=person)
        .select_related("subscription__holder", "target_subscription__holder", "set_by__person")
        .order_by("starts_at", "pk")
    )


def current_redirect_of(person: Person, *, now: datetime | None = None) -> Redirect | None:
    """The person's current redirect (of any of their phones), or None."""
    now = now or workdays.now()
    return (
        Redirect.objects.filter(current_q(now), subscription__holder=person)
        .select_related("target_subscription__holder", "set_by__person")
        .order_by("subscription__kind", "pk")
        .first()
    )


def phones_of(person: Person) -> QuerySet[Subscription]:
    """The person's active subscriptions, the ones a hänvisning is set on."""
    return Subscription.objects.filter(holder=person, status=SubscriptionStatus.ACTIVE).order_by(
        "kind", "number"
    )


def presence_feed(*, now: datetime | None = None) -> QuerySet[Redirect]:
    """Current redirects for the switchboard (ABS-1): function phones, and phones of
    active people without protected identity (ORG-4); one query."""
    now = now or workdays.now()
    return (
        Redirect.objects.filter(current_q(now))
        .exclude(subscription__status=SubscriptionStatus.CANCELLED)
        .filter(
            Q(subscription__holder__isnull=True)
            | Q(
                subscription__holder__is_active=True,
                subscription__holder__protected_identity=False,
            )
        )
        .select_related("subscription__holder", "subscription__unit", "target_subscription__holder")
        .order_by("subscription__unit__name", "subscription__number", "pk")
    )


@dataclass(frozen=True)
class PresetChoice:
    key: str
    label: str
    reason: str
    ends_at: datetime


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


def presets(person: Person, *, now: datetime | None = None) -> list[PresetChoice]:
    """The one-click hänvisningar (ABS-1) as they stand right now: "Lunch till 13:00"
    (after 12:55, 45 minutes from now) and "Gått för dagen – åter i morgon 08:00" (the
    start of the next working day of the person's unit)."""
    now = now or workdays.now()
    today = timezone.localdate(now)
    rules = guideline()
    lunch_end = _at(today, rules.lunch_ends)
    if lunch_end - now < timedelta(minutes=5):
        minutes = math.ceil((now + timedelta(minutes=LUNCH_MINUTES)).timestamp() / 300) * 5
        lunch_end = datetime.fromtimestamp(minutes * 60, tz=now.tzinfo or UTC)
    hours = workdays.working_hours(person.unit, default=workdays.default_hours(rules))
    back = _at(workdays.next_working_day(today), hours.starts)
    return [
        PresetChoice(
            Preset.LUNCH,
            _("Lunch until %(time)s") % {"time": timezone.localtime(lunch_end).strftime("%H:%M")},
            Reason.LUNCH,
            lunch_end,
        ),
        PresetChoice(
            Preset.GONE_FOR_THE_DAY,
            _("Gone for the day – back %(when)s") % {"when": back_at_display(back, now)},
            Reason.GONE_FOR_THE_DAY,
            back,
        ),
    ]


def trips_of(person: Person) -> QuerySet[Trip]:
    return Trip.objects.filter(person=person).select_related("subscription__holder")


def trips_covering(subscription_ids: Iterable[int], start: date, end: date) -> QuerySet[Trip]:
    """ABS-6 -> COST-5: trips of these subscriptions overlapping [start, end] (dates)."""
    return Trip.objects.filter(
        subscription_id__in=list(subscription_ids), starts_on__lte=end, ends_on__gte=start
    )


def trip_checklist() -> list[str]:
    """ABS-6: what the holder does before a trip abroad (shown and e-mailed)."""
    return [
        _(
            "Switch off mobilsvar (voicemail on the mobile) before you leave: calls diverted "
            "to it from abroad are charged at international rates."
        ),
        _("Avoid data roaming: switch it off in the phone's settings and use Wi-Fi."),
        _("Set a hänvisning for your absence so that callers know when you are back."),
        _("Call Tele kundtjänst before you leave if you need international calls opened."),
    ]
