"""State changes of abonnemangsdatabasen: subscriptions and change requests."""

import copy
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from common.history import note_history
from common.mail import mail_template_on_commit
from common.users import Actor
from compliance.selectors import register_flag_objects
from compliance.services import resolve_for
from organisation.guideline import guideline
from organisation.identity import person_name
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import format_number, parse_number

from .choices import Barring, RequestKind, RequestStatus, Status
from .models import ChangeRequest, Subscription, change_request_key

# DIR-4: ENTRY_FIELDS, the fields of a directory entry the holder may ask to change, live
# in selectors, which shows them in that order.
from .selectors import ENTRY_FIELDS, concrete_field, with_change_rows
from .signals import subscription_cancelled, subscription_handed_over

# {field: {"old": stored value, "new": stored value}}: what a change request changes.
Changes = dict[str, dict[str, Any]]


def barring_defaults() -> dict[str, bool]:
    """BAR-1 (configurable, X-1): {"open_domestic": True, ...} for a new subscription."""
    open_categories = set(guideline().barring_open)
    return {f"open_{category}": category in open_categories for category in Barring.values}


@transaction.atomic
def subscription_create(*, actor: Actor, reason: str | None = None, **fields: Any) -> Subscription:
    """Create a subscription with the BAR-1 defaults; the database enforces the rest.

    ABS-4: a group phone must name where its voice message points (`voice_message_to`,
    and `voice_message_phone` for a staffed phone); without one it is refused."""
    subscription = Subscription(**{**barring_defaults(), **fields})
    subscription.full_clean()
    _refuse_quarantined_number(subscription.number)
    note_history(subscription, actor=actor, reason=reason or _("Subscription created"))
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("The extension or number is already in use by an active subscription.")
        ) from exc
    return subscription


def _refuse_quarantined_number(number: str) -> None:
    """SUB-5: a cancelled number rests the guideline's quarantine days before it is given
    to someone else, so callers of the old holder do not reach a stranger."""
    days = guideline().number_quarantine_days
    since = timezone.localdate() - timedelta(days=days)
    resting = (
        Subscription.objects.filter(number=number, status=Status.CANCELLED, cancelled_on__gt=since)
        .order_by("-cancelled_on")
        .values_list("cancelled_on", flat=True)
        .first()
    )
    if resting is not None:
        free = resting + timedelta(days=days)
        raise ValidationError(
            {
                "number": _(
                    "The number was cancelled on %(cancelled)s and is quarantined until %(free)s."
                )
                % {
                    "cancelled": date_format(resting, "SHORT_DATE_FORMAT"),
                    "free": date_format(free, "SHORT_DATE_FORMAT"),
                }
            }
        )


@transaction.atomic
def subscription_cancel(
    *, actor: Actor, subscription: Subscription, reason: str | None
) -> Subscription:
    """Cancel (säga upp) a subscription today; its number is then quarantined. Cancelling
    a cancelled subscription is refused."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status == Status.CANCELLED:
        raise ValidationError(_("The subscription is already cancelled."))
    subscription.status = Status.CANCELLED
    subscription.cancelled_on = timezone.localdate()
    note_history(subscription, actor=actor, reason=reason)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_block(
    *, actor: Actor, subscription: Subscription, reason: str | None
) -> Subscription:
    """Block a subscription at once (SUB-7: loss or theft); a no-op when it already is."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status == Status.CANCELLED:
        raise ValidationError(_("A cancelled subscription cannot be blocked."))
    if subscription.status == Status.BLOCKED:
        return subscription
    subscription.status = Status.BLOCKED
    subscription.blocked_at = timezone.now()
    note_history(subscription, actor=actor, reason=reason)
    subscription.save()
    return subscription


def _entry_value(person: Person, field: str) -> Any:
    return person.unit_id if field == "unit" else getattr(person, field)


def entry_values(person: Person) -> dict[str, Any]:
    return {field: _entry_value(person, field) for field in ENTRY_FIELDS}


def _checked_entry_values(
    person: Person, values: Mapping[str, Any], *, own_forvaltning: bool = False
) -> dict[str, Any]:
    """Validate new entry values against the model before anything is saved or asked for.

    `values` maps entry fields to new values (the unit as a pk or a Unit). Raises a
    ValidationError keyed by field; returns the values with the unit as a pk. The entry
    itself is not touched (a copy is checked)."""
    unknown = set(values) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"not entry fields: {sorted(unknown)}")
    values = {
        field: (value.pk if isinstance(value, Unit) else value) for field, value in values.items()
    }
    number = values.get("secondary_number")
    if number:
        # Stored in E.164 only; parse_number raises the Swedish message for nonsense.
        try:
            parsed = parse_number(number)
        except ValidationError as exc:
            raise ValidationError({"secondary_number": exc.messages}) from exc
        if parsed != number:
            raise ValidationError(
                {"secondary_number": _("Give the number in E.164, e.g. +4619211000.")}
            )
    candidate = Person(
        **{f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}
    )
    for field, value in values.items():
        setattr(candidate, "unit_id" if field == "unit" else field, value)
    candidate.full_clean(
        exclude=[f.name for f in Person._meta.fields if f.name not in values],
        validate_unique=False,
        validate_constraints=False,
    )
    if (
        own_forvaltning
        and values.get("unit") not in (None, person.unit_id)
        and not Unit.objects.filter(
            pk=values["unit"], forvaltning_id=person.unit.forvaltning_id
        ).exists()
    ):
        raise ValidationError({"unit": _("Choose a unit in your own förvaltning.")})
    return values


@transaction.atomic
def entry_change_request_create(
    *, actor: User, person: Person, new_values: Mapping[str, Any]
) -> ChangeRequest | None:
    """DIR-4: the holder asks Tele kundtjänst to change their entry.

    Only fields that differ are kept; a pending request of the same person's entry is
    superseded by the new one. Returns the request, or None when nothing would change.
    A holder may move their entry only within their own förvaltning; the values are
    checked against the model now, so a request can be applied as it stands.
    """
    current = entry_values(person)
    new_values = _checked_entry_values(person, new_values, own_forvaltning=True)
    changes = {
        field: {"old": current[field], "new": new_values[field]}
        for field in ENTRY_FIELDS
        if field in new_values and new_values[field] != current[field]
    }
    if not changes:
        return None
    content_type = ContentType.objects.get_for_model(Person)
    now = timezone.now()
    waiting = _pending_alike(
        content_type, person.pk, change_request_key(RequestKind.ENTRY, changes, "")
    )
    if waiting is not None:
        raise DuplicateRequest(waiting)
    pending = ChangeRequest.objects.select_for_update().filter(
        content_type=content_type, object_id=person.pk, status=RequestStatus.PENDING
    )
    for old in pending:
        old.status = RequestStatus.REJECTED
        old.decided_by, old.decided_at = actor, now
        old.decision_reason = _("Replaced by a newer request.")
        note_history(old, actor=actor)
        old.save()
    forvaltning_id = person.unit.forvaltning_id
    assert forvaltning_id is not None  # a saved unit always has its förvaltning
    request = ChangeRequest(
        kind=RequestKind.ENTRY,
        content_type=content_type,
        object_id=person.pk,
        changes=changes,
        forvaltning_id=forvaltning_id,
        requested_by=actor,
        requested_at=now,
    )
    return _save_new_request(request, actor=actor)


class DuplicateRequest(ValidationError):
    """An identical request of the same target already waits (issue 16.6): `waiting` is
    that one. The message links to the page where the requester sees it."""

    def __init__(self, waiting: ChangeRequest):
        self.waiting = waiting
        super().__init__(
            format_html(
                _(
                    'The same request is already waiting for Tele kundtjänst: <a href="{}">'
                    "request #{}</a> of {}. Nothing new was sent."
                ),
                waiting_url(waiting),
                waiting.pk,
                date_format(timezone.localtime(waiting.requested_at), "SHORT_DATETIME_FORMAT"),
            )
        )


def waiting_url(request: ChangeRequest) -> str:
    """The page where whoever asked sees `request` waiting."""
    if request.kind == RequestKind.ENTRY:
        return reverse("subscriptions:my_entry")
    if request.kind == RequestKind.CANCELLATION:
        return reverse("subscriptions:subscription_detail", args=[request.object_id])
    if request.kind == RequestKind.DEVICE:
        return reverse("devices:device_detail", args=[request.object_id]) + f"#request-{request.pk}"
    return reverse("devices:barring", args=[request.object_id]) + f"#request-{request.pk}"


def _pending_alike(content_type: ContentType, object_id: int, key: str) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.select_for_update()
        .filter(
            content_type=content_type,
            object_id=object_id,
            key=key,
            status=RequestStatus.PENDING,
        )
        .first()
    )


def _save_new_request(request: ChangeRequest, *, actor: User) -> ChangeRequest:
    """Save a new request unless an identical one waits (then DuplicateRequest). Two
    saved at once: the database's constraint refuses the second, which is told the same."""
    request.key = change_request_key(request.kind, request.changes, request.message)
    waiting = _pending_alike(request.content_type, request.object_id, request.key)
    if waiting is not None:
        raise DuplicateRequest(waiting)
    note_history(request, actor=actor)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        waiting = _pending_alike(request.content_type, request.object_id, request.key)
        if waiting is None:
            raise
        raise DuplicateRequest(waiting) from None
    return request


def _locked_pending(request: ChangeRequest) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(
            _("This request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _stored_value(instance: models.Model, field: str) -> Any:
    """The value a change request compares and sets: the column's (a pk for a relation)."""
    return getattr(instance, concrete_field(type(instance), field).attname)


def field_changes(instance: models.Model, new_values: Mapping[str, Any]) -> Changes:
    """{field: {"old": stored, "new": stored}} for each of `new_values` that differs from
    `instance` (model instances given for relations are stored as their pk)."""
    changes: Changes = {}
    for field, value in new_values.items():
        if isinstance(value, models.Model):
            value = value.pk
        old = _stored_value(instance, field)
        if value != old:
            changes[field] = {"old": old, "new": value}
    return changes


# Other apps' change request kinds may need more than the field changes when applied
# (e.g. a device's operator block). They register a hook here; the arrows keep pointing
# into subscriptions. A hook runs inside the applying transaction, after the fields are
# saved: hook(*, actor, request, target).
class ApplyHook(Protocol):
    def __call__(self, *, actor: User, request: ChangeRequest, target: Any) -> None: ...


_APPLY_HOOKS: dict[str, ApplyHook] = {}


def register_apply_hook(kind: str, hook: ApplyHook) -> None:
    _APPLY_HOOKS[kind] = hook


@transaction.atomic
def change_request_create(
    *,
    actor: User,
    kind: str,
    target: models.Model,
    changes: Changes,
    forvaltning: Unit | None,
    message: str | None = "",
) -> ChangeRequest:
    """A change of `target` for Tele kundtjänst to apply (DEV-4, BAR-2, SUB-7, REV-1, ...).

    `changes` is field_changes(target, ...) as the requester saw it; it may be empty when
    `message` says what to do (e.g. confirm an operator block). The target's model is
    validated with the new values now, so the request can be applied as it stands."""
    message = (message or "").strip()
    if not changes and not message:
        raise ValidationError(_("Nothing to change."))
    if changes:
        candidate = copy.copy(target)
        for field, change in changes.items():
            setattr(candidate, concrete_field(type(target), field).attname, change["new"])
        candidate.full_clean(
            exclude=[f.name for f in target._meta.fields if f.name not in changes],
            validate_unique=False,
        )
    assert forvaltning is not None  # the target's unit's: a saved unit always has one
    request = ChangeRequest(
        kind=kind,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        changes=changes,
        message=message,
        forvaltning=forvaltning,
        requested_by=actor,
    )
    return _save_new_request(request, actor=actor)


@transaction.atomic
def change_request_apply(*, actor: User, request: ChangeRequest) -> ChangeRequest:
    """Apply a pending request atomically: its field changes, then the kind's hook. If the
    target changed after the request was made, nothing changes and the message names the
    fields."""
    request = _locked_pending(request)
    model = request.content_type.model_class()
    assert model is not None, "a change request of a model that no longer exists"
    target = model._default_manager.select_for_update().get(pk=request.object_id)
    stale = [
        field
        for field, change in request.changes.items()
        if _stored_value(target, field) != change["old"]
    ]
    if stale:
        labels = ", ".join(str(concrete_field(model, f).verbose_name) for f in stale)
        raise ValidationError(
            _(
                "The entry has changed since the request was made (%(fields)s). Nothing was "
                "changed; reject the request and ask for a new one."
            )
            % {"fields": labels},
            code="stale",
        )
    if request.changes:
        for field, change in request.changes.items():
            setattr(target, concrete_field(model, field).attname, change["new"])
        note_history(target, actor=actor, reason=_("Change request #%(pk)s") % {"pk": request.pk})
        target.full_clean()
        target.save()
    hook = _APPLY_HOOKS.get(request.kind)
    if hook is not None:
        hook(actor=actor, request=request, target=target)
    _decide(request, actor=actor, status=RequestStatus.APPLIED, reason="")
    return request


@transaction.atomic
def change_request_reject(
    *, actor: User, request: ChangeRequest, reason: str | None
) -> ChangeRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    request = _locked_pending(request)
    _decide(request, actor=actor, status=RequestStatus.REJECTED, reason=reason)
    return request


def _decide(request: ChangeRequest, *, actor: User, status: str, reason: str) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    note_history(request, actor=actor)
    request.save()
    transaction.on_commit(lambda: _mail_decision(request.pk))


def _mail_decision(request_pk: int) -> None:
    """Tell the requester how their request was decided, with the difference and a link
    to their requests (runs after commit)."""
    request = ChangeRequest.objects.select_related(
        "requested_by__person", "decided_by__person"
    ).get(pk=request_pk)
    address = request.requested_by.email or getattr(
        getattr(request.requested_by, "person", None), "email", ""
    )
    if not address:
        return
    with translation.override(settings.LANGUAGE_CODE):
        (request,) = with_change_rows([request])
        context = {
            "request": request,
            "site_url": settings.TELEFONI_SITE_URL,
            "my_entry_url": settings.TELEFONI_SITE_URL + reverse("subscriptions:my_entry"),
        }
        mail_template_on_commit([address], "subscriptions/email/change_request_decided", context)


@transaction.atomic
def entry_update(
    *, actor: Actor, person: Person, values: Mapping[str, Any], reason: str | None = None
) -> Person:
    """Tele kundtjänst edits an entry directly (no request). Only fields that differ are
    saved; when none does, nothing is saved and no history is written."""
    values = _checked_entry_values(person, values)
    current = entry_values(person)
    changed = {field: value for field, value in values.items() if value != current[field]}
    if not changed:
        return person
    for field, value in changed.items():
        setattr(person, "unit_id" if field == "unit" else field, value)
    note_history(person, actor=actor, reason=reason or _("Edited by Tele kundtjänst"))
    person.full_clean()
    person.save()
    return person


# --- SUB-5, X-3: "Säg upp" and "Lämna över" as one action each ------------------------


@transaction.atomic
def subscription_end(
    *, actor: User, subscription: Subscription, reason: str | None
) -> Subscription:
    """SUB-5, X-3: cancel a subscription in one action. It is cancelled today (its number
    then rests in quarantine, _refuse_quarantined_number), the cancellation at the
    operator goes to Tele kundtjänst's queue as a change request, the phone linked to it
    goes back to stock (devices hears subscription_cancelled) and its SUB-5 and X-3 flags
    close. Cancelling a cancelled subscription is refused."""
    reason = (reason or "").strip()
    number = format_number(subscription.number)
    subscription = subscription_cancel(
        actor=actor,
        subscription=subscription,
        reason=_("Cancelled: %(reason)s") % {"reason": reason} if reason else _("Cancelled"),
    )
    change_request_create(
        actor=actor,
        kind=RequestKind.CANCELLATION,
        target=subscription,
        changes={},
        forvaltning=subscription.unit.forvaltning,
        message=" ".join(
            [_("Cancel %(number)s at the operator.") % {"number": number}, reason]
        ).strip(),
    )
    subscription_cancelled.send(sender=Subscription, subscription=subscription, actor=actor)
    resolve_for(subscription, ["SUB-5", "X-3"])
    return subscription


@transaction.atomic
def subscription_hand_over(
    *,
    actor: User,
    subscription: Subscription,
    holder: Person,
    unit: Unit | None = None,
    cost_centre: CostCentre | None = None,
    reason: str | None = None,
) -> Subscription:
    """X-3: hand a personal subscription to another (active) person, and, if chosen, to
    another unit and cost centre, with history; the phone linked to it follows (devices
    hears subscription_handed_over), its X-3 flag closes, and both people are told by
    e-mail. Refused for a cancelled subscription, a function phone, a person who has left
    or the present holder."""
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("holder", "unit", "cost_centre")
        .get(pk=subscription.pk)
    )
    if subscription.status == Status.CANCELLED:
        raise ValidationError(_("A cancelled subscription cannot be handed over."))
    if subscription.holder_id is None:
        raise ValidationError(_("A function or group phone has no holder; it belongs to its unit."))
    if not holder.is_active:
        raise ValidationError({"holder": _("%(name)s is no longer active.") % {"name": holder}})
    if holder.pk == subscription.holder_id:
        raise ValidationError({"holder": _("This person already holds the subscription.")})
    if cost_centre is not None and not cost_centre.is_active:
        raise ValidationError({"cost_centre": _("The cost centre is no longer active.")})
    previous = subscription.holder
    subscription.holder = holder
    subscription.unit = unit or subscription.unit
    subscription.cost_centre = cost_centre or subscription.cost_centre
    subscription.full_clean()
    reason = (reason or "").strip()
    note_history(
        subscription,
        actor=actor,
        reason=(_("Handed over: %(reason)s") % {"reason": reason} if reason else _("Handed over"))[
            :100
        ],
    )
    subscription.save()
    subscription_handed_over.send(
        sender=Subscription, subscription=subscription, actor=actor, previous_holder=previous
    )
    resolve_for(subscription, ["X-3"])
    context = {
        "subscription": subscription,
        "number": format_number(subscription.number),
        "previous": previous,
        # ORG-4: the e-mail to the previous holder names a protected new holder so.
        "holder_name": person_name(None, holder),
        "reason": reason,
        "site_url": settings.TELEFONI_SITE_URL,
    }
    for person, template in ((previous, "handed_over_from"), (holder, "handed_over_to")):
        address = person.email or getattr(person.user, "email", "")
        if address:
            mail_template_on_commit(
                [address], f"subscriptions/email/{template}", {**context, "person": person}
            )
    return subscription


# --- a leaver's subscriptions (the sweep is devices.services.sweep_leavers) -------


def leaver_subscriptions() -> QuerySet[Subscription]:
    """X-3: subscriptions not cancelled whose holder has left (is inactive). The flag goes
    to the cost centre's budget-responsible manager (to Tele kundtjänst when that manager
    has left too); it resolves when the subscription is cancelled or handed to an active
    holder."""
    return (
        Subscription.objects.filter(holder__is_active=False)
        .exclude(status=Status.CANCELLED)
        .annotate(
            flag_responsible_id=models.Case(
                models.When(
                    cost_centre__budget_manager__is_active=True,
                    then=models.F("cost_centre__budget_manager"),
                ),
                default=None,
                output_field=models.BigIntegerField(),
            )
        )
    )


# The compliance dashboard names a flagged subscription by its number and holder, and
# links it to the subscription's page, where "Säg upp" and "Lämna över" are (SUB-5, X-3).
register_flag_objects(
    Subscription,
    queryset=lambda: Subscription.objects.select_related("holder"),
    url=lambda subscription: reverse("subscriptions:subscription_detail", args=[subscription.pk]),
)
