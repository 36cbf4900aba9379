"""Every state change of hänvisningar, medflyttningar and trips abroad; keyword-only,
atomic, history-kept with who acted and why.

"A number of the municipality" (ABS-2) is an active subscription in abonnemangsdatabasen,
named by its extension or its number (any written form): a redirect can only lead to such
a subscription, so it never opens a way round call barring (BAR-1)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from common.history import note_history, save_with_history
from common.mail import mail_template_on_commit
from common.users import Actor
from compliance.services import SweepResult, raise_or_resolve
from organisation import identity
from organisation.models import Person, Unit
from organisation.numbers import format_number, parse_number
from organisation.selectors import manager_of
from subscriptions.choices import Kind as PhoneKind
from subscriptions.choices import Status as PhoneStatus
from subscriptions.choices import Unanswered
from subscriptions.models import Subscription

from . import selectors, workdays
from .choices import FOLLOW_TARGETS, PHONE_TARGETS, Kind, Reason, Status, Target
from .models import Redirect, Trip

# Far enough to stand for "no end" when comparing intervals.
_OPEN_END = timedelta(days=365 * 100)


def municipal_subscription(text: str | None) -> Subscription:
    """ABS-2: the active subscription an extension or number names, or a Swedish
    ValidationError: a redirect may only lead to a number of the municipality."""
    raw = (text or "").strip()
    active = Subscription.objects.filter(status=PhoneStatus.ACTIVE).select_related("holder")
    found = None
    if raw.isdigit() and len(raw) <= 8:
        found = active.filter(extension=raw).first()
    if found is None and raw:
        try:
            found = active.filter(number=parse_number(raw)).first()
        except ValidationError:
            found = None
    if found is None:
        raise ValidationError(
            _(
                "“%(value)s” is not a number of the municipality. Calls may only be "
                "redirected to an active extension or municipal mobile, so that no redirect "
                "gets round call barring."
            ),
            code="not_municipal",
            params={"value": raw},
        )
    return found


def _overlapping(
    subscription: Subscription, starts_at: datetime, ends_at: datetime | None
) -> QuerySet[Redirect]:
    """Redirects of `subscription` (not withdrawn) overlapping [starts_at, ends_at)."""
    rows = Redirect.objects.filter(subscription=subscription).exclude(status=Status.CANCELLED)
    rows = rows.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at))
    if ends_at is not None:
        rows = rows.filter(starts_at__lt=ends_at)
    return rows


def _loop_chain(
    sources: Iterable[Subscription],
    target: Subscription,
    starts_at: datetime,
    ends_at: datetime | None,
) -> list[int] | None:
    """ABS-2: follow the redirects from `target` that overlap [starts_at, ends_at); the
    chain of subscriptions back to one of `sources`, or None. The rows on the way are
    locked, so two people closing a loop at once cannot both succeed."""
    source_ids = {s.pk for s in sources}
    seen, frontier = {target.pk}, [target.pk]
    parent: dict[int, int | None] = {target.pk: None}
    while frontier:
        list(Subscription.objects.select_for_update().filter(pk__in=frontier).values_list("pk"))
        onward = (
            _overlapping_many(frontier, starts_at, ends_at)
            .filter(target_subscription__isnull=False)
            .select_for_update()
            .values_list("subscription_id", "target_subscription_id")
        )
        frontier = []
        for from_id, to_id in onward:
            if to_id in source_ids:
                path = [to_id, from_id]
                step = parent[from_id]
                while step is not None:
                    path.append(step)
                    step = parent[step]
                return list(reversed(path))
            if to_id not in seen:
                seen.add(to_id)
                parent[to_id] = from_id
                frontier.append(to_id)
    return None


def _overlapping_many(
    subscription_ids: Iterable[int], starts_at: datetime, ends_at: datetime | None
) -> QuerySet[Redirect]:
    rows = Redirect.objects.filter(subscription_id__in=subscription_ids).exclude(
        status=Status.CANCELLED
    )
    rows = rows.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at))
    if ends_at is not None:
        rows = rows.filter(starts_at__lt=ends_at)
    return rows


def _check_target(
    *,
    actor: User,
    kind: str,
    target: str,
    target_subscription: Subscription | None,
    subscriptions: Iterable[Subscription],
) -> Subscription | None:
    if kind == Kind.MEDFLYTTNING and target not in FOLLOW_TARGETS:
        raise ValidationError(
            {"target": _("A follow-me goes to another extension or a municipal mobile.")}
        )
    if target not in PHONE_TARGETS:
        return None
    if target_subscription is None:
        raise ValidationError({"target_number": _("Give the extension or number calls go to.")})
    if target_subscription.status != PhoneStatus.ACTIVE:
        raise ValidationError(
            {"target_number": _("That number is not an active subscription of the municipality.")}
        )
    if target == Target.MOBILE and target_subscription.kind != PhoneKind.MOBILE:
        raise ValidationError({"target_number": _("That number is not a municipal mobile.")})
    if target == Target.EXTENSION and not target_subscription.extension:
        raise ValidationError({"target_number": _("That number has no extension.")})
    if target == Target.RECEPTION and target_subscription.kind != PhoneKind.FUNCTION:
        raise ValidationError(
            {"target_number": _("That number is not a reception or other function phone.")}
        )
    if any(s.pk == target_subscription.pk for s in subscriptions):
        raise ValidationError({"target_number": _("A phone cannot be redirected to itself.")})
    if identity.phone_is_hidden(actor, target_subscription):
        # ORG-4: a protected identity is no redirect target for anyone outside its circle
        # (the README says so); the message does not say why.
        raise ValidationError(
            {"target_number": _("That number cannot be chosen. Choose another colleague.")}
        )
    return target_subscription


@transaction.atomic
def redirect_create(
    *,
    actor: User,
    subscriptions: Iterable[Subscription],
    target: str,
    kind: str = Kind.HANVISNING,
    reason: str = "",
    ends_at: datetime | None = None,
    starts_at: datetime | None = None,
    target_subscription: Subscription | None = None,
    message: str | None = "",
    why: str | None = None,
) -> list[Redirect]:
    """ABS-1/ABS-2: set a hänvisning or medflyttning on each of `subscriptions`.

    Refused with a Swedish message, and nothing saved, when: the end has passed or is
    before the start; a hänvisning lacks reason or end; the target is not an active
    municipal number of the right kind; a phone would redirect to itself; the redirects
    would form a loop (A -> B -> ... -> A); or a phone already has a redirect that
    overlaps (PostgreSQL also refuses that with an exclusion constraint)."""
    now = workdays.now()
    starts_at = max(starts_at or now, now)
    message = (message or "").strip()
    ids = sorted({s.pk for s in subscriptions})
    if not ids:
        raise ValidationError({"phones": _("Choose at least one phone.")})
    phones = list(Subscription.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if any(phone.status != PhoneStatus.ACTIVE for phone in phones):
        raise ValidationError({"phones": _("Only an active phone can be redirected.")})
    if kind == Kind.HANVISNING:
        if reason not in Reason.values:
            raise ValidationError({"reason": _("Choose a reason.")})
        if ends_at is None:
            raise ValidationError({"ends_at": _("Say until when.")})
    else:
        reason = ""
    if ends_at is not None and ends_at <= now:
        raise ValidationError(
            {"ends_at": _("That time has already passed. Give a time later than now.")}
        )
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    target_subscription = _check_target(
        actor=actor,
        kind=kind,
        target=target,
        target_subscription=target_subscription,
        subscriptions=phones,
    )
    if target_subscription is not None:
        loop = _loop_chain(phones, target_subscription, starts_at, ends_at)
        if loop:
            numbers = dict(Subscription.objects.filter(pk__in=loop).values_list("pk", "number"))
            shown = [format_number(numbers[pk]) for pk in [loop[-1], *loop]]
            raise ValidationError(
                {
                    "target_number": _(
                        "That would send calls round in a loop (%(chain)s). Choose another target."
                    )
                    % {"chain": " → ".join(shown)}
                }
            )
    for phone in phones:
        clash = _overlapping(phone, starts_at, ends_at).first()
        if clash is not None:
            raise ValidationError(
                _(
                    "%(phone)s already has a redirect (%(summary)s) at that time. End or "
                    "withdraw it first."
                )
                % {"phone": phone, "summary": clash.summary}
            )
    created = []
    for phone in phones:
        redirect = Redirect(
            subscription=phone,
            kind=kind,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            target=target,
            target_subscription=target_subscription,
            message=message,
            set_by=actor,
            created_at=now,
        )
        try:
            with transaction.atomic():
                save_with_history(redirect, actor=actor, reason=why or _("Redirect set"))
        except IntegrityError as exc:
            if "redirect_no_overlap" not in str(exc):
                raise
            # Two requests at once: the exclusion constraint decided (PostgreSQL).
            raise ValidationError(
                _("%(phone)s already has a redirect at that time.") % {"phone": phone}
            ) from exc
        created.append(redirect)
    _inform_holder_if_set_by_another(created, actor)
    return created


def _inform_holder_if_set_by_another(redirects: Iterable[Redirect], actor: Actor) -> None:
    """ABS-3: a hänvisning the manager set for a sick employee is e-mailed to them."""
    pks = [
        r.pk
        for r in redirects
        if r.subscription.holder_id is not None
        and getattr(r.subscription.holder, "user_id", None) != getattr(actor, "pk", None)
    ]
    if pks:
        transaction.on_commit(lambda: _mail_set_by_another(pks))


def _mail_set_by_another(pks: list[int]) -> None:
    redirects = list(
        Redirect.objects.filter(pk__in=pks).select_related(
            "subscription__holder", "set_by__person", "target_subscription__holder"
        )
    )
    if not redirects:
        return
    holder = redirects[0].subscription.holder
    if holder is None or not holder.email:  # never None: only holders' redirects come here
        return
    context = {
        "redirect": redirects[0],
        "holder": holder,
        "set_by": getattr(redirects[0].set_by, "person", None) or redirects[0].set_by,
        "url": settings.TELEFONI_SITE_URL + reverse("absence:mine"),
    }
    mail_template_on_commit([holder.email], "absence/email/set_by_another", context)


def _unanswered_target(phone: Subscription) -> str:
    """ABS-5: a one-click hänvisning sends calls where the phone's unanswered calls go."""
    return Target.VOICEMAIL if phone.unanswered_to == Unanswered.VOICEMAIL else Target.KUNDTJANST


@transaction.atomic
def redirect_quick_set(*, actor: User, person: Person, preset: str) -> list[Redirect]:
    """ABS-1 in one click: "Lunch till 13:00" or "Gått för dagen – åter i morgon 08:00"
    on all the person's active phones. A current hänvisning ends now and the new one
    starts; calls go where the phone's unanswered calls go (Kundtjänst or voicemail)."""
    now = workdays.now()
    choices = {choice.key: choice for choice in selectors.presets(person, now=now)}
    if preset not in choices:
        raise ValidationError(_("Unknown quick choice."))
    choice = choices[preset]
    phones = list(selectors.phones_of(person))
    if not phones:
        raise ValidationError(_("You have no active phone to set a redirect on."))
    for redirect in Redirect.objects.filter(
        selectors.current_q(now), subscription__in=phones
    ).select_related("subscription__holder"):
        redirect_end(actor=actor, redirect=redirect, why=_("Replaced by a quick choice"))
    created = []
    for phone in phones:
        created += redirect_create(
            actor=actor,
            subscriptions=[phone],
            reason=choice.reason,
            ends_at=choice.ends_at,
            target=_unanswered_target(phone),
            why=_("Quick choice: %(label)s") % {"label": choice.label},
        )
    return created


@transaction.atomic
def redirect_end(*, actor: Actor, redirect: Redirect, why: str | None = None) -> Redirect:
    """End a redirect now ("Jag är tillbaka"), or withdraw one that has not begun. One
    that is already over is left as it is (no-op)."""
    now = workdays.now()
    redirect = Redirect.objects.select_for_update().get(pk=redirect.pk)
    if redirect.status != Status.ACTIVE:
        return redirect
    if redirect.starts_at >= now:
        redirect.status = Status.CANCELLED
        default_why = _("Withdrawn before it began")
    else:
        redirect.status = Status.ENDED
        if redirect.ends_at is None or redirect.ends_at > now:
            redirect.ends_at = now
        default_why = _("Ended: back")
    save_with_history(redirect, actor=actor, reason=why or default_why)
    return redirect


@transaction.atomic
def redirect_back(*, actor: Actor, person: Person) -> int:
    """ "Jag är tillbaka": end every current redirect of the person's phones at once.
    Planned ones stay. Returns how many ended."""
    now = workdays.now()
    current = list(Redirect.objects.filter(selectors.current_q(now), subscription__holder=person))
    for redirect in current:
        redirect_end(actor=actor, redirect=redirect, why=_("Ended: back"))
    return len(current)


# --- Trips abroad (ABS-6) -----------------------------------------------------------------


@transaction.atomic
def trip_register(
    *,
    actor: User,
    person: Person,
    subscription: Subscription,
    destination: str | None,
    starts_on: date,
    ends_on: date,
) -> Trip:
    """ABS-6: register a trip abroad; the holder is e-mailed the checklist (switch off
    mobilsvar, avoid data roaming) and the dates are kept for the cost checks."""
    destination = (destination or "").strip()
    if not destination:
        raise ValidationError({"destination": _("Say where you are going.")})
    if subscription.holder_id != person.pk or subscription.status != PhoneStatus.ACTIVE:
        raise ValidationError({"subscription": _("Choose one of your active phones.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The return must be on or after the departure.")})
    if ends_on < timezone.localdate(workdays.now()):
        raise ValidationError({"ends_on": _("That trip has already ended.")})
    trip = Trip(
        person=person,
        subscription=subscription,
        destination=destination,
        starts_on=starts_on,
        ends_on=ends_on,
        registered_by=actor,
        created_at=workdays.now(),
    )
    save_with_history(trip, actor=actor, reason=_("Trip abroad registered"))
    transaction.on_commit(lambda: _mail_trip_checklist(trip.pk))
    return trip


def _mail_trip_checklist(trip_pk: int) -> None:
    trip = Trip.objects.select_related("person", "subscription").get(pk=trip_pk)
    if not trip.person.email or trip.checklist_sent_at is not None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "trip": trip,
            "checklist": selectors.trip_checklist(),
            "starts_on": formats.date_format(trip.starts_on, "j F Y"),
            "ends_on": formats.date_format(trip.ends_on, "j F Y"),
            "url": settings.TELEFONI_SITE_URL + reverse("absence:trips"),
        }
        mail_template_on_commit([trip.person.email], "absence/email/trip_checklist", context)
    trip.checklist_sent_at = timezone.now()
    note_history(trip, actor=None, reason=_("Checklist e-mailed"))
    trip.save(update_fields=["checklist_sent_at"])


# --- A unit's hours (ABS-1, SRV-1) ----------------------------------------------------------


@transaction.atomic
def unit_set_hours(
    *,
    actor: Actor,
    unit: Unit,
    workday_starts: time | None,
    workday_ends: time | None,
    phone_hours: str | None,
) -> Unit:
    """The unit's working day (for "åter i morgon 08:00") and its telefontid (SRV-1)."""
    if (workday_starts is None) != (workday_ends is None):
        raise ValidationError(
            {"workday_ends": _("Give both the start and the end of the working day, or neither.")}
        )
    if workday_starts is not None and workday_ends is not None and workday_ends <= workday_starts:
        raise ValidationError({"workday_ends": _("The end must be after the start.")})
    unit.workday_starts, unit.workday_ends = workday_starts, workday_ends
    unit.phone_hours = " ".join((phone_hours or "").split())
    save_with_history(unit, actor=actor, reason=_("Working day and phone hours updated"))
    return unit


# --- The nightly sweep ---------------------------------------------------------------------


def close_expired(*, now: datetime | None = None) -> int:
    """Close hänvisningar whose end has passed (reads already treat them as over): one
    query finds them, one bulk update closes them, each with a history row."""
    now = now or workdays.now()
    expired = list(Redirect.objects.filter(status=Status.ACTIVE, ends_at__lte=now))
    for redirect in expired:
        redirect.status = Status.ENDED
    if expired:
        bulk_update_with_history(
            expired,
            Redirect,
            ["status"],
            default_change_reason=_("Ended by itself at its end time"),
        )
    return len(expired)


def abs_1_breaking(*, now: datetime | None = None) -> QuerySet[Redirect]:
    """ABS-1: hänvisningar, current or planned, that hold a whole working day or more of
    the phone's unit and whose calls go nowhere (no target, or a target that is no longer
    an active subscription). Candidates come from one query; whether they hold a whole
    working day is read against the Swedish calendar and the units' hours."""
    now = now or workdays.now()
    candidates = (
        Redirect.objects.filter(selectors.not_over_q(now), kind=Kind.HANVISNING)
        .filter(
            Q(target=Target.NOWHERE)
            | (
                Q(target_subscription__isnull=False)
                & ~Q(target_subscription__status=PhoneStatus.ACTIVE)
            )
        )
        .values_list("pk", "starts_at", "ends_at", "subscription__unit__path")
    )
    hours = workdays.units_with_hours()
    ids = [
        pk
        for pk, starts_at, ends_at, path in candidates
        if workdays.covers_a_working_day(starts_at, ends_at, workdays.hours_from_path(path, hours))
    ]
    return Redirect.objects.filter(pk__in=ids)


def sweep_absence(*, now: datetime | None = None) -> tuple[int, SweepResult]:
    """The nightly ABS-1 sweep: close expired hänvisningar, then raise flag ABS-1 to the
    holder for every long absence whose calls go nowhere (resolve it when that changes),
    and tell the holder's manager once, when the flag opens. Idempotent."""
    now = now or workdays.now()
    with transaction.atomic():
        closed = close_expired(now=now)
        result = raise_or_resolve(
            rule_id="ABS-1",
            breaking=abs_1_breaking(now=now),
            unit_field="subscription__unit_id",
            responsible_field="subscription__holder_id",
        )
        new_ids = {flag.object_id for flag in result.new_flags}
        if new_ids:
            transaction.on_commit(lambda: _mail_managers(sorted(new_ids)))
    return closed, result


def _mail_managers(redirect_ids: list[int]) -> None:
    rows = Redirect.objects.filter(pk__in=redirect_ids).select_related(
        "subscription__holder__unit", "subscription__unit"
    )
    for redirect in rows:
        holder = redirect.subscription.holder
        if holder is None:
            continue
        manager = manager_of(holder)
        if manager is None or not manager.email:
            continue
        context = {
            "redirect": redirect,
            "holder": holder,
            "url": settings.TELEFONI_SITE_URL + reverse("directory:person", args=[holder.pk]),
        }
        mail_template_on_commit([manager.email], "absence/email/abs_1_manager", context)
