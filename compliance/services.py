"""One way to raise and resolve rule flags, and the organisation rules' sweeps.

Every beat job computes the set of objects that break a rule with one query and hands
it to raise_or_resolve(); flags open for new objects, close for objects that comply
again, and each newly opened flag is e-mailed once to the person who must act. What the
application itself puts right (an explained cost, a listened box) closes that object's
flags at once through resolve_for(). No other module writes a Flag.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Func, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from common.mail import mail_template_on_commit
from organisation import identity
from organisation.guideline import guideline
from organisation.models import CostCentre, Person, Unit
from organisation.selectors import nearest_manager_subquery

from .models import Flag
from .rules import rule as get_rule
from .selectors import rule_flag_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep changed: how many flags it opened and resolved, and the Flag rows it
    opened (saved, with their pk), for a sweep that tells someone more about them."""

    opened: int = 0
    resolved: int = 0
    new_flags: tuple[Flag, ...] = field(default=(), repr=False)

    def __add__(self, other: "SweepResult") -> "SweepResult":
        return SweepResult(
            self.opened + other.opened,
            self.resolved + other.resolved,
            self.new_flags + other.new_flags,
        )

    @property
    def changed(self) -> int:
        return self.opened + self.resolved


def _resolve(flags: QuerySet[Flag]) -> int:
    """Close the open flags of a queryset; the rows stay, as the record of the breach."""
    return flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


# A concurrent sweep may open one of the same flags between this sweep's reading and its
# insert; the partial unique constraint refuses the duplicate, and the sweep reads again.
INSERT_ATTEMPTS = 3


def _unflagged(
    rule_id: str,
    content_type: ContentType,
    breaking: QuerySet[Any],
    open_flags: QuerySet[Flag],
    unit_field: str,
    responsible_field: str,
) -> list[Flag]:
    """Unsaved Flag rows for the breaking objects that have no open flag of the rule."""
    rows = (
        breaking.exclude(pk__in=open_flags.values("object_id"))
        .order_by()
        .values_list("pk", unit_field, responsible_field)
    )
    return [
        Flag(
            rule=rule_id,
            content_type=content_type,
            object_id=pk,
            unit_id=unit_id,
            responsible_id=responsible_id,
        )
        for pk, unit_id, responsible_id in rows
    ]


def _open_new(rule_id: str, unflagged: Callable[[], list[Flag]]) -> list[Flag]:
    """Insert the missing flags (`unflagged()` reads them, again after a refused insert);
    returns the rows inserted, with their pk."""
    attempt = 1
    while True:
        new_flags = unflagged()
        if not new_flags:
            return []
        try:
            # A savepoint: a refused insert undoes itself only, not the whole sweep.
            with transaction.atomic():
                return Flag.objects.bulk_create(new_flags, batch_size=1000)
        except IntegrityError:
            if attempt == INSERT_ATTEMPTS:
                raise
            attempt += 1
            # The other sweep has committed (PostgreSQL made this insert wait for it);
            # reading again sees its flags, so they are neither doubled nor reported.
            log.info("%s: flags opened concurrently; reading again", rule_id)


@transaction.atomic
def raise_or_resolve(
    *,
    rule_id: str,
    breaking: QuerySet[Any],
    unit_field: str,
    responsible_field: str,
    within: QuerySet[Any] | None = None,
) -> SweepResult:
    """Make the open flags of `rule_id` equal the set `breaking` (a queryset).

    `unit_field` and `responsible_field` name fields or annotations of `breaking` that
    give each object's unit id and the id of the Person who must act (may be NULL).
    `within` (a queryset of the same model) limits the call to those objects: flags of
    objects outside it are left as they are, so a request can judge a few objects
    without sweeping the municipality. Returns a SweepResult whose `new_flags` are the
    rows opened. Running it twice with the same world changes nothing and notifies
    nobody twice.
    """
    get_rule(rule_id)
    content_type = ContentType.objects.get_for_model(breaking.model)
    open_flags = Flag.objects.filter(
        rule=rule_id, content_type=content_type, resolved_at__isnull=True
    )
    if within is not None:
        if within.model._meta.concrete_model is not breaking.model._meta.concrete_model:
            raise ValueError("`within` and `breaking` must be querysets of the same model")
        scope = within.order_by().values("pk")
        open_flags = open_flags.filter(object_id__in=scope)
        breaking = breaking.filter(pk__in=scope)
    breaking_ids = breaking.order_by().values("pk")
    resolved = _resolve(open_flags.exclude(object_id__in=breaking_ids))
    created = _open_new(
        rule_id,
        lambda: _unflagged(
            rule_id, content_type, breaking, open_flags, unit_field, responsible_field
        ),
    )
    if created:
        transaction.on_commit(notify_pending_flags)
    return SweepResult(opened=len(created), resolved=resolved, new_flags=tuple(created))


def resolve_for(obj: Model, rules: str | Iterable[str]) -> SweepResult:
    """Close `obj`'s open flags of the rule ids `rules` now, because what broke them was
    put right in the application (a manager explained a cost, a holder listened to a
    box), without waiting for the night's sweep. Closed as raise_or_resolve closes them:
    resolved_at is set, the row stays. Other objects' flags and `obj`'s flags of other
    rules are left open; a second call closes nothing. Returns a SweepResult (resolved).
    """
    rule_ids = [rules] if isinstance(rules, str) else list(rules)
    for rule_id in rule_ids:
        get_rule(rule_id)
    if not rule_ids:
        return SweepResult()
    flags = Flag.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        rule__in=rule_ids,
    )
    return SweepResult(resolved=_resolve(flags))


def discard_flags_under(unit: Unit, *, rules: Iterable[str] | None = None) -> int:
    """Benchmarks and demo data only: delete (not resolve) the flags, open or not, whose
    unit is `unit` or below it, of the rule ids `rules` (None: every rule), so throwaway
    rows can go. The application never deletes a flag: it is the record of a breach."""
    flags = Flag.objects.filter(unit__path__startswith=unit.path)
    if rules is not None:
        flags = flags.filter(rule__in=list(rules))
    return flags.delete()[0]


def _recipients(flag: Flag) -> list[str]:
    person = flag.responsible
    if person is not None and person.email:
        return [person.email]
    # Nobody in the organisation to tell: the service desk is.
    return [settings.TELEFONI_SERVICE_DESK_EMAIL] if settings.TELEFONI_SERVICE_DESK_EMAIL else []


def notify_pending_flags() -> int:
    """E-mail every open flag nobody has been told about yet; each exactly once.

    Each flag is claimed under a row lock (skip_locked), so two workers never write the
    same message, and is marked notified in the transaction that writes its e-mail to the
    outbox (common.mail): the outbox sends it after the commit, or retries while the relay
    is down. A failure before the commit leaves notified_at empty; the next run retries.
    """
    sent = 0
    pending = (
        Flag.objects.filter(notified_at__isnull=True, resolved_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for flag_pk in list(pending):
        with transaction.atomic():
            flag = (
                Flag.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("responsible", "unit", "content_type")
                .filter(pk=flag_pk, notified_at__isnull=True)
                .first()
            )
            if flag is None:
                continue
            recipients = _recipients(flag)
            if recipients:
                _send_flag_mail(flag, recipients)
                sent += 1
            else:
                log.warning(
                    "Flag %s has nobody to notify (no TELEFONI_SERVICE_DESK_EMAIL)", flag.pk
                )
            flag.notified_at = timezone.now()
            flag.notified_to = recipients
            flag.save(update_fields=["notified_at", "notified_to"])
    return sent


def _reader(flag: Flag) -> Any:
    """Whose eyes a flag's e-mail is for: the responsible person's account (None when
    there is none: a protected identity is then named to nobody)."""
    person = flag.responsible
    return person.user if person is not None and person.user_id else None


def _object_url(obj: Any) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if get_url is not None else ""


def _send_flag_mail(flag: Flag, recipients: list[str]) -> None:
    rule = get_rule(flag.rule)
    context = {
        "flag": flag,
        "rule": rule,
        # ORG-4: the object as its reader may see it (the responsible person's
        # account; the service desk's mailbox is Tele kundtjänst's circle).
        "object": identity.object_label(_reader(flag), flag.content_object)
        if flag.content_object is not None
        else "",
        "url": rule_url
        if (rule_url := rule_flag_url(flag)) is not None
        else _object_url(flag.content_object),
        "site_url": settings.TELEFONI_SITE_URL,
    }
    mail_template_on_commit(recipients, "compliance/email/flag_opened", context)


# --- The organisation's own rules -------------------------------------------------


def _staff_count_subquery() -> Subquery:
    """People (active) in the outer unit and every unit below it."""
    return Subquery(
        Person.objects.filter(is_active=True, unit__path__startswith=OuterRef("path"))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )


def org_2_breaking() -> QuerySet[Unit]:
    """ORG-2: förvaltningar and larger units (by head-count) without a telesamordnare."""
    has_coordinator = Unit.telesamordnare.through.objects.filter(unit_id=OuterRef("pk"))
    return (
        Unit.objects.annotate(
            staff=_staff_count_subquery(), responsible_id=nearest_manager_subquery()
        )
        .filter(Q(parent__isnull=True) | Q(staff__gte=guideline().large_unit_min_staff))
        .filter(~Exists(has_coordinator))
    )


def org_3_breaking() -> QuerySet[Unit]:
    """ORG-3: units without a reserve plan for power outages or a training record."""
    return Unit.objects.annotate(responsible_id=nearest_manager_subquery()).filter(
        Q(reserve_plan="") | Q(staff_trained_on__isnull=True)
    )


def _forvaltningschef_subquery(forvaltning_field: str) -> Subquery:
    """The förvaltningschef (the manager of the förvaltning) while active, else NULL (the
    flag then goes to Tele kundtjänst)."""
    return Subquery(
        Unit.objects.filter(pk=OuterRef(forvaltning_field), manager__is_active=True).values(
            "manager_id"
        )[:1]
    )


def x_3_successor_units() -> QuerySet[Unit]:
    """X-3 (issue 17.5): units whose manager, or one of whose telesamordnare, has left:
    the förvaltningschef names a successor."""
    left_coordinator = Unit.telesamordnare.through.objects.filter(
        unit_id=OuterRef("pk"), person__is_active=False
    )
    return Unit.objects.filter(Q(manager__is_active=False) | Exists(left_coordinator)).annotate(
        responsible_id=_forvaltningschef_subquery("forvaltning_id")
    )


def x_3_successor_cost_centres() -> QuerySet[CostCentre]:
    """X-3 (issue 17.5): active cost centres whose budget-responsible manager has left."""
    return CostCentre.objects.filter(is_active=True, budget_manager__is_active=False).annotate(
        flag_unit_id=F("unit_id"), responsible_id=_forvaltningschef_subquery("unit__forvaltning_id")
    )


def sweep_successors() -> SweepResult:
    """X-3: a leaver who was a unit manager, budget-responsible manager or telesamordnare
    is flagged to the förvaltningschef until a successor is named. Nightly, and when
    someone is marked as left (organisation.leavers.person_left)."""
    return raise_or_resolve(
        rule_id="X-3",
        breaking=x_3_successor_units(),
        unit_field="pk",
        responsible_field="responsible_id",
    ) + raise_or_resolve(
        rule_id="X-3",
        breaking=x_3_successor_cost_centres(),
        unit_field="flag_unit_id",
        responsible_field="responsible_id",
    )


def sweep_organisation_rules() -> SweepResult:
    """The nightly ORG-2, ORG-3 and X-3 successor sweep; returns what it opened and
    resolved."""
    result = SweepResult()
    for rule_id, breaking in (("ORG-2", org_2_breaking()), ("ORG-3", org_3_breaking())):
        result += raise_or_resolve(
            rule_id=rule_id,
            breaking=breaking,
            unit_field="pk",
            responsible_field="responsible_id",
        )
    return result + sweep_successors()
