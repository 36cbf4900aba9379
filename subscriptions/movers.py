"""DEV-4 (issue 17.3): a person who changes unit leaves their phones on the old unit's
cost centre until someone asks Tele kundtjänst to move them.

organisation sends `person_moved` once a move is committed (the directory sync, a sign-in,
an edit by hand); here the mover's subscriptions still on a cost centre that is not their
new unit's (nor above it) are flagged to the telesamordnare of the new förvaltning, whose
one click (`mover_cost_centre_request`) is a change request of the subscription to the new
unit and its cost centre. The flag resolves when the subscription is on such a cost centre
again (the request applied), cancelled, or its holder left; the nightly sweep re-judges
the open flags.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from compliance.models import Flag
from compliance.selectors import register_flag_url
from compliance.services import SweepResult, raise_or_resolve
from organisation.models import CostCentre, Person, Unit
from organisation.signals import person_moved

from .choices import RequestKind, RequestStatus, Status
from .models import ChangeRequest, Subscription
from .services import change_request_create, field_changes

RULE = "DEV-4"


def cost_centre_for(unit: Unit) -> CostCentre | None:
    """The active cost centre of `unit`, or of the nearest unit above it that has one."""
    return (
        CostCentre.objects.filter(unit_id__in=unit.ancestor_ids(), is_active=True)
        .select_related("unit")
        .order_by("-unit__depth", "code")
        .first()
    )


def mover_subscriptions() -> QuerySet[Subscription]:
    """DEV-4: subscriptions not cancelled of an active holder whose cost centre belongs to
    a unit that is neither the holder's nor above it; the flag goes to a telesamordnare of
    the holder's förvaltning (Tele kundtjänst when it has none)."""
    coordinator = (
        Person.objects.filter(
            coordinated_units__forvaltning_id=OuterRef("holder__unit__forvaltning_id"),
            is_active=True,
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    return (
        Subscription.objects.exclude(status=Status.CANCELLED)
        .filter(holder__is_active=True)
        .exclude(holder__unit__path__startswith=F("cost_centre__unit__path"))
        .annotate(flag_unit_id=F("holder__unit_id"), flag_responsible_id=Subquery(coordinator))
    )


def sweep_movers(*, person_ids: Iterable[int] | None = None) -> SweepResult:
    """Flag the movers' phones (`person_ids`: the people who just moved), or, nightly
    (None), re-judge the subscriptions whose DEV-4 flag is open: only a move opens one."""
    if person_ids is not None:
        within = Subscription.objects.filter(holder_id__in=list(person_ids))
    else:
        flagged = Flag.objects.filter(rule=RULE, resolved_at__isnull=True).values("object_id")
        within = Subscription.objects.filter(pk__in=flagged)
    return raise_or_resolve(
        rule_id=RULE,
        breaking=mover_subscriptions(),
        unit_field="flag_unit_id",
        responsible_field="flag_responsible_id",
        within=within,
    )


@receiver(person_moved, dispatch_uid="subscriptions.flag_movers_phones")
def _flag_movers_phones(
    sender: object, moves: Mapping[int, tuple[int, int]] | None = None, **kwargs: Any
) -> None:
    if moves:
        sweep_movers(person_ids=list(moves))


def pending_move_request(subscription: Subscription) -> ChangeRequest | None:
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 -- one use

    return (
        ChangeRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(Subscription),
            object_id=subscription.pk,
            kind=RequestKind.SUBSCRIPTION,
            status=RequestStatus.PENDING,
            changes__has_key="cost_centre",
        )
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def mover_cost_centre_request(*, actor: User, subscription: Subscription) -> ChangeRequest:
    """The one click: ask Tele kundtjänst to move a mover's subscription to the holder's
    new unit and its cost centre (DEV-4)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    holder = (
        Person.objects.select_related("unit__forvaltning").filter(pk=subscription.holder_id).first()
        if subscription.holder_id is not None
        else None
    )
    if holder is None or not holder.is_active:
        raise ValidationError(_("The subscription has no active holder."))
    unit = holder.unit
    cost_centre = cost_centre_for(unit)
    if cost_centre is None:
        raise ValidationError(
            _("%(unit)s has no cost centre yet: Tele kundtjänst creates one first.")
            % {"unit": unit.name}
        )
    values: dict[str, Any] = {"cost_centre": cost_centre}
    if subscription.unit_id != unit.pk:
        values["unit"] = unit
    changes = field_changes(subscription, values)
    if not changes or "cost_centre" not in changes:
        raise ValidationError(_("The subscription is already on the new unit's cost centre."))
    return change_request_create(
        actor=actor,
        kind=RequestKind.SUBSCRIPTION,
        target=subscription,
        changes=changes,
        forvaltning=unit.forvaltning,
        message=_("The holder moved to %(unit)s: move the phone to cost centre %(code)s.")
        % {"unit": unit.name, "code": cost_centre.code},
    )


register_flag_url(
    RULE,
    Subscription,
    lambda subscription: reverse("subscriptions:mover_cost_centre", args=[subscription.pk]),
)
