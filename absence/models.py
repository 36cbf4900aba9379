"""Hänvisning and medflyttning (ABS-1..ABS-3) and trips abroad (ABS-6).

A Redirect belongs to one subscription. It is current while it is active and
starts_at <= now < ends_at (or no end, for a medflyttning): reads compare with the clock,
so a hänvisning whose end has passed is over at once, before the nightly sweep closes it.
"""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import connections, models, router
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import optional_fk
from organisation import identity
from organisation.numbers import format_number

from . import workdays
from .choices import FOLLOW_TARGETS, PHONE_TARGETS, Kind, Reason, Status, Target


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing on other databases (SQLite), where
    the service's own check under a row lock is what keeps the rule."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=None):
        using = using or router.db_for_write(model, instance=instance)
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)


class Redirect(models.Model):
    """A hänvisning (reason, until when, where calls go, a message) or a medflyttning
    (the extension follows to another municipal number) of one subscription."""

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("phone"),
        on_delete=models.PROTECT,
        related_name="redirects",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HANVISNING)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    target = models.CharField(_("calls go to"), max_length=16, choices=Target.choices)
    target_subscription = optional_fk(
        "subscriptions.Subscription", _("number calls go to"), related_name="+"
    )
    message = models.CharField(_("message to callers"), max_length=160, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="redirect_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.MEDFLYTTNING) | (Q(ends_at__isnull=False) & ~Q(reason="")),
                name="redirect_hanvisning_has_reason_and_end",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.HANVISNING) | (Q(reason="") & Q(target__in=FOLLOW_TARGETS)),
                name="redirect_medflyttning_follows_to_a_number",
            ),
            models.CheckConstraint(
                condition=(Q(target__in=PHONE_TARGETS) & Q(target_subscription__isnull=False))
                | (~Q(target__in=PHONE_TARGETS) & Q(target_subscription__isnull=True)),
                name="redirect_phone_target_named",
            ),
            models.CheckConstraint(
                condition=~Q(target_subscription=F("subscription")),
                name="redirect_not_to_itself",
            ),
            # ABS-1: two redirects of one subscription never overlap in time.
            PostgresExclusionConstraint(
                name="redirect_no_overlap",
                expressions=[
                    ("subscription", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status=Status.CANCELLED),
            ),
        ]
        indexes = [
            models.Index("subscription", "status", "starts_at", name="redirect_by_subscription"),
            models.Index("status", "ends_at", name="redirect_by_status_end"),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return reverse("absence:mine")

    def is_current(self, now=None):
        now = now or workdays.now()
        return (
            self.status == Status.ACTIVE
            and self.starts_at <= now
            and (self.ends_at is None or now < self.ends_at)
        )

    @property
    def summary(self):
        """What telesök shows: "Lunch, åter 13:00", "Sjuk, åter 3 december 08:00",
        "Medflyttad till 019-21 10 00"."""
        if self.kind == Kind.MEDFLYTTNING:
            return gettext("Follows to %(target)s") % {"target": self.target_display}
        reason = self.get_reason_display()
        if self.ends_at is None:
            return reason
        return gettext("%(reason)s, back %(when)s") % {
            "reason": reason,
            "when": back_at_display(self.ends_at),
        }

    @property
    def target_display(self):
        """Where calls go, for people: "Kundtjänst", "Anna Östlund, 1100", "070-555 31 01";
        "en kollega" when the phone is a protected identity's (ORG-4: on every page and in
        the API, for everyone; only the admin, for Tele kundtjänst, names it)."""
        phone = self.target_subscription if self.target_subscription_id else None
        if phone is None:
            return self.get_target_display()
        if identity.phone_is_hidden(None, phone):
            return str(identity.A_COLLEAGUE)
        owner = phone.function_name or (str(phone.holder) if phone.holder_id else "")
        number = phone.extension or format_number(phone.number)
        return f"{owner}, {number}" if owner else number


def back_at_display(when, now=None):
    """ "13:00" today, "i morgon 08:00" tomorrow, else "3 december 08:00" (local time)."""
    local = timezone.localtime(when)
    today = timezone.localdate(now or workdays.now())
    clock = formats.time_format(local, "H:i")
    days = (local.date() - today).days
    if days == 0:
        return clock
    if days == 1:
        return pgettext("back", "tomorrow %(time)s") % {"time": clock}
    return f"{formats.date_format(local, 'j F')} {clock}"


class Trip(models.Model):
    """ABS-6: a trip abroad with a municipal phone; the dates feed the cost checks (COST-5)."""

    person = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("traveller"),
        on_delete=models.PROTECT,
        related_name="trips",
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("phone taken along"),
        on_delete=models.PROTECT,
        related_name="trips",
    )
    destination = models.CharField(_("destination"), max_length=100)
    starts_on = models.DateField(_("leaves"))
    ends_on = models.DateField(_("returns"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    checklist_sent_at = models.DateTimeField(_("checklist e-mailed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trip abroad")
        verbose_name_plural = _("trips abroad")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="trip_returns_after_it_leaves"
            ),
        ]
        indexes = [models.Index("subscription", "starts_on", "ends_on", name="trip_dates")]

    def __str__(self):
        return f"{self.destination} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"
