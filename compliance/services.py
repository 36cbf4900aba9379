"""One way to raise and resolve rule flags, and the organisation rules' sweeps.

Every beat job computes the set of objects that break a rule with one query and hands
it to raise_or_resolve(); flags open for new objects, close for objects that comply
again, and each newly opened flag is e-mailed once to the person who must act.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation

from organisation.guideline import guideline
from organisation.models import Person, Unit
from organisation.selectors import nearest_manager_subquery

from .models import Flag
from .rules import rule as get_rule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    opened: int = 0
    resolved: int = 0

    def __add__(self, other):
        return SweepResult(self.opened + other.opened, self.resolved + other.resolved)

    @property
    def changed(self):
        return self.opened + self.resolved


@transaction.atomic
def raise_or_resolve(*, rule_id, breaking, unit_field, responsible_field):
    """Make the open flags of `rule_id` equal the set `breaking` (a queryset).

    `unit_field` and `responsible_field` name fields or annotations of `breaking` that
    give each object's unit id and the id of the Person who must act (may be NULL).
    Running it twice with the same world changes nothing and notifies nobody twice.
    """
    get_rule(rule_id)
    content_type = ContentType.objects.get_for_model(breaking.model)
    open_flags = Flag.objects.filter(
        rule=rule_id, content_type=content_type, resolved_at__isnull=True
    )
    breaking_ids = breaking.order_by().values("pk")
    resolved = open_flags.exclude(object_id__in=breaking_ids).update(resolved_at=timezone.now())
    new_rows = (
        breaking.exclude(pk__in=open_flags.values("object_id"))
        .order_by()
        .values_list("pk", unit_field, responsible_field)
    )
    new_flags = [
        Flag(
            rule=rule_id,
            content_type=content_type,
            object_id=pk,
            unit_id=unit_id,
            responsible_id=responsible_id,
        )
        for pk, unit_id, responsible_id in new_rows
    ]
    # A concurrent sweep may have opened the same flag a moment ago: the partial unique
    # constraint makes that row a no-op instead of a duplicate.
    Flag.objects.bulk_create(new_flags, ignore_conflicts=True, batch_size=1000)
    if new_flags:
        transaction.on_commit(notify_pending_flags)
    return SweepResult(opened=len(new_flags), resolved=resolved)


def _recipients(flag):
    person = flag.responsible
    if person is not None and person.email:
        return [person.email]
    # Nobody in the organisation to tell: the service desk is.
    return [settings.TELEFONI_SERVICE_DESK_EMAIL] if settings.TELEFONI_SERVICE_DESK_EMAIL else []


def notify_pending_flags():
    """E-mail every open flag nobody has been told about yet; each exactly once.

    Each flag is claimed under a row lock (skip_locked), so two workers never send the
    same message; a failed send leaves notified_at empty and the next run retries.
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


def _send_flag_mail(flag, recipients):
    rule = get_rule(flag.rule)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "flag": flag,
            "rule": rule,
            "object": flag.content_object,
            "site_url": settings.TELEFONI_SITE_URL,
        }
        subject = render_to_string("compliance/email/flag_opened_subject.txt", context)
        body = render_to_string("compliance/email/flag_opened.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


# --- The organisation's own rules -------------------------------------------------


def _staff_count_subquery():
    """People (active) in the outer unit and every unit below it."""
    return Subquery(
        Person.objects.filter(is_active=True, unit__path__startswith=OuterRef("path"))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )


def org_2_breaking():
    """ORG-2: förvaltningar and larger units (by head-count) without a telesamordnare."""
    has_coordinator = Unit.telesamordnare.through.objects.filter(unit_id=OuterRef("pk"))
    return (
        Unit.objects.annotate(
            staff=_staff_count_subquery(), responsible_id=nearest_manager_subquery()
        )
        .filter(Q(parent__isnull=True) | Q(staff__gte=guideline().large_unit_min_staff))
        .filter(~Exists(has_coordinator))
    )


def org_3_breaking():
    """ORG-3: units without a reserve plan for power outages or a training record."""
    return Unit.objects.annotate(responsible_id=nearest_manager_subquery()).filter(
        Q(reserve_plan="") | Q(staff_trained_on__isnull=True)
    )


def sweep_organisation_rules():
    """The nightly ORG-2 and ORG-3 sweep; returns what it opened and resolved."""
    result = SweepResult()
    for rule_id, breaking in (("ORG-2", org_2_breaking()), ("ORG-3", org_3_breaking())):
        result += raise_or_resolve(
            rule_id=rule_id,
            breaking=breaking,
            unit_field="pk",
            responsible_field="responsible_id",
        )
    return result
