"""Every state change of voicemail boxes, listening and message registrations
(VM-1..VM-5), and the working-day morning sweep and reminders; keyword-only, atomic,
history-kept with who acted and why.

The clock is absence.workdays.now (tests move it), the calendar absence.workdays
(Swedish public holidays and the eves deadline law counts as holidays)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from absence import workdays
from absence.choices import Kind as RedirectKind
from absence.choices import Reason
from absence.choices import Status as RedirectStatus
from absence.models import Redirect, Trip
from common.history import save_with_history
from common.mail import mail_template_on_commit
from common.users import Actor
from compliance.rules import Rule
from compliance.rules import rule as get_rule
from compliance.selectors import open_rules_for
from compliance.services import SweepResult, raise_or_resolve, resolve_for
from organisation.models import Person, Unit
from organisation.numbers import parse_number
from organisation.selectors import nearest_manager_subquery
from subscriptions.choices import Kind as PhoneKind
from subscriptions.choices import Status as PhoneStatus
from subscriptions.models import Subscription

from .choices import MESSAGE_KINDS, BoxKind, Source
from .models import Listening, MessageRecord, VoicemailBox
from .permissions import person_may_listen

# Hänvisning reasons that are a registered absence (VM-4): the holder is away for the day
# or longer. Lunch, breaks, meetings and "gone for the day" are not.
ABSENCE_REASONS = (Reason.SICK, Reason.LEAVE, Reason.BUSINESS_TRIP, Reason.TRAINING)
# Kinds of phone a mobilsvar belongs to: the mobile's own voicemail.
MOBILSVAR_PHONES = (PhoneKind.MOBILE, PhoneKind.MEX)
# How long the signed "avlyssnad" link of the daily reminder works.
LINK_MAX_AGE = timedelta(hours=24)
LINK_SALT = "voicemail.listen"
# A switchboard clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def _person(actor: Actor) -> Person | None:
    return getattr(actor, "person", None) if actor is not None else None


# --- Boxes ------------------------------------------------------------------------------


@transaction.atomic
def box_approve(
    *, actor: User, subscription: Subscription, kind: str, note: str | None = ""
) -> VoicemailBox:
    """VM-1: the enhetschef approves a box for a phone; it starts switched off, waiting
    for the holder's personal greeting (VM-2)."""
    if subscription.status != PhoneStatus.ACTIVE:
        raise ValidationError(_("Only an active phone can have a voicemail box."))
    if kind == BoxKind.MOBILSVAR and subscription.kind not in MOBILSVAR_PHONES:
        raise ValidationError(
            {"kind": _("Mobilsvar is the voicemail of a mobile or MEX phone; choose another kind.")}
        )
    if VoicemailBox.objects.filter(subscription=subscription).exists():
        raise ValidationError(_("This phone already has a voicemail box."))
    box = VoicemailBox(
        subscription=subscription,
        kind=kind,
        approved_by=actor,
        approved_at=workdays.now(),
        approval_note=" ".join((note or "").split()),
    )
    try:
        with transaction.atomic():
            save_with_history(box, actor=actor, reason=_("Approved by the manager"))
    except IntegrityError:
        raise ValidationError(_("This phone already has a voicemail box.")) from None
    return box


def _lock(box: VoicemailBox) -> VoicemailBox:
    return VoicemailBox.objects.select_for_update().select_related("subscription").get(pk=box.pk)


@transaction.atomic
def box_confirm_greeting(*, actor: Actor, box: VoicemailBox, text: str | None) -> VoicemailBox:
    """VM-2: the holder confirms the personal greeting is recorded; VM-3: a talsvar
    records what it tells callers (e.g. the phone hours)."""
    person = _person(actor)
    if person is None:
        raise ValidationError(_("Your account is not linked to a person in the organisation."))
    box = _lock(box)
    text = (text or "").strip()
    if box.kind == BoxKind.TALSVAR and not text:
        raise ValidationError(
            {"text": _("Write what the announcement tells callers, for example the phone hours.")}
        )
    box.greeting_text = text
    box.greeting_confirmed_at = workdays.now()
    box.greeting_confirmed_by = person
    save_with_history(box, actor=actor, reason=_("Personal greeting confirmed"))
    resolve_if_complies(box)
    return box


def greeting_is_holders(box: VoicemailBox) -> bool:
    """A personal phone's greeting must be confirmed by its present holder (the phone may
    have changed hands since); a function phone's by any of its managers."""
    if box.greeting_confirmed_at is None:
        return False
    holder_id = box.subscription.holder_id
    return holder_id is None or box.greeting_confirmed_by_id == holder_id


@transaction.atomic
def box_switch(*, actor: Actor, box: VoicemailBox, on: bool) -> VoicemailBox:
    """The holder switches the box on (only with a confirmed personal greeting, VM-2) or
    off (during an absence with nobody to listen, VM-4). Already so: nothing changes."""
    box = _lock(box)
    if box.is_on == on:
        return box
    if on and not greeting_is_holders(box):
        raise ValidationError(
            _("Record your personal greeting and confirm it before you switch the box on (VM-2).")
        )
    box.is_on = on
    if on:
        box.switched_on_at = workdays.now()
    save_with_history(box, actor=actor, reason=_("Switched on") if on else _("Switched off"))
    resolve_if_complies(box)
    return box


def find_person(text: str | None) -> Person:
    """A deputy "in the municipality": an active person named by e-mail address,
    extension or number; else a Swedish ValidationError."""
    raw = (text or "").strip()
    people = Person.objects.filter(is_active=True)
    found = None
    if "@" in raw:
        found = people.filter(email__iexact=raw).first()
    elif raw:
        phones = Subscription.objects.filter(status=PhoneStatus.ACTIVE, holder__is_active=True)
        phone = phones.filter(extension=raw).first() if raw.isdigit() and len(raw) <= 8 else None
        if phone is None:
            try:
                phone = phones.filter(number=parse_number(raw)).first()
            except ValidationError:
                phone = None
        found = phone.holder if phone is not None else None
    if found is None:
        raise ValidationError(
            _(
                "“%(value)s” is not an active person of the municipality. Give the deputy's "
                "work e-mail address or extension."
            ),
            code="not_in_municipality",
            params={"value": raw},
        )
    return found


@transaction.atomic
def box_set_deputy(*, actor: Actor, box: VoicemailBox, deputy: Person | None) -> VoicemailBox:
    """VM-4: name the deputy (bevakare) who listens during an absence; None removes."""
    box = _lock(box)
    if deputy is not None:
        if not deputy.is_active:
            raise ValidationError(_("The deputy must be an active person of the municipality."))
        if deputy.pk == box.subscription.holder_id:
            raise ValidationError(_("The holder cannot be their own deputy."))
    if box.deputy_id == (deputy.pk if deputy else None):
        return box
    box.deputy = deputy
    save_with_history(
        box,
        actor=actor,
        reason=_("Deputy named: %(name)s") % {"name": deputy} if deputy else _("Deputy removed"),
    )
    resolve_if_complies(box)
    return box


# --- Listening (VM-4) -------------------------------------------------------------------


@transaction.atomic
def box_listen(
    *,
    actor: Actor,
    box: VoicemailBox,
    source: str,
    by: Person | None = None,
    listened_at: datetime | None = None,
    event_id: str | None = None,
) -> Listening:
    """Mark the box "avlyssnad" (VM-4). Its VM-4 flag closes at once if the box is
    monitored again. Once a day: a box already listened to that day keeps that listening
    (returned with `already` True) and nothing new is written."""
    now = workdays.now()
    listened_at = listened_at or now
    if listened_at > now + CLOCK_SKEW:
        raise ValidationError(_("A box cannot be listened to in the future."))
    if not box.takes_messages:
        raise ValidationError(_("A talsvar takes no messages: there is nothing to listen to."))
    day = timezone.localdate(listened_at)
    listening = _listening_of_day(box, day)
    if listening is not None:
        return listening
    try:
        with transaction.atomic():
            listening = Listening.objects.create(
                box=box,
                listened_at=listened_at,
                listened_on=day,
                by=by if by is not None else _person(actor),
                source=source,
                event_id=event_id,
                recorded_at=now,
            )
    except IntegrityError:
        # Marked at the same moment from two places: the other one recorded the day.
        listening = _listening_of_day(box, day)
        if listening is None:
            raise
        return listening
    resolve_if_complies(box)
    return listening


def _listening_of_day(box: VoicemailBox, day: date) -> Listening | None:
    """The box's listening of `day`, marked `already`, if it has one (one a day)."""
    listening = Listening.objects.filter(box=box, listened_on=day).first()
    if listening is not None:
        listening.already = True
    return listening


def box_for_number(text: str | None) -> VoicemailBox:
    """The voicemail box of the active phone an extension or number (any written form)
    names; else a Swedish ValidationError."""
    raw = (text or "").strip()
    boxes = VoicemailBox.objects.filter(subscription__status=PhoneStatus.ACTIVE).select_related(
        "subscription"
    )
    found = None
    if raw.isdigit() and len(raw) <= 8:
        found = boxes.filter(subscription__extension=raw).first()
    if found is None and raw:
        try:
            found = boxes.filter(subscription__number=parse_number(raw)).first()
        except ValidationError:
            found = None
    if found is None:
        raise ValidationError(
            _("No active phone with a voicemail box has the number “%(value)s”."),
            code="no_box",
            params={"value": raw},
        )
    return found


def listening_event(
    *,
    actor: Actor,
    event_id: str | None,
    number: str | None,
    listened_at: datetime | None = None,
) -> tuple[Listening, bool]:
    """The switchboard reports that a box was listened to. Idempotent by event id: the
    same id again returns the listening first recorded (created False), whatever else
    the repeat says."""
    event_id = (event_id or "").strip()
    if not event_id:
        raise ValidationError(_("The event has no id."))
    existing = Listening.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing, False
    box = box_for_number(number)
    try:
        with transaction.atomic():
            listening = box_listen(
                actor=actor,
                box=box,
                source=Source.SWITCHBOARD,
                listened_at=listened_at,
                event_id=event_id,
            )
    except IntegrityError:
        # The same event posted twice at once: the other request recorded it.
        return Listening.objects.get(event_id=event_id), False
    return listening, not listening.already


def link_token(box: VoicemailBox, person: Person) -> str:
    return signing.dumps({"b": box.pk, "p": person.pk}, salt=LINK_SALT, compress=True)


def read_link_token(token: str) -> tuple[VoicemailBox, Person]:
    """(box, person) of a signed reminder link, or a Swedish ValidationError when it is
    forged, expired, or its person may no longer listen to the box."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("The link has expired. Sign in and mark the box listened from the start page.")
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("The link is not valid.")) from None
    box = (
        VoicemailBox.objects.select_related("subscription__holder", "subscription__unit")
        .filter(pk=data.get("b"))
        .first()
    )
    person = Person.objects.filter(pk=data.get("p")).first()

    if box is None or person is None or not person_may_listen(person, box):
        raise ValidationError(_("The link is not valid."))
    return box, person


# --- Messages that are public records (VM-5) ----------------------------------------------


def _check_received(received_at: datetime | None) -> datetime:
    if received_at is None:
        raise ValidationError({"received_at": _("Give when the message reached the box.")})
    if received_at > workdays.now():
        raise ValidationError(
            {"received_at": _("The message cannot have reached the box in the future.")}
        )
    return received_at


@transaction.atomic
def record_register(
    *,
    actor: User,
    box: VoicemailBox,
    received_at: datetime | None,
    caller: str | None,
    summary: str | None,
    is_public_record: bool,
    case_number: str | None = "",
) -> MessageRecord:
    """VM-5: register a message; received is when it reached the box, not when it was
    opened."""
    received_at = _check_received(received_at)
    caller, summary = (caller or "").strip(), (summary or "").strip()
    if not caller or not summary:
        raise ValidationError(_("Give the caller as given and a summary of the message."))
    record = MessageRecord(
        box=box,
        unit_id=box.subscription.unit_id,
        received_at=received_at,
        caller=caller,
        summary=summary,
        is_public_record=is_public_record,
        case_number=(case_number or "").strip(),
        registered_by=actor,
        registered_at=workdays.now(),
    )
    save_with_history(record, actor=actor, reason=_("Registered"))
    return record


@transaction.atomic
def record_update(
    *,
    actor: Actor,
    record: MessageRecord,
    summary: str | None,
    is_public_record: bool,
    case_number: str | None,
) -> MessageRecord:
    """Add the case number once the matter is registered in the case system, or correct
    the summary; every version is kept."""
    record = MessageRecord.objects.select_for_update().get(pk=record.pk)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("The summary cannot be empty.")})
    record.summary = summary
    record.is_public_record = is_public_record
    record.case_number = (case_number or "").strip()
    save_with_history(record, actor=actor, reason=_("Updated"))
    return record


# --- The working-day morning sweep ----------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _with_owner(boxes: QuerySet[VoicemailBox]) -> QuerySet[VoicemailBox]:
    """Flag unit: the phone's unit. Responsible: the phone's holder; for a function or
    group phone, or a holder who has left (X-3), the manager of the phone's unit (or of
    the nearest unit above with one)."""
    return boxes.annotate(
        flag_unit_id=F("subscription__unit_id"),
        flag_responsible_id=Coalesce(
            Case(When(subscription__holder__is_active=True, then=F("subscription__holder_id"))),
            nearest_manager_subquery("subscription__unit__path"),
            output_field=BigIntegerField(),
        ),
    )


def _in_use() -> QuerySet[VoicemailBox]:
    return VoicemailBox.objects.filter(is_on=True, subscription__status=PhoneStatus.ACTIVE)


def absence_now_q(now: datetime) -> Q:
    """A current hänvisning for a registered absence on the box's phone or on any phone
    of its holder (two EXISTS, each able to use an index; one EXISTS with an OR across
    the join cannot)."""
    current = Redirect.objects.filter(
        kind=RedirectKind.HANVISNING,
        status=RedirectStatus.ACTIVE,
        reason__in=ABSENCE_REASONS,
        starts_at__lte=now,
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    return Exists(current.filter(subscription_id=OuterRef("subscription_id"))) | Exists(
        current.filter(subscription__holder_id=OuterRef("subscription__holder_id"))
    )


def vm_4_breaking(*, now: datetime | None = None) -> QuerySet[VoicemailBox]:
    """VM-4, one query: boxes that take messages, switched on, and
    (a) on for the whole previous working day and not listened to since it began, or
    (b) during a registered absence of the holder with no active deputy."""
    now = now or workdays.now()
    previous = workdays.previous_working_day(timezone.localdate(now))
    listened = Listening.objects.filter(box_id=OuterRef("pk"), listened_on__gte=previous)
    unheard = Q(switched_on_at__lt=_local_midnight(previous)) & ~Exists(listened)
    no_deputy = Q(deputy__isnull=True) | Q(deputy__is_active=False)
    return _with_owner(
        _in_use().filter(kind__in=MESSAGE_KINDS).filter(unheard | (no_deputy & absence_now_q(now)))
    )


def vm_2_breaking() -> QuerySet[VoicemailBox]:
    """VM-2, one query: boxes switched on without a personal greeting confirmed by the
    phone's present holder (the phone changed hands, or the confirmation was undone)."""
    not_holders = Q(subscription__holder__isnull=False) & (
        Q(greeting_confirmed_by__isnull=True)
        | ~Q(greeting_confirmed_by_id=F("subscription__holder_id"))
    )
    return _with_owner(_in_use().filter(Q(greeting_confirmed_at__isnull=True) | not_holders))


def abs_6_breaking(*, today: date | None = None) -> QuerySet[VoicemailBox]:
    """ABS-6, one query: a mobilsvar switched on while its holder is on a registered trip
    abroad (calls diverted to it are charged at international rates)."""
    today = today or timezone.localdate(workdays.now())
    abroad = Trip.objects.filter(
        person_id=OuterRef("subscription__holder_id"), starts_on__lte=today, ends_on__gte=today
    )
    return _with_owner(_in_use().filter(kind=BoxKind.MOBILSVAR).filter(Exists(abroad)))


def rules(*, now: datetime | None = None) -> tuple[tuple[str, QuerySet[VoicemailBox]], ...]:
    """(rule id, breaking queryset) of the sweep."""
    now = now or workdays.now()
    return (
        ("VM-4", vm_4_breaking(now=now)),
        ("VM-2", vm_2_breaking()),
        ("ABS-6", abs_6_breaking(today=timezone.localdate(now))),
    )


def sweep_voicemail(*, now: datetime | None = None) -> SweepResult:
    """Each working-day morning: raise VM-4, VM-2 and ABS-6 flags (one query per rule) to
    the holder, resolve those whose cause went away, and tell the holder's manager once
    about each new one. Returns the SweepResult; on a day that is not a working day it
    does nothing. Running it twice changes nothing and sends nothing twice."""
    now = now or workdays.now()
    if not workdays.is_working_day(timezone.localdate(now)):
        return SweepResult()
    result = SweepResult()
    with transaction.atomic():
        for rule_id, breaking in rules(now=now):
            result += raise_or_resolve(
                rule_id=rule_id,
                breaking=breaking,
                unit_field="flag_unit_id",
                responsible_field="flag_responsible_id",
            )
        new = [(flag.rule, flag.object_id) for flag in result.new_flags]
        if new:
            transaction.on_commit(lambda: _mail_managers(new))
    return result


def resolve_if_complies(box: VoicemailBox) -> None:
    """Close the box's open flags whose rule it meets again (the holder listened, named a
    deputy, confirmed the greeting, switched it off) without waiting for the morning.
    Flags are only ever raised by the sweep."""
    open_rules = set(open_rules_for(box))
    resolve_for(
        box,
        [
            rule_id
            for rule_id, breaking in rules()
            if rule_id in open_rules and not breaking.filter(pk=box.pk).exists()
        ],
    )


def _managers_of(holders: Iterable[Person]) -> dict[int, Person]:
    """{holder id: their manager} as organisation.selectors.manager_of finds them (the
    manager of the nearest unit at or above theirs, never themselves), for many holders
    with two queries: the managed units, then the managers."""
    managed = dict(Unit.objects.filter(manager__isnull=False).values_list("pk", "manager_id"))
    found: dict[int, int] = {}
    for holder in holders:
        for unit_id in reversed(holder.unit.ancestor_ids()):
            manager_id = managed.get(unit_id)
            if manager_id is not None and manager_id != holder.pk:
                found[holder.pk] = manager_id
                break
    people = Person.objects.in_bulk(set(found.values()))
    return {holder_id: people[manager_id] for holder_id, manager_id in found.items()}


def _mail_managers(new: list[tuple[str, int]]) -> None:
    """One e-mail per manager listing the new flags of their staff's boxes (the holder
    had compliance's own e-mail). A function phone's box is held by the manager: told
    already."""

    boxes = VoicemailBox.objects.select_related("subscription__holder__unit").in_bulk(
        {pk for _rule, pk in new}
    )
    holders = {holder for b in boxes.values() if (holder := b.subscription.holder) is not None}
    managers = _managers_of(holders)
    by_manager: defaultdict[Person, list[tuple[Rule, VoicemailBox]]] = defaultdict(list)
    for rule_id, pk in new:
        box = boxes.get(pk)
        holder_id = box.subscription.holder_id if box is not None else None
        manager = managers.get(holder_id) if holder_id is not None else None
        if box is not None and manager is not None and manager.email:
            by_manager[manager].append((get_rule(rule_id), box))
    for manager, rows in by_manager.items():
        context = {"manager": manager, "rows": rows, "site_url": settings.TELEFONI_SITE_URL}
        mail_template_on_commit([manager.email], "voicemail/email/flags_manager", context)


# --- The daily reminder -------------------------------------------------------------------


def send_listening_reminders(*, now: datetime | None = None) -> int:
    """Each working-day morning: remind the holder (and the deputy, if any) of every box
    in use that takes messages and is not yet listened to today, with a signed link that
    marks it listened. Each box is claimed for the day before its e-mail goes, so a
    second run (or a second worker) sends nothing. Returns the number of e-mails."""
    now = now or workdays.now()
    today = timezone.localdate(now)
    if not workdays.is_working_day(today):
        return 0
    listened_today = Listening.objects.filter(box_id=OuterRef("pk"), listened_on=today)
    due = (
        _in_use()
        .filter(kind__in=MESSAGE_KINDS)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .filter(~Exists(listened_today))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = (
                VoicemailBox.objects.filter(pk=pk)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            box = VoicemailBox.objects.select_related(
                "subscription__holder", "subscription__unit", "deputy"
            ).get(pk=pk)
            for person in _reminded(box):
                _send_reminder(box, person)
                sent += 1
    return sent


def _reminded(box: VoicemailBox) -> list[Person]:
    people = []
    holder = box.subscription.holder
    if holder is not None and holder.is_active and holder.email:
        people.append(holder)
    deputy = box.deputy
    if deputy is not None and deputy.is_active and deputy.email:
        people.append(deputy)
    return people


def _send_reminder(box: VoicemailBox, person: Person) -> None:
    url = settings.TELEFONI_SITE_URL + reverse("voicemail:link", args=[link_token(box, person)])
    context = {
        "box": box,
        "person": person,
        "is_deputy": person.pk == box.deputy_id,
        "url": url,
        "hours": int(LINK_MAX_AGE.total_seconds() // 3600),
    }
    mail_template_on_commit([person.email], "voicemail/email/reminder", context)
