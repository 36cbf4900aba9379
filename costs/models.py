from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import optional_user
from organisation.numbers import format_number

from .choices import IMPORT_ENDED, ImportStatus, StatementAction, StatementStatus
from .formatting import kronor


def _amount(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0)


class UsageAmounts(models.Model):
    """The amounts of one number's month, by category (choices.CATEGORIES), with the
    unit's total and its traffic: a usage row, and its copy kept for an undo."""

    subscription_fee = _amount(_("subscription fee"))
    domestic = _amount(_("calls within Sweden"))
    mobile = _amount(_("calls to mobiles"))
    international = _amount(_("international calls"))
    premium = _amount(_("premium-rate calls"))
    directory = _amount(_("directory enquiry"))
    data = _amount(_("data"))
    roaming = _amount(_("roaming and data abroad"))
    private_share = _amount(_("private share (delad faktura)"))
    total = _amount(_("total"))
    traffic = _amount(_("traffic"))

    class Meta:
        abstract = True


class UsageImport(models.Model):
    """One upload of the operator's monthly file and how far its import has come."""

    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    periods = models.JSONField(_("periods"), default=list, blank=True)
    # [{"line": 12, "column": "Data", "reason": "...", "value": "..."}], Swedish reasons.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"number": "+46...", "period": "2026-10", "total": "123.45"}]: not in abonnemangsdatabasen.
    unknown_numbers = models.JSONField(_("unknown numbers"), default=list, blank=True)
    unknown_count = models.PositiveIntegerField(_("unknown numbers"), default=0)
    # COST-1: the file replaces only the (number, month) rows it carries, unless the
    # uploader chose "replace the whole month" and confirmed it on the preview.
    replace_month = models.BooleanField(_("replace the whole month"), default=False)
    confirmed = models.BooleanField(_("confirmed after the preview"), default=False)
    # How the bytes were read: UTF-8, UTF-16, Windows-1252 or XLSX.
    encoding = models.CharField(_("encoding"), max_length=32, blank=True)
    added_count = models.PositiveIntegerField(_("new rows"), default=0)
    replaced_count = models.PositiveIntegerField(_("replaced rows"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged rows"), default=0)
    removed_count = models.PositiveIntegerField(_("removed rows"), default=0)
    # Per cost centre: {"id", "code", "name", "added", "changed", "unchanged", "removed"};
    # the preview's (or the result's) figures.
    centres = models.JSONField(_("per cost centre"), default=list, blank=True)
    # The preview: [{"rule", "number", "period", "cost_centre"}] open flags that would close.
    closing_flags = models.JSONField(_("flags that would close"), default=list, blank=True)
    failure = models.TextField(_("why the import failed"), blank=True)
    # The last time the import moved (queued, claimed, progress): the stuck-import sweep
    # judges by it. `requeued` counts the sweep's re-queueings (at most one).
    updated_at = models.DateTimeField(_("last moved"), default=timezone.now)
    requeued = models.PositiveSmallIntegerField(_("re-queued"), default=0)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = optional_user(_("undone by"))

    class Meta:
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="usage_import_progress"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("costs:usage_import_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in IMPORT_ENDED


class UsageRecord(UsageAmounts):
    """One subscription's costs for one month, as the operator invoiced them.

    The cost centre is the subscription's at import time: a month's costs stay where they
    were booked when the phone later moves. `month` is year * 12 + month - 1, so the sweeps
    count months with plain integer arithmetic on every database.
    """

    # No single-column index on the foreign keys here (db_index=False): the unique
    # (subscription, period) and the (cost_centre, period) indexes begin with them and serve
    # every lookup, the database's foreign-key checks included (deleting a subscription or
    # cost centre looks for usage rows that name it), and each index fewer is one less to
    # write per imported row (bench_costs). Both are real foreign-key constraints on every
    # database (migration 0007): a usage row must name an existing subscription and cost
    # centre, which cannot be deleted while it does.
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="usage_records",
        db_index=False,
    )
    cost_centre = models.ForeignKey(
        "organisation.CostCentre",
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        related_name="usage_records",
        db_index=False,
    )
    period = models.DateField(_("month"))
    month = models.PositiveIntegerField(editable=False)
    # Which upload last wrote the row: informational only, so no database constraint (a
    # third foreign-key check per imported row would cost as much as each of the two
    # above, bench_costs); deleting an upload empties it through the ORM (SET_NULL).
    usage_import = models.ForeignKey(
        UsageImport,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        db_constraint=False,
        db_index=False,
    )
    # COST-2: the budget-responsible manager's explanation closes the month's flags.
    explained_at = models.DateTimeField(_("explained"), null=True, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("explained by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # looked up only when a user is deleted, which Telefoni never does
    )
    explanation = models.TextField(_("explanation"), blank=True)

    # Attached by the cost centre's month page: the rule ids of the record's open flags,
    # and whether the viewer may change the subscription's barring (BAR-2).
    open_rules: list[str]
    can_change_barring: bool

    class Meta:
        verbose_name = _("monthly cost")
        verbose_name_plural = _("monthly costs")
        ordering = ["-period", "subscription"]
        constraints = [
            models.UniqueConstraint(
                "subscription", "period", name="usage_record_one_per_subscription_and_month"
            ),
            models.CheckConstraint(
                condition=Q(explained_at__isnull=True) | ~Q(explanation=""),
                name="usage_record_explanation_given",
            ),
        ]
        indexes = [
            models.Index("cost_centre", "period", name="usage_record_centre_period"),
            models.Index("period", name="usage_record_period"),
        ]

    def __str__(self):
        text = _("%(number)s, %(period)s: %(total)s") % {
            "number": format_number(self.subscription.number),
            "period": f"{self.period:%Y-%m}",
            "total": kronor(self.total),
        }
        # The figures a flag must name (COST-2, COST-5, BAR-1).
        parts = [
            f"{label} {kronor(getattr(self, name))}"
            for name, label in (
                ("premium", _("premium-rate")),
                ("directory", _("directory enquiry")),
                ("roaming", _("roaming")),
            )
            if getattr(self, name)
        ]
        return f"{text} ({', '.join(parts)})" if parts else text

    def get_absolute_url(self):
        return reverse("costs:usage_record_detail", args=[self.pk])


class ReplacedUsageRecord(UsageAmounts):
    """A usage row as it was before an import changed or removed it, kept so that the
    import can be undone ("Ångra importen"): undoing puts it back, with the same id and
    its explanation. Plain ids, no foreign keys: the row is a copy, checked again by
    UsageRecord's own constraints when it is put back; an import deleted takes its copies
    with it."""

    replaced_by = models.ForeignKey(
        UsageImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="replaced_records",
    )
    record_id = models.PositiveBigIntegerField()
    previous_import_id = models.PositiveBigIntegerField(null=True)
    subscription_id = models.PositiveBigIntegerField()
    cost_centre_id = models.PositiveBigIntegerField()
    period = models.DateField()
    month = models.PositiveIntegerField()
    explained_at = models.DateTimeField(null=True)
    explained_by_id = models.PositiveBigIntegerField(null=True)
    explanation = models.TextField(blank=True)

    class Meta:
        verbose_name = _("replaced monthly cost")
        verbose_name_plural = _("replaced monthly costs")
        constraints = [
            models.UniqueConstraint(
                "replaced_by", "record_id", name="replaced_usage_record_once_per_import"
            ),
        ]

    def __str__(self):
        return f"{self.record_id} ({self.period:%Y-%m})"


class StatementRequest(models.Model):
    """COST-3: a specificerat utdrag for one subscription and month, only on special
    grounds. The budget-responsible manager asks, Tele kundtjänst approves (attaching the
    operator's call list) or refuses; only the requester sees the content, for the
    guideline's `statement_visible_days` after approval, and every view is logged."""

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="statement_requests",
    )
    cost_centre = models.ForeignKey(
        "organisation.CostCentre",
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        related_name="statement_requests",
    )
    period = models.DateField(_("month"))
    grounds = models.TextField(_("special grounds"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StatementStatus.choices,
        default=StatementStatus.PENDING,
    )
    decided_by = optional_user(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # The statement itself: call detail rows (CallDetail) and/or the operator's PDF.
    content_imported_at = models.DateTimeField(_("call list imported"), null=True, blank=True)
    call_count = models.PositiveIntegerField(_("calls"), default=0)
    operator_pdf = models.BinaryField(_("operator's PDF"), blank=True, default=b"", editable=False)
    operator_pdf_name = models.CharField(_("operator's PDF file"), max_length=255, blank=True)
    # Set when the retention sweep deleted the call detail (call_detail_retention_days).
    content_deleted_at = models.DateTimeField(_("call list deleted"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["operator_pdf"])

    class Meta:
        verbose_name = _("itemised statement request")
        verbose_name_plural = _("itemised statement requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grounds=""), name="statement_request_grounds_given"
            ),
            models.CheckConstraint(
                condition=~Q(status=StatementStatus.REFUSED) | ~Q(refusal_reason=""),
                name="statement_request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=StatementStatus.PENDING)
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="statement_request_decision_recorded",
            ),
        ]
        indexes = [
            models.Index("content_imported_at", name="statement_content_imported"),
        ]

    def __str__(self):
        return _("Itemised statement %(number)s, %(period)s") % {
            "number": format_number(self.subscription.number),
            "period": f"{self.period:%Y-%m}",
        }

    def get_absolute_url(self):
        return reverse("costs:statement_detail", args=[self.pk])

    def visible_until(self, visible_days):
        """The moment the approved statement stops being shown (None: not approved)."""
        if self.status != StatementStatus.APPROVED or self.decided_at is None:
            return None
        return self.decided_at + timedelta(days=visible_days)


class CallDetail(models.Model):
    """One call of an itemised statement, from the operator's call list (COST-3). Deleted
    `call_detail_retention_days` after import by the nightly retention sweep."""

    statement = models.ForeignKey(
        StatementRequest,
        verbose_name=_("itemised statement"),
        on_delete=models.CASCADE,
        related_name="calls",
    )
    line_no = models.PositiveIntegerField(_("row"))
    called_at = models.DateTimeField(_("time"))
    called_number = models.CharField(_("called number"), max_length=32)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["called_at", "line_no"]
        indexes = [models.Index("imported_at", name="call_detail_imported")]

    def __str__(self):
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.called_number}"


class AppendOnlyError(Exception):
    """An access log row was about to be changed or deleted."""


class StatementAccess(models.Model):
    """COST-3: who viewed or downloaded which itemised statement, when, from where.
    Append-only: save() of an existing row and delete() raise, and on PostgreSQL a
    trigger refuses UPDATE and DELETE (migration 0004)."""

    statement = models.ForeignKey(
        StatementRequest,
        verbose_name=_("itemised statement"),
        on_delete=models.PROTECT,
        related_name="accesses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    accessed_at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("what"), max_length=16, choices=StatementAction.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("itemised statement access")
        verbose_name_plural = _("itemised statement accesses")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index("accessed_at", name="statement_access_at")]

    def __str__(self):
        return f"{self.accessed_at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(_("The access log cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("The access log cannot be deleted from."))
