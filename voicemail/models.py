"""Voicemail (VM-1..VM-5): boxes approved by the enhetschef, personal greetings, daily
listening, deputies (bevakare) and the registration of messages that are public records.

A box's *holder* is the subscription's holder; a function or group phone has none, so the
manager of its owning unit (or the nearest unit above with one) acts as holder."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import optional_fk

from .choices import BoxKind, Source


class VoicemailBox(models.Model):
    subscription = models.OneToOneField(
        "subscriptions.Subscription",
        verbose_name=_("phone"),
        on_delete=models.PROTECT,
        related_name="voicemail_box",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BoxKind.choices)
    is_on = models.BooleanField(_("switched on"), default=False)
    switched_on_at = models.DateTimeField(_("switched on at"), null=True, blank=True)
    # VM-1: the enhetschef's approval; the box does not exist without it.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)
    approval_note = models.CharField(_("why it is suitable"), max_length=300, blank=True)
    # VM-2: the holder confirms that the personal greeting is recorded; VM-3: a talsvar
    # records what it tells callers.
    greeting_text = models.TextField(_("what the greeting says"), blank=True)
    greeting_confirmed_at = models.DateTimeField(_("greeting confirmed"), null=True, blank=True)
    greeting_confirmed_by = optional_fk(
        "organisation.Person", _("greeting confirmed by"), related_name="+"
    )
    # VM-4: who listens instead of the holder during an absence.
    deputy = optional_fk(
        "organisation.Person", _("deputy (bevakare)"), related_name="deputised_boxes"
    )
    # The day the daily reminder went out (claimed per box, so it is sent once a day).
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reminded_on"])

    # Attached by voicemail.selectors.boxes_to_listen for the start page.
    listened_today: bool
    as_deputy: bool

    class Meta:
        verbose_name = _("voicemail box")
        verbose_name_plural = _("voicemail boxes")
        ordering = ["subscription__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_on=False)
                | (
                    Q(switched_on_at__isnull=False)
                    & Q(greeting_confirmed_at__isnull=False)
                    & Q(greeting_confirmed_by__isnull=False)
                ),
                name="voicemail_on_needs_confirmed_greeting",
                violation_error_message=_(
                    "A voicemail box is switched on only after its personal greeting is confirmed."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind=BoxKind.TALSVAR)
                | Q(greeting_confirmed_at__isnull=True)
                | ~Q(greeting_text=""),
                name="voicemail_talsvar_records_its_announcement",
            ),
            models.CheckConstraint(
                condition=Q(greeting_confirmed_at__isnull=True, greeting_confirmed_by__isnull=True)
                | Q(greeting_confirmed_at__isnull=False, greeting_confirmed_by__isnull=False),
                name="voicemail_greeting_confirmed_by_and_when",
            ),
        ]
        indexes = [models.Index("is_on", "kind", name="voicemail_box_on_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.subscription}"

    def get_absolute_url(self):
        return reverse("voicemail:detail", args=[self.pk])

    @property
    def takes_messages(self):
        return self.kind != BoxKind.TALSVAR


class Listening(models.Model):
    """One "avlyssnad": the box was listened to (VM-4). Append-only."""

    box = models.ForeignKey(
        VoicemailBox,
        verbose_name=_("voicemail box"),
        on_delete=models.PROTECT,
        related_name="listenings",
    )
    listened_at = models.DateTimeField(_("listened"))
    # The local date of listened_at, so "listened on the previous working day" is one
    # indexed comparison in the nightly sweep.
    listened_on = models.DateField(_("day"))
    by = optional_fk("organisation.Person", _("by"), related_name="+")
    source = models.CharField(_("from"), max_length=16, choices=Source.choices)
    # The switchboard's own id of the event: a repeated post is recognised, not counted twice.
    event_id = models.CharField(_("event id"), max_length=100, null=True, blank=True, unique=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    # Set by the listening API: whether this event was new (True) or a repeat.
    created: bool
    # Set by services.box_listen: True when the box had been listened to that day already
    # (the day's first listening is returned and nothing new is written).
    already = False

    class Meta:
        verbose_name = _("listening")
        verbose_name_plural = _("listenings")
        ordering = ["-listened_at", "-pk"]
        # Issue 16.6: one listening per box and day; marking it again changes nothing.
        constraints = [
            models.UniqueConstraint(fields=["box", "listened_on"], name="listening_box_day_once")
        ]
        permissions = [
            ("report_listening", _("Can post listening events (the switchboard's account)")),
        ]

    def __str__(self):
        return f"{self.box_id} {self.listened_at:%Y-%m-%d %H:%M}"


class MessageRecord(models.Model):
    """VM-5: a voicemail message registered as received. A message about a matter the
    authority handles is a public record (allmän handling) from when it reached the box,
    not from when it was opened. Kept with its history; nobody deletes it."""

    box = models.ForeignKey(
        VoicemailBox,
        verbose_name=_("voicemail box"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received (reached the box)"))
    caller = models.CharField(_("caller, as given"), max_length=200)
    summary = models.TextField(_("summary"))
    is_public_record = models.BooleanField(
        _("concerns a matter the authority handles (allmän handling)"), default=False
    )
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registered voicemail message")
        verbose_name_plural = _("registered voicemail messages")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__lte=F("registered_at")),
                name="voicemail_record_received_before_registered",
                violation_error_message=_("A message cannot reach the box in the future."),
            ),
            models.CheckConstraint(
                condition=~Q(caller="") & ~Q(summary=""),
                name="voicemail_record_caller_and_summary_given",
            ),
        ]
        indexes = [
            models.Index("unit", "received_at", name="voicemail_record_unit"),
            models.Index("case_number", name="voicemail_record_case"),
        ]

    def __str__(self):
        return f"{self.caller}, {timezone.localtime(self.received_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("voicemail:record", args=[self.pk])
