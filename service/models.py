"""Citizen service duties: callback messages (SRV-2, tillgänglighetsgaranti), phone notes
(SRV-3) and threat reports (SRV-4).

DIR-5: an external caller's number and e-mail are stored only on a Callback, where the
callback needs them, and erased (in the row and in its history rows) a configurable number
of days after it is done. Nothing looks a caller up by number: there is no index, search
field or filter on them anywhere.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import optional_fk, optional_user
from organisation.numbers import format_number

from .choices import CallbackStatus, Channel


class Callback(models.Model):
    """SRV-2: a message taken for someone who could not be reached; the caller is to be
    contacted by the deadline (two working days by default)."""

    caller_name = models.CharField(_("caller's name"), max_length=200)
    caller_phone = models.CharField(
        _("caller's phone number"), max_length=16, blank=True, help_text=_("In E.164.")
    )
    caller_email = models.EmailField(_("caller's e-mail"), blank=True)
    message = models.TextField(_("message"), max_length=4000)
    recipient = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    channel = models.CharField(_("passed on by"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    deadline = models.DateField(_("call back by"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # E-mail: when Telefoni sent it; SMS/voicemail: when the recorder confirmed doing it.
    passed_on_at = models.DateTimeField(_("passed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    done_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    done_by = optional_user(_("marked contacted by"))
    erased_at = models.DateTimeField(_("contact details erased"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("callback message")
        verbose_name_plural = _("callback messages")
        ordering = ["deadline", "received_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(caller_name="") & ~Q(message=""),
                name="callback_caller_and_message_given",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=False) | ~Q(caller_phone="") | ~Q(caller_email=""),
                name="callback_caller_reachable",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | (Q(caller_phone="") & Q(caller_email="")),
                name="callback_erased_means_empty",
            ),
            models.CheckConstraint(
                condition=(Q(status=CallbackStatus.OPEN) & Q(done_at__isnull=True))
                | (Q(status=CallbackStatus.DONE) & Q(done_at__isnull=False)),
                name="callback_done_has_time",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(status=CallbackStatus.DONE),
                name="callback_erased_only_when_done",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[Channel.EMAIL]) | Q(passed_on_at__isnull=False),
                name="callback_by_hand_is_confirmed",
            ),
        ]
        indexes = [
            models.Index("recipient", "status", "deadline", name="callback_by_recipient"),
            models.Index("status", "deadline", name="callback_by_status"),
        ]

    def __str__(self):
        # Never the caller's number or e-mail: this string reaches flags and e-mails.
        return gettext("Callback to %(caller)s for %(recipient)s by %(deadline)s") % {
            "caller": self.caller_name,
            "recipient": self.recipient,
            "deadline": formats.date_format(self.deadline, "j F Y"),
        }

    def get_absolute_url(self):
        return reverse("service:callback_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == CallbackStatus.OPEN

    @property
    def caller_phone_display(self):
        return format_number(self.caller_phone)


class PhoneNote(models.Model):
    """SRV-3: information received by phone that may matter in a case of
    myndighetsutövning. Kept with its history; nobody deletes one."""

    received_at = models.DateTimeField(_("date and time of the call"))
    caller = models.CharField(
        _("who called"), max_length=200, help_text=_("As the caller gave it.")
    )
    summary = models.TextField(_("summary"), max_length=8000)
    case_number = models.CharField(
        _("case number"), max_length=50, help_text=_("The diarienummer, e.g. “VOF 2026/123”.")
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="phone_notes",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone note")
        verbose_name_plural = _("phone notes")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(caller="") & ~Q(summary="") & ~Q(case_number=""),
                name="phone_note_fields_given",
            ),
        ]
        indexes = [
            models.Index("case_number", "received_at", name="phone_note_by_case"),
            models.Index("unit", "received_at", name="phone_note_by_unit"),
        ]

    def __str__(self):
        return gettext("Phone note %(case)s, %(when)s") % {
            "case": self.case_number,
            "when": formats.date_format(timezone.localtime(self.received_at), "j F Y H:i"),
        }

    def get_absolute_url(self):
        return reverse("service:phonenote_detail", args=[self.pk])


class ThreatReport(models.Model):
    """SRV-4: a threatening call, reported to the reporter's nearest manager at once."""

    occurred_at = models.DateTimeField(_("when the call came"))
    what_was_said = models.TextField(_("what was said"), max_length=8000)
    caller = models.CharField(_("caller, if known"), max_length=200, blank=True)
    number_shown = models.CharField(
        _("number shown"),
        max_length=32,
        blank=True,
        help_text=_("The number the phone showed, if any; for the police report."),
    )
    reporter = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="threat_reports",
    )
    # Fixed when reported, so who may read it does not change with later reorganisations.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="threat_reports",
    )
    manager = optional_fk(
        "organisation.Person", _("nearest manager"), related_name="threat_reports_received"
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    notified_at = models.DateTimeField(_("manager e-mailed"), null=True, blank=True)
    notified_to = models.CharField(_("e-mailed to"), max_length=254, blank=True)
    acknowledged_at = models.DateTimeField(_("read by the manager"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("threat report")
        verbose_name_plural = _("threat reports")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(what_was_said=""), name="threat_report_says_what"),
            models.CheckConstraint(
                condition=Q(occurred_at__lte=F("created_at")),
                name="threat_report_not_in_the_future",
            ),
        ]
        indexes = [models.Index("manager", "acknowledged_at", name="threat_by_manager")]

    def __str__(self):
        return gettext("Threat report of %(when)s") % {
            "when": formats.date_format(timezone.localtime(self.occurred_at), "j F Y H:i"),
        }

    def get_absolute_url(self):
        return reverse("service:threat_detail", args=[self.pk])
