"""The annual review (REV-1, REV-2, SUB-5): a round per year, one review per managed unit,
one row per subscription with the manager's decision."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import optional_fk, optional_user

from .choices import CandidateReason, Decision, ReviewStatus


class ReviewRound(models.Model):
    """One year's review, opened by Tele kundtjänst or on the guideline's review_opens."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the round opened by itself on the configured date."),
    )
    deadline = models.DateField(_("deadline"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="review_round_year_range"
            ),
        ]

    def __str__(self):
        return _("Annual review %(year)s") % {"year": self.year}


class UnitReview(models.Model):
    """A unit's review in one round: its manager decides every row, then signs it off.

    The unit is one with a manager; it covers the subscriptions of the unit and of the
    units below it that have no manager of their own. The signed PDF is kept as bytes in
    the database, so it survives a deploy and is backed up with everything else."""

    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="unit_reviews",
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.NOT_STARTED
    )
    signed_by = optional_user(_("signed by"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    pdf = models.BinaryField(_("signed review (PDF)"), null=True, blank=True, editable=False)
    # REV-2: each e-mail exactly once; claimed with a conditional UPDATE before sending.
    opened_mail_at = models.DateTimeField(_("opening e-mail sent"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalation sent"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        verbose_name = _("unit review")
        verbose_name_plural = _("unit reviews")
        ordering = ["round", "unit__path"]
        constraints = [
            models.UniqueConstraint("round", "unit", name="unit_review_one_per_round_and_unit"),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.SIGNED)
                | (Q(signed_by__isnull=False) & Q(signed_at__isnull=False) & Q(pdf__isnull=False)),
                name="unit_review_signed_has_who_when_and_pdf",
            ),
        ]

    def __str__(self):
        return _("Annual review %(year)s: %(unit)s") % {
            "year": self.round.year,
            "unit": self.unit,
        }

    def get_absolute_url(self):
        return reverse("review:unit_review", args=[self.pk])

    @property
    def is_signed(self):
        return self.status == ReviewStatus.SIGNED


class ReviewItem(models.Model):
    """One subscription in a unit's review and what its manager decided."""

    unit_review = models.ForeignKey(
        UnitReview, verbose_name=_("unit review"), on_delete=models.CASCADE, related_name="items"
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="review_items",
    )
    candidate_reason = models.CharField(
        _("candidate for cancellation"),
        max_length=32,
        choices=CandidateReason.choices,
        blank=True,
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = optional_user(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # What the decision led to: a change request to Tele kundtjänst, or a cancellation
    # that the budget-responsible manager confirmed (SUB-5).
    change_request = optional_fk(
        "subscriptions.ChangeRequest", _("change request"), related_name="+"
    )
    cancel_confirmed_by = optional_user(_("cancellation confirmed by"))
    cancel_confirmed_at = models.DateTimeField(_("cancellation confirmed"), null=True, blank=True)
    # Optimistic lock: the form carries the version it showed; a decision made on an
    # older version is refused (two managers deciding the same row at once).
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    # Attached by the unit review page: the row's DecisionForm, or None.
    form: Any

    class Meta:
        verbose_name = _("review row")
        verbose_name_plural = _("review rows")
        ordering = ["unit_review", "subscription__number"]
        constraints = [
            models.UniqueConstraint(
                "unit_review", "subscription", name="review_item_one_per_subscription"
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="review_item_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.CHANGE) | Q(change_request__isnull=True),
                name="review_item_change_request_only_for_change",
            ),
            models.CheckConstraint(
                condition=Q(cancel_confirmed_at__isnull=True)
                | (Q(decision=Decision.CANCEL) & Q(cancel_confirmed_by__isnull=False)),
                name="review_item_confirmed_only_for_cancel",
            ),
        ]
        indexes = [
            models.Index(
                "subscription",
                "decision",
                name="review_item_subscription",
            ),
        ]

    def __str__(self):
        return str(self.subscription)

    @property
    def is_final(self):
        """The decision has led to something and can no longer be changed."""
        return self.change_request_id is not None or self.cancel_confirmed_at is not None

    @property
    def awaits_confirmation(self):
        return self.decision == Decision.CANCEL and self.cancel_confirmed_at is None
