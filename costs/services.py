"""Costs: importing the operator's file, the deviation sweep (COST-2, COST-5, BAR-1) and
unused subscriptions (SUB-5). Every sweep is set-based and reports through
compliance.services.raise_or_resolve."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from absence.models import Trip
from common.history import note_change_reason
from common.mail import mail_template_on_commit
from common.tasks import enqueue_on_commit
from compliance.services import SweepResult, raise_or_resolve, resolve_for
from organisation.guideline import guideline
from subscriptions.models import Subscription

from . import selectors
from .calllist import is_pdf, parse_call_list
from .choices import ImportStatus, StatementStatus
from .importer import ImportRejected, load_usage
from .models import CallDetail, StatementAccess, StatementRequest, UsageImport, UsageRecord
from .permissions import (
    can_decide_statement,
    can_explain_usage,
    can_import_usage,
    can_request_statement,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

# A month is judged against its own normal level only with this much history behind it.
MIN_HISTORY_MONTHS = 3


# --- Import ---------------------------------------------------------------------------


@transaction.atomic
def usage_import_create(*, actor: User, file_name: str, content: bytes) -> UsageImport:
    """Store an upload and queue its import (the Celery task runs after commit)."""
    if not can_import_usage(actor):
        raise PermissionDenied
    if len(content) > settings.TELEFONI_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    usage_import = UsageImport.objects.create(
        file_name=file_name[:255], content=content, uploaded_by=actor
    )
    enqueue_on_commit("costs.tasks.run_usage_import", import_id=usage_import.pk)
    return usage_import


def _set_progress(import_id: int, **fields: Any) -> None:
    UsageImport.objects.filter(pk=import_id).update(**fields)


def usage_import_run(*, import_id: int) -> str | None:
    """Validate and load one stored upload, then sweep; returns the status it ended in.

    Progress is written outside the load's transaction so the page sees it move.
    """
    usage_import = UsageImport.objects.select_related("uploaded_by").filter(pk=import_id).first()
    if usage_import is None or usage_import.is_finished:
        return None
    _set_progress(import_id, status=ImportStatus.RUNNING, progress=5)
    try:
        result = load_usage(
            content=bytes(usage_import.content),
            import_id=import_id,
            scope=selectors.import_scope(usage_import.uploaded_by),
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

# The rules of a month that an explanation answers: their sweeps pass explained months by.
EXPLAINED_RULES = ("COST-2", "BAR-1", "COST-5")


@transaction.atomic
def usage_record_explain(*, actor: User, record: UsageRecord, reason: str | None) -> UsageRecord:
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
    # Only this month's flags: the sweeps run after imports and at night, not in a request.
    resolve_for(record, EXPLAINED_RULES)
    return record


# --- The sweeps -----------------------------------------------------------------------

_LATEST = (
    "SELECT subscription_id, MAX(month) AS month FROM costs_usagerecord GROUP BY subscription_id"
)


def _latest_months() -> QuerySet[UsageRecord]:
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


def deviating_record_ids() -> RawSQL:
    """COST-2: the latest month is more than the guideline's deviation factor times the
    median of the subscription's previous 12 months and above its minimum amount.

    One statement; the median is taken with window functions so it runs on both databases.
    """
    g = guideline()
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
            Decimal(g.cost_deviation_min_sek),
            g.cost_deviation_factor,
        ),
    )


def _with_owner(records: QuerySet[UsageRecord]) -> QuerySet[UsageRecord]:
    return records.annotate(
        flag_unit_id=F("cost_centre__unit_id"),
        flag_responsible_id=F("cost_centre__budget_manager_id"),
    )


def cost_2_breaking() -> QuerySet[UsageRecord]:
    return _with_owner(UsageRecord.objects.filter(pk__in=deviating_record_ids()))


def bar_1_breaking() -> QuerySet[UsageRecord]:
    """Premium-rate and directory-enquiry costs: barred by default (BAR-1), so any is odd."""
    return _with_owner(_latest_months().filter(Q(premium__gt=0) | Q(directory__gt=0)))


def cost_5_breaking() -> QuerySet[UsageRecord]:
    """COST-5 / ABS-6: roaming or data abroad in a month with no registered trip."""
    trip = Trip.objects.annotate(
        first_month=ExtractYear("starts_on") * 12 + ExtractMonth("starts_on") - 1,
        last_month=ExtractYear("ends_on") * 12 + ExtractMonth("ends_on") - 1,
    ).filter(
        subscription_id=OuterRef("subscription_id"),
        first_month__lte=OuterRef("month"),
        last_month__gte=OuterRef("month"),
    )
    return _with_owner(_latest_months().filter(roaming__gt=0).filter(~Exists(trip)))


def sub_5_breaking() -> QuerySet[Subscription]:
    return Subscription.objects.filter(pk__in=selectors.unused_subscription_ids()).annotate(
        flag_unit_id=F("cost_centre__unit_id"),
        flag_responsible_id=F("cost_centre__budget_manager_id"),
    )


def sweep_costs() -> SweepResult:
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


# --- COST-3: itemised statements (specificerat utdrag) -----------------------------------


def _requester_email(statement: StatementRequest) -> str:
    user = statement.requested_by
    person = getattr(user, "person", None)
    return user.email or (person.email if person is not None else "")


def _statement_mail(
    statement: StatementRequest, addresses: Iterable[str], event: str, **extra: object
) -> None:
    """The e-mail of `event` (requested, approved, refused): costs/email/statement.txt."""
    context = {
        "statement": statement,
        "event": event,
        "url": settings.TELEFONI_SITE_URL + statement.get_absolute_url(),
        **extra,
    }
    mail_template_on_commit(addresses, "costs/email/statement", context)


def _month_start(period: date) -> date:
    return period.replace(day=1)


@transaction.atomic
def statement_request_create(
    *, actor: User, subscription: Subscription, period: date, grounds: str | None
) -> StatementRequest:
    """COST-3: the budget-responsible manager asks for an itemised statement of one of
    their cost centre's subscriptions for one month, stating the special grounds."""
    if not can_request_statement(actor, subscription.cost_centre):
        raise PermissionDenied
    grounds = (grounds or "").strip()
    errors: dict[str, str] = {}
    if not grounds:
        errors["grounds"] = _(
            "State the special grounds: an itemised statement is given only on special grounds."
        )
    period = _month_start(period)
    if period > timezone.localdate().replace(day=1):
        errors["period"] = _("The month has not begun yet.")
    if errors:
        raise ValidationError(errors)
    statement = StatementRequest(
        subscription=subscription,
        cost_centre=subscription.cost_centre,
        period=period,
        grounds=grounds,
        requested_by=actor,
    )
    note_change_reason(statement, grounds[:100])
    statement.save()
    _statement_mail(
        statement,
        [settings.TELEFONI_SERVICE_DESK_EMAIL],
        "requested",
    )
    return statement


def _pending_for_update(statement: StatementRequest) -> StatementRequest:
    locked = StatementRequest.objects.select_for_update().get(pk=statement.pk)
    if locked.status != StatementStatus.PENDING:
        raise ValidationError(_("The request has already been decided."), code="decided")
    return locked


@transaction.atomic
def statement_approve(
    *, actor: User, statement: StatementRequest, file_name: str, content: bytes
) -> StatementRequest:
    """Tele kundtjänst approves and attaches the operator's call list for the month: a
    CSV (imported as call detail rows, the whole file checked first) or the operator's
    PDF. The requester is e-mailed."""
    if not can_decide_statement(actor):
        raise PermissionDenied
    statement = _pending_for_update(statement)
    now = timezone.now()
    if is_pdf(content):
        statement.operator_pdf = content
        statement.operator_pdf_name = file_name[:255]
        calls: list[dict[str, Any]] = []
    else:
        calls = parse_call_list(content, statement.period)  # ImportRejected: nothing saved
    CallDetail.objects.bulk_create(
        [CallDetail(statement=statement, imported_at=now, **call) for call in calls],
        batch_size=2000,
    )
    statement.status = StatementStatus.APPROVED
    statement.decided_by = actor
    statement.decided_at = now
    statement.content_imported_at = now
    statement.call_count = len(calls)
    note_change_reason(statement, _("Approved"))
    statement.save()
    _statement_mail(
        statement,
        [_requester_email(statement)],
        "approved",
        days=guideline().statement_visible_days,
    )
    return statement


@transaction.atomic
def statement_refuse(
    *, actor: User, statement: StatementRequest, reason: str | None
) -> StatementRequest:
    """Tele kundtjänst refuses, with a reason the requester is e-mailed."""

    if not can_decide_statement(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")})
    statement = _pending_for_update(statement)
    statement.status = StatementStatus.REFUSED
    statement.decided_by = actor
    statement.decided_at = timezone.now()
    statement.refusal_reason = reason
    note_change_reason(statement, reason[:100])
    statement.save()
    _statement_mail(
        statement,
        [_requester_email(statement)],
        "refused",
        reason=reason,
    )
    return statement


def statement_log_access(
    *, actor: User, statement: StatementRequest, action: str, ip_address: str | None = None
) -> StatementAccess:
    """COST-3: every view and download of a statement's content is logged (append-only)."""

    return StatementAccess.objects.create(
        statement=statement, user=actor, action=action, ip_address=ip_address or None
    )


@transaction.atomic
def purge_call_details(*, now: datetime | None = None) -> int:
    """COST-3: delete the call detail of statements imported more than the guideline's
    `call_detail_retention_days` ago (rows and the operator's PDF), set-based. Returns how
    many statements were purged; a second run purges nothing."""

    cutoff = (now or timezone.now()) - timedelta(days=guideline().call_detail_retention_days)
    due = StatementRequest.objects.filter(
        content_imported_at__lt=cutoff, content_deleted_at__isnull=True
    )
    CallDetail.objects.filter(imported_at__lt=cutoff).delete()
    # The access log, the request and its grounds stay: only the content goes. A plain
    # UPDATE: the PDF is not in the history table, and the purge is not a user's change.
    return due.update(operator_pdf=b"", call_count=0, content_deleted_at=now or timezone.now())
