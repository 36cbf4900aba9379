import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.collation import SWEDISH
from common.fields import optional_fk, optional_user
from organisation.indexes import TrigramIndex
from organisation.models import (
    SEARCH_TEXT_SEPARATOR,
    SearchKeyQuerySet,
    search_fold,
    search_text,
    search_update_fields,
    unit_key_subquery,
    unit_search_key,
)
from organisation.numbers import format_number, search_digits

from .choices import (
    FUNCTION_KINDS,
    Kind,
    RequestKind,
    RequestStatus,
    Status,
    Unanswered,
    VoiceMessage,
)

E164 = r"^\+[1-9][0-9]{6,14}$"
EXTENSION = r"^[0-9]{2,8}$"
NOT_CANCELLED = ~Q(status=Status.CANCELLED)


class Subscription(models.Model):
    """An abonnemang in abonnemangsdatabasen (SUB-1, DIR-1): a person's or a function's."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(
        _("number"), max_length=16, help_text=_("Stored in E.164, e.g. +4619211000.")
    )
    extension = models.CharField(_("extension"), max_length=8, null=True, blank=True)
    holder = optional_fk("organisation.Person", _("holder"), related_name="subscriptions")
    function_name = models.CharField(
        _("function"),
        max_length=200,
        blank=True,
        db_collation=SWEDISH,
        help_text=_("For a function or group phone: what it is for, e.g. “Receptionen”."),
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    cost_centre = models.ForeignKey(
        "organisation.CostCentre",
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    activated_on = models.DateField(_("active from"), default=timezone.localdate)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    # BAR-1: one flag per call category; the defaults are set by subscription_create.
    open_domestic = models.BooleanField(_("calls within Sweden open"), default=True)
    open_mobile = models.BooleanField(_("calls to Swedish mobiles open"), default=True)
    open_international = models.BooleanField(_("international calls open"), default=False)
    open_premium = models.BooleanField(_("premium-rate calls open"), default=False)
    open_directory_enquiry = models.BooleanField(_("directory enquiry open"), default=False)
    unanswered_to = models.CharField(
        _("unanswered calls go to"),
        max_length=16,
        choices=Unanswered.choices,
        default=Unanswered.KUNDTJANST,
    )
    # ABS-4: a group phone cannot be redirected; its voice message points callers to a
    # reception or other staffed phone, else to Kundtjänst. Required for group phones.
    voice_message_to = models.CharField(
        _("voice message points to"),
        max_length=16,
        choices=VoiceMessage.choices,
        blank=True,
    )
    voice_message_phone = optional_fk(
        "self", _("staffed phone in the voice message"), related_name="+"
    )
    power_secured = models.BooleanField(
        _("power-secured"),
        default=False,
        help_text=_("The operation needs telephony that works during power outages (SUB-8)."),
    )
    # Derived in save() (and by SearchKeyQuerySet's bulk paths) for telesök (DIR-2): the
    # number as dialled from home ("019211000", see search_digits) and search_fold of the
    # function name.
    number_digits = models.CharField(max_length=20, editable=False, default="")
    search_key = models.TextField(editable=False, default="")
    # A function or group phone's search_text of search_key and its unit's (kept when the
    # unit is renamed); "" for a person's phone, which is found through the person.
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords(excluded_fields=["number_digits", "search_key", "search_text"])

    # Attached by pages that link "Ändra spärrar" (costs, telesök): whether the viewer may
    # change this subscription's barring (BAR-2).
    can_change_barring: bool

    SEARCH_SOURCES = frozenset({"number", "function_name", "unit", "holder"})
    SEARCH_FIELDS = ("number_digits", "search_key", "search_text")
    objects = SearchKeyQuerySet.as_manager()
    # Attached by telesök's unit page (directory.views): the current hänvisning, an
    # absence.models.Redirect or None (subscriptions does not import absence).
    redirect: Any

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(holder__isnull=False) & Q(function_name=""))
                | (Q(holder__isnull=True) & ~Q(function_name="")),
                name="subscription_holder_xor_function",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=FUNCTION_KINDS) & Q(holder__isnull=True))
                | (~Q(kind__in=FUNCTION_KINDS) & Q(holder__isnull=False)),
                name="subscription_function_kinds_have_no_holder",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=E164), name="subscription_number_e164"
            ),
            models.CheckConstraint(
                condition=Q(extension__isnull=True) | Q(extension__regex=EXTENSION),
                name="subscription_extension_digits",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.MOBILE) | Q(extension__isnull=False),
                name="subscription_extension_given",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CANCELLED) | Q(cancelled_on__isnull=False),
                name="subscription_cancelled_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.GROUP) | ~Q(voice_message_to=""),
                name="subscription_group_phone_has_voice_message",
                violation_error_message=_(
                    "A group phone needs a voice message that points callers to a reception "
                    "or other staffed phone, or to Kundtjänst."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(voice_message_to=VoiceMessage.PHONE) & Q(voice_message_phone__isnull=False)
                )
                | (~Q(voice_message_to=VoiceMessage.PHONE) & Q(voice_message_phone__isnull=True)),
                name="subscription_voice_message_phone_given",
                violation_error_message=_(
                    "Choose the staffed phone the voice message points to (and only then)."
                ),
            ),
            models.UniqueConstraint(
                "extension", condition=NOT_CANCELLED, name="subscription_extension_unique_active"
            ),
            models.UniqueConstraint(
                "number", condition=NOT_CANCELLED, name="subscription_number_unique_active"
            ),
        ]
        indexes = [
            models.Index("holder", "status", name="subscription_holder_status"),
            TrigramIndex(fields=["number_digits"], name="subscription_digits_trgm"),
            # Telesök: a whole number typed in (tier 0). The trigram index answers equality
            # too, but slowly: 15-25 ms for a number of common digit triples.
            models.Index(fields=["number_digits"], name="subscription_digits"),
            TrigramIndex(fields=["extension"], name="subscription_extension_trgm"),
            TrigramIndex(fields=["search_key"], name="subscription_search_key_trgm"),
            TrigramIndex(
                fields=["search_text"],
                name="function_search_text_trgm",
                condition=Q(holder=None),
            ),
            # Telesök: function and group phones of the units a search word names.
            models.Index(
                fields=["unit"], name="subscription_function_unit", condition=Q(holder=None)
            ),
        ]

    def __str__(self):
        owner = self.function_name or (str(self.holder) if self.holder_id else "")
        return f"{format_number(self.number)} {owner}".strip()

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = search_update_fields(Subscription, kwargs["update_fields"])
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # ABS-4: a group phone records where its voice message points callers.
        if self.kind == Kind.GROUP and not self.voice_message_to:
            raise ValidationError(
                {
                    "voice_message_to": _(
                        "A group phone needs a voice message that points callers to a "
                        "reception or other staffed phone, or to Kundtjänst."
                    )
                }
            )
        if self.voice_message_to == VoiceMessage.PHONE and not self.voice_message_phone_id:
            raise ValidationError(
                {"voice_message_phone": _("Choose the staffed phone the voice message points to.")}
            )
        # The voice message must lead to someone who answers.
        phone = self.voice_message_phone if self.voice_message_phone_id else None
        if phone is not None and (
            (self.pk is not None and phone.pk == self.pk)
            or phone.kind == Kind.GROUP
            or phone.status != Status.ACTIVE
        ):
            raise ValidationError(
                {
                    "voice_message_phone": _(
                        "Choose an active staffed phone: not a group phone and not this phone."
                    )
                }
            )

    def fill_search_keys(self, units=None):
        self.number_digits = search_digits(self.number)
        self.search_key = search_fold(self.function_name)
        self.search_text = ""
        if self.holder_id is None:
            unit_key = units[self.unit_id] if units is not None else unit_search_key(self)
            self.search_text = search_text(self.search_key, unit_key)

    @classmethod
    def spread_unit_search_keys(cls, unit_pks):
        cls.objects.filter(unit__in=unit_pks, holder=None).update(
            search_text=Concat(
                "search_key",
                models.Value(SEARCH_TEXT_SEPARATOR),
                unit_key_subquery(),
                output_field=models.TextField(),
            )
        )

    @classmethod
    def still_on_unit(cls, unit):
        """ORG-1: a unit with phones not cancelled cannot close (organisation.still_on_unit)."""
        count = cls.objects.filter(unit=unit).filter(NOT_CANCELLED).count()
        return (_("subscriptions not cancelled"), count, reverse("directory:unit", args=[unit.pk]))

    @property
    def is_function(self):
        return self.kind in FUNCTION_KINDS


def change_request_key(kind: str, changes: Mapping[str, Any], message: str) -> str:
    """What makes two change requests of one target the same request: the kind and the
    field changes; the message too for a subscription request, where the message is the
    request (REV-1: "move the phone to ..."). A barring's reason, a device move's comment
    and an operator block's explanation only explain, and do not make a request new."""
    wanted = {
        "kind": kind,
        "changes": changes,
        "message": message.strip() if kind == RequestKind.SUBSCRIPTION else "",
    }
    text = json.dumps(wanted, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ChangeRequest(models.Model):
    """A change to be made by Tele kundtjänst (DIR-4, later DEV-4 and BAR-2).

    `changes` holds {field: {"old": value, "new": value}} as the requester saw it; applying
    checks the target still has every "old" value, so a stale request changes nothing.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    changes = models.JSONField(_("changes"))
    # What the requester wants done, in their words (e.g. "the operator block is confirmed
    # by phone", "move the phone to Hemtjänst Öster"); shown in the queue.
    message = models.TextField(_("message"), blank=True)
    # The förvaltning of the target, for the queue's filter.
    forvaltning = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("förvaltning"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = optional_user(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    # change_request_key(kind, changes, message): at most one pending request of a target
    # has a key (the constraint below); NULL only for requests older than the rule.
    key = models.CharField(max_length=64, null=True, editable=False)
    history = HistoricalRecords()

    # Attached by subscriptions.selectors.with_change_rows for the pages that show a request.
    rows: list[Any]  # of selectors.ChangeRow
    requester_name: str | None
    decider_name: str | None

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RequestStatus.PENDING)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="change_request_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REJECTED) | ~Q(decision_reason=""),
                name="change_request_rejection_has_reason",
            ),
            # Issue 16.6: an identical request is not queued twice, even by two at once.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "key"],
                condition=Q(status=RequestStatus.PENDING),
                name="change_request_one_pending_alike",
            ),
        ]
        indexes = [
            models.Index("content_type", "object_id", "status", name="change_request_target"),
            models.Index("status", "forvaltning", "requested_at", name="change_request_queue"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_pending(self):
        return self.status == RequestStatus.PENDING
