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
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from absence.models import Trip
from common.history import note_change_reason
from common.mail import mail_template_on_commit
from common.tasks import enqueue_on_commit, queue
from compliance.services import SweepResult, raise_or_resolve, resolve_for
from organisation.guideline import guideline
from subscriptions.models import Subscription

from . import selectors
from .calllist import is_pdf, parse_call_list
from .choices import CATEGORY_FIELDS, ImportStatus, StatementStatus
from .importer import ImportRejected, load_usage
from .models import (
    CallDetail,
    ReplacedUsageRecord,
    StatementAccess,
    StatementRequest,
    UsageImport,
    UsageRecord,
)
from .permissions import (
    can_decide_import,
    can_decide_statement,
    can_explain_usage,
    can_import_usage,
    can_request_statement,
    can_undo_import,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

# A month is judged against its own normal level only with this much history behind it.
MIN_HISTORY_MONTHS = 3


# --- Import ---------------------------------------------------------------------------


@transaction.atomic
def usage_import_create(
    *, actor: User, file_name: str, content: bytes, replace_month: bool = False
) -> UsageImport:
    """Store an upload and queue its import (the Celery task runs after commit). With
    `replace_month` the task first works out a preview and waits for the uploader to
    confirm it (usage_import_decide): nothing is written before."""
    if not can_import_usage(actor):
        raise PermissionDenied
    if len(content) > settings.TELEFONI_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    usage_import = UsageImport.objects.create(
        file_name=file_name[:255], content=content, uploaded_by=actor, replace_month=replace_month
    )
    enqueue_on_commit("costs.tasks.run_usage_import", import_id=usage_import.pk)
    return usage_import


def _set_progress(import_id: int, **fields: Any) -> None:
    UsageImport.objects.filter(pk=import_id).update(updated_at=timezone.now(), **fields)


def _storable(value: Any) -> Any:
    """A report value PostgreSQL can store in JSON: no NUL characters, whatever the file held."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def _claim(import_id: int) -> bool:
    """PENDING -> RUNNING, once: a task that arrives twice (the sweep re-queued it, or
    the broker delivered it again) finds the import claimed and does nothing."""
    now = timezone.now()
    return bool(
        UsageImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.RUNNING, progress=5, updated_at=now
        )
    )


def usage_import_run(*, import_id: int) -> str | None:
    """Validate and load one stored upload, then sweep; returns the status it ended in
    (None when the import was not waiting: missing, claimed by another run, or ended).

    Progress is written outside the load's transaction so the page sees it move. Every
    run ends the import: done, preview, rejected with the Swedish report, or failed with
    a Swedish reason (and the uploader is e-mailed).
    """
    if not _claim(import_id):
        return None
    usage_import = UsageImport.objects.select_related("uploaded_by").get(pk=import_id)
    preview = usage_import.replace_month and not usage_import.confirmed
    try:
        result = load_usage(
            content=bytes(usage_import.content),
            import_id=import_id,
            scope=selectors.import_scope(usage_import.uploaded_by),
            replace_month=usage_import.replace_month,
            dry_run=preview,
            flag_content_type_id=ContentType.objects.get_for_model(UsageRecord).pk,
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
            errors=_storable(errors),
            error_count=rejected.error_count or len(errors),
            encoding=rejected.encoding,
            unknown_numbers=_storable(rejected.unknown_numbers),
            unknown_count=len(rejected.unknown_numbers),
            finished_at=timezone.now(),
        )
        return ImportStatus.REJECTED
    except Exception:
        log.exception("Usage import %s failed", import_id)
        _fail(
            [import_id],
            gettext_lazy(
                "A technical fault stopped the import (it has been logged for Tele "
                "kundtjänst); nothing was imported."
            ),
        )
        return ImportStatus.FAILED
    outcome = {
        "row_count": result.row_count,
        "periods": result.periods,
        "unknown_numbers": _storable(result.unknown_numbers),
        "unknown_count": result.unknown_count,
        "encoding": result.encoding,
        "added_count": result.added,
        "replaced_count": result.changed,
        "unchanged_count": result.unchanged,
        "removed_count": result.removed,
        "centres": _storable(result.centres),
        "closing_flags": _storable(result.closing_flags),
    }
    if preview:
        _set_progress(import_id, status=ImportStatus.PREVIEW, progress=100, **outcome)
        return ImportStatus.PREVIEW
    try:
        sweep_costs()
    except Exception:  # the rows are written; the nightly sweep raises the flags instead
        log.exception("The cost sweep after usage import %s failed", import_id)
    _set_progress(
        import_id,
        status=ImportStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        **outcome,
    )
    return ImportStatus.DONE


@transaction.atomic
def usage_import_decide(*, actor: User, usage_import: UsageImport, decision: str) -> UsageImport:
    """The uploader's decision on a preview: "replace" the whole month as shown, "merge"
    (import only the file's own rows, the safe default), or "cancel" (nothing is written)."""
    if not can_decide_import(actor, usage_import):
        raise PermissionDenied
    if decision not in ("replace", "merge", "cancel"):
        raise ValidationError(_("Choose how to import the file."), code="decision")
    waiting = UsageImport.objects.filter(pk=usage_import.pk, status=ImportStatus.PREVIEW)
    now = timezone.now()
    if decision == "cancel":
        changed = waiting.update(status=ImportStatus.CANCELLED, finished_at=now, updated_at=now)
    else:
        changed = waiting.update(
            status=ImportStatus.PENDING,
            progress=0,
            confirmed=True,
            replace_month=decision == "replace",
            updated_at=now,
        )
        if changed:
            enqueue_on_commit("costs.tasks.run_usage_import", import_id=usage_import.pk)
    if not changed:
        raise ValidationError(_("The import has already been decided."), code="decided")
    usage_import.refresh_from_db()
    return usage_import


def later_imports(usage_import: UsageImport) -> list[UsageImport]:
    """The imports of one of the same months done after `usage_import`: while one exists,
    `usage_import` cannot be undone (its rows may have been replaced again since)."""
    months = set(usage_import.periods)
    later = UsageImport.objects.filter(
        status=ImportStatus.DONE, finished_at__gt=usage_import.finished_at
    ).defer("content")
    return [other for other in later if months & set(other.periods)]


@transaction.atomic
def usage_import_undo(*, actor: User, usage_import: UsageImport) -> UsageImport:
    """ "Ångra importen": the rows the import added go, the rows it replaced or removed
    come back exactly as they were (same ids, their explanations). Only a done import
    with no later done import of the same months, and while no import is under way."""
    if not can_undo_import(actor, usage_import):
        raise PermissionDenied
    locked = UsageImport.objects.select_for_update().defer("content").get(pk=usage_import.pk)
    if locked.status != ImportStatus.DONE:
        raise ValidationError(_("Only an import that was done can be undone."), code="status")
    later = later_imports(locked)
    if later:
        raise ValidationError(
            _("A later import of the same month exists (%(file)s); undo that one first.")
            % {"file": later[0].file_name},
            code="later",
        )
    if UsageImport.objects.filter(status__in=(ImportStatus.PENDING, ImportStatus.RUNNING)).exists():
        raise ValidationError(
            _("An import is under way; undo this one when it has ended."), code="busy"
        )
    UsageRecord.objects.filter(usage_import_id=locked.pk).delete()
    kept = [
        "subscription_id",
        "cost_centre_id",
        "period",
        "month",
        *CATEGORY_FIELDS,
        "total",
        "traffic",
        "explained_at",
        "explained_by_id",
        "explanation",
    ]
    UsageRecord.objects.bulk_create(
        [
            UsageRecord(
                pk=row["record_id"],
                usage_import_id=row["previous_import_id"],
                **{name: row[name] for name in kept},
            )
            for row in ReplacedUsageRecord.objects.filter(replaced_by=locked).values(
                "record_id", "previous_import_id", *kept
            )
        ],
        batch_size=2000,
    )
    locked.replaced_records.all().delete()
    now = timezone.now()
    locked.status = ImportStatus.UNDONE
    locked.undone_at = now
    locked.undone_by = actor
    locked.updated_at = now
    locked.save(update_fields=["status", "undone_at", "undone_by", "updated_at"])
    sweep_costs()
    return locked


# --- Imports that never end: the sweep ----------------------------------------------------

# A pending import whose task has not started REQUEUE_AFTER after it was queued (the
# broker refused or lost it), or a running one without a sign of progress for STUCK_AFTER
# (its worker died), is queued again, once; stuck again for STUCK_AFTER after that, it
# is failed and its uploader told.
REQUEUE_AFTER = timedelta(minutes=5)
STUCK_AFTER = timedelta(minutes=30)


def _uploader_mail(imports: Iterable[UsageImport], reason: str) -> None:
    """Tell each uploader that their import failed, and why: costs/email/import_failed.txt."""
    for usage_import in imports:
        user = usage_import.uploaded_by
        person = getattr(user, "person", None)
        address = user.email or (person.email if person is not None else "")
        context = {
            "file": usage_import.file_name,
            "reason": reason,
            "url": settings.TELEFONI_SITE_URL + usage_import.get_absolute_url(),
        }
        mail_template_on_commit([address], "costs/email/import_failed", context)


@transaction.atomic
def _fail(import_ids: list[int], reason: "StrOrPromise", *, statuses: Iterable[str] = ()) -> int:
    """Fail the given imports (those still in `statuses`, or pending or running) with a
    Swedish reason, and e-mail each uploader once. Returns how many were failed."""
    statuses = tuple(statuses) or (ImportStatus.PENDING, ImportStatus.RUNNING)
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        text = str(reason)
    failing = list(
        UsageImport.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=import_ids, status__in=statuses)
        .select_related("uploaded_by", "uploaded_by__person")
        .defer("content")
    )
    UsageImport.objects.filter(pk__in=[item.pk for item in failing]).update(
        status=ImportStatus.FAILED, progress=100, failure=text, finished_at=now, updated_at=now
    )
    _uploader_mail(failing, text)
    return len(failing)


def sweep_stuck_imports(*, now: datetime | None = None) -> int:
    """Beat: no import stays pending or running. Each import is queued again once: when
    it is still pending REQUEUE_AFTER after upload (the broker refused or lost its task),
    or has been running without progress for STUCK_AFTER (its worker died: the task's
    hard time limit is shorter, and the load's transaction went with the worker, so it
    runs again from the start). An import stuck again after that is failed and its
    uploader e-mailed. Set-based; a second run changes nothing. Returns how many imports
    it moved."""
    now = now or timezone.now()
    pending = Q(status=ImportStatus.PENDING, updated_at__lt=now - REQUEUE_AFTER)
    running = Q(status=ImportStatus.RUNNING, updated_at__lt=now - STUCK_AFTER)
    stuck = UsageImport.objects.filter(pending | running)
    due = list(stuck.filter(requeued=0).values_list("pk", flat=True))
    # Conditional, so two sweeps at once queue it once; the task's claim is conditional
    # too, so the first message turning up after all (Redis hands an unacknowledged task
    # out again) runs nothing twice.
    requeued = [
        pk
        for pk in due
        if stuck.filter(pk=pk, requeued=0).update(
            status=ImportStatus.PENDING, progress=0, requeued=1, updated_at=now
        )
    ]
    moved = len(requeued)
    again = UsageImport.objects.filter(requeued__gte=1, updated_at__lt=now - STUCK_AFTER)
    moved += _fail(
        list(again.filter(status=ImportStatus.PENDING).values_list("pk", flat=True)),
        gettext_lazy("the import never started (the task queue did not run it)."),
        statuses=[ImportStatus.PENDING],
    )
    moved += _fail(
        list(again.filter(status=ImportStatus.RUNNING).values_list("pk", flat=True)),
        gettext_lazy("the import stopped half-way (the worker running it stopped)."),
        statuses=[ImportStatus.RUNNING],
    )
    # Queued last, when this sweep has stopped writing: the worker may start at once.
    for pk in requeued:
        queue("costs.tasks.run_usage_import", import_id=pk)
    return moved


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
