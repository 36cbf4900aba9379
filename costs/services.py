"""Costs: importing the operator's file, the deviation sweep (COST-2, COST-5, BAR-1) and
unused subscriptions (SUB-5). Every sweep is set-based and reports through
compliance.services.raise_or_resolve."""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services import SweepResult, raise_or_resolve
from subscriptions.choices import Status
from subscriptions.models import Subscription

from .choices import ImportStatus
from .importer import ImportRejected, load_usage
from .models import UsageImport, UsageRecord
from .permissions import can_explain_usage, can_import_usage

log = logging.getLogger(__name__)

# A month is judged against its own normal level only with this much history behind it.
MIN_HISTORY_MONTHS = 3


# --- Import ---------------------------------------------------------------------------


@transaction.atomic
def usage_import_create(*, actor, file_name, content):
    """Store an upload and queue its import (the Celery task runs after commit)."""
    if not can_import_usage(actor):
        raise PermissionDenied
    if len(content) > settings.TELEFONI_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    usage_import = UsageImport.objects.create(
        file_name=file_name[:255], content=content, uploaded_by=actor
    )
    from .tasks import run_usage_import

    transaction.on_commit(lambda: run_usage_import.delay(import_id=usage_import.pk))
    return usage_import


def _set_progress(import_id, **fields):
    UsageImport.objects.filter(pk=import_id).update(**fields)


def usage_import_run(*, import_id):
    """Validate and load one stored upload, then sweep; returns the status it ended in.

    Progress is written outside the load's transaction so the page sees it move.
    """
    from .selectors import import_scope

    usage_import = UsageImport.objects.select_related("uploaded_by").filter(pk=import_id).first()
    if usage_import is None or usage_import.is_finished:
        return None
    _set_progress(import_id, status=ImportStatus.RUNNING, progress=5)
    try:
        result = load_usage(
            content=bytes(usage_import.content),
            import_id=import_id,
            scope=import_scope(usage_import.uploaded_by),
            progress=lambda percent: _set_progress(import_id, progress=percent),
        )
    except ImportRejected as rejected:
        errors = rejected.errors or [
            {"line": "", "column": "", "reason": rejected.message, "value": ""}
        ]
        _set_progress(
            import_id,
            status=ImportStatus.REJECTED,
            progress=100,
            errors=errors,
            error_count=rejected.error_count or len(errors),
            finished_at=timezone.now(),
        )
        return ImportStatus.REJECTED
    except Exception:
        log.exception("Usage import %s failed", import_id)
        _set_progress(
            import_id, status=ImportStatus.FAILED, progress=100, finished_at=timezone.now()
        )
        raise
    sweep_costs()
    _set_progress(
        import_id,
        status=ImportStatus.DONE,
        progress=100,
        row_count=result.row_count,
        periods=result.periods,
        unknown_numbers=result.unknown_numbers,
        unknown_count=result.unknown_count,
        finished_at=timezone.now(),
    )
    return ImportStatus.DONE


# --- Explaining a deviation -------------------------------------------------------------


@transaction.atomic
def usage_record_explain(*, actor, record, reason):
    """COST-2: the manager explains a month; its flags close at once."""
    if not can_explain_usage(actor, record):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the cost is explained.")})
    record = UsageRecord.objects.select_for_update().get(pk=record.pk)
    if record.explained_at is not None:
        return record
    record.explained_at = timezone.now()
    record.explained_by = actor
    record.explanation = reason
    record.save(update_fields=["explained_at", "explained_by", "explanation"])
    sweep_costs()
    return record


# --- The sweeps -----------------------------------------------------------------------

_LATEST = (
    "SELECT subscription_id, MAX(month) AS month FROM costs_usagerecord GROUP BY subscription_id"
)


def _latest_months():
    """Each subscription's most recent imported month: the one the rules judge. A flag on
    an older month resolves once a newer month is imported (it is then no longer latest)."""
    return UsageRecord.objects.filter(
        month=Subquery(
            UsageRecord.objects.filter(subscription_id=OuterRef("subscription_id"))
            .order_by("-period")
            .values("month")[:1]
        ),
        explained_at__isnull=True,
    )


def deviating_record_ids():
    """COST-2: the latest month is more than TELEFONI_COST_DEVIATION_FACTOR times the
    median of the subscription's previous 12 months and above TELEFONI_COST_DEVIATION_MIN_SEK.

    One statement; the median is taken with window functions so it runs on both databases.
    """
    return RawSQL(  # noqa: S611  (constant SQL; the settings go in as parameters)
        "SELECT r.id FROM costs_usagerecord r "  # noqa: S608
        f"JOIN ({_LATEST}) l ON l.subscription_id = r.subscription_id AND l.month = r.month "
        "JOIN (SELECT subscription_id, AVG(total) AS median, MAX(cnt) AS cnt FROM ("
        "  SELECT h.subscription_id, h.total, "
        "  ROW_NUMBER() OVER (PARTITION BY h.subscription_id ORDER BY h.total) AS rn, "
        "  COUNT(*) OVER (PARTITION BY h.subscription_id) AS cnt "
        "  FROM costs_usagerecord h "
        f"  JOIN ({_LATEST}) hl ON hl.subscription_id = h.subscription_id "
        "  WHERE h.month < hl.month AND h.month >= hl.month - 12"
        ") ranked WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY subscription_id"
        ") m ON m.subscription_id = r.subscription_id "
        "WHERE r.explained_at IS NULL AND m.cnt >= %s AND r.total > %s "
        "AND r.total > m.median * %s",
        (
            MIN_HISTORY_MONTHS,
            Decimal(settings.TELEFONI_COST_DEVIATION_MIN_SEK),
            Decimal(settings.TELEFONI_COST_DEVIATION_FACTOR),
        ),
    )


def _with_owner(records):
    return records.annotate(
        flag_unit_id=F("cost_centre__unit_id"),
        flag_responsible_id=F("cost_centre__budget_manager_id"),
    )


def cost_2_breaking():
    return _with_owner(UsageRecord.objects.filter(pk__in=deviating_record_ids()))


def bar_1_breaking():
    """Premium-rate and directory-enquiry costs: barred by default (BAR-1), so any is odd."""
    return _with_owner(_latest_months().filter(Q(premium__gt=0) | Q(directory__gt=0)))


def cost_5_breaking():
    """COST-5 / ABS-6: roaming or data abroad in a month with no registered trip."""
    from absence.models import Trip

    trip = Trip.objects.annotate(
        first_month=ExtractYear("starts_on") * 12 + ExtractMonth("starts_on") - 1,
        last_month=ExtractYear("ends_on") * 12 + ExtractMonth("ends_on") - 1,
    ).filter(
        subscription_id=OuterRef("subscription_id"),
        first_month__lte=OuterRef("month"),
        last_month__gte=OuterRef("month"),
    )
    return _with_owner(_latest_months().filter(roaming__gt=0).filter(~Exists(trip)))


def unused_subscription_ids(months=None):
    """SUB-5: active subscriptions with no traffic in the last `months` imported months
    (TELEFONI_UNUSED_MONTHS): cancellation candidates. A queryset of ids, for the budget
    owner's cost page and the annual review."""
    months = months or settings.TELEFONI_UNUSED_MONTHS
    latest = UsageRecord.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return Subscription.objects.none().values("pk")
    first = latest - months + 1
    imported = UsageRecord.objects.filter(month__gte=first).values("month").distinct().count()
    if imported < months:
        return Subscription.objects.none().values("pk")
    window_start = UsageRecord.objects.filter(month=first).values_list("period", flat=True)[0]
    used = UsageRecord.objects.filter(
        subscription_id=OuterRef("pk"), month__gte=first, traffic__gt=0
    )
    return (
        Subscription.objects.filter(status=Status.ACTIVE, activated_on__lt=window_start)
        .filter(~Exists(used))
        .values("pk")
    )


def sub_5_breaking():
    return Subscription.objects.filter(pk__in=unused_subscription_ids()).annotate(
        flag_unit_id=F("cost_centre__unit_id"),
        flag_responsible_id=F("cost_centre__budget_manager_id"),
    )


def sweep_costs():
    """After every import and nightly: COST-2, BAR-1 (premium/directory), COST-5, SUB-5."""
    result = SweepResult()
    for rule_id, breaking in (
        ("COST-2", cost_2_breaking()),
        ("BAR-1", bar_1_breaking()),
        ("COST-5", cost_5_breaking()),
        ("SUB-5", sub_5_breaking()),
    ):
        result += raise_or_resolve(
            rule_id=rule_id,
            breaking=breaking,
            unit_field="flag_unit_id",
            responsible_field="flag_responsible_id",
        )
    return result
