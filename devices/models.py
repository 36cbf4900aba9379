from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.collation import SWEDISH
from common.fields import optional_fk
from subscriptions.choices import Kind

from .choices import (
    DeviceStatus,
    ItemKind,
    LossKind,
    MobileReason,
    OrderKind,
    OrderStatus,
    SplitInvoiceStatus,
)
from .validators import validate_iccid, validate_imei

USER = settings.AUTH_USER_MODEL
# Phones gone for good: they need no handover and keep no unit open.
GONE = (DeviceStatus.RETIRED, DeviceStatus.LOST, DeviceStatus.STOLEN)


class CatalogueItem(models.Model):
    """DEV-1: a standard phone or accessory, kept by Tele kundtjänst."""

    name = models.CharField(_("name"), max_length=200, unique=True, db_collation=SWEDISH)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price (SEK)"), max_digits=10, decimal_places=2, help_text=_("Excluding VAT.")
    )
    is_orderable = models.BooleanField(_("orderable"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalogue_price_not_negative"),
            models.CheckConstraint(condition=~Q(name=""), name="catalogue_name_given"),
        ]

    def __str__(self):
        return self.name


class Device(models.Model):
    """DEV-3: a phone in a förvaltning's inventory."""

    model = models.ForeignKey(
        CatalogueItem,
        verbose_name=_("model"),
        on_delete=models.PROTECT,
        related_name="devices",
        limit_choices_to={"kind": ItemKind.PHONE},
    )
    imei = models.CharField(
        _("IMEI"), max_length=15, null=True, blank=True, validators=[validate_imei]
    )
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    theft_mark = models.CharField(_("theft-marking number"), max_length=64, blank=True)
    holder = optional_fk("organisation.Person", _("holder"), related_name="devices")
    function_name = models.CharField(
        _("function"), max_length=200, blank=True, help_text=_("For a shared phone.")
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    cost_centre = models.ForeignKey(
        "organisation.CostCentre",
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    subscription = optional_fk(
        "subscriptions.Subscription", _("subscription"), related_name="devices"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_USE
    )
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["unit__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                "imei", condition=Q(imei__isnull=False), name="device_imei_unique"
            ),
            models.CheckConstraint(
                condition=Q(imei__isnull=True) | Q(imei__regex=r"^[0-9]{15}$"),
                name="device_imei_15_digits",
            ),
            models.CheckConstraint(
                condition=~(Q(holder__isnull=False) & ~Q(function_name="")),
                name="device_holder_or_function",
            ),
        ]

    def __str__(self):
        ident = self.imei or self.serial_number or f"#{self.pk}"
        return f"{self.model} ({ident})"

    def get_absolute_url(self):
        return reverse("devices:device_detail", args=[self.pk])

    @classmethod
    def still_on_unit(cls, unit):
        """ORG-1: a unit with phones in use, in stock or broken cannot close."""
        count = cls.objects.filter(unit=unit).exclude(status__in=GONE).count()
        return (
            _("devices not retired"),
            count,
            reverse("devices:inventory", args=[unit.forvaltning_id]),
        )

    @property
    def used_by(self):
        return str(self.holder) if self.holder_id else self.function_name


class SimCard(models.Model):
    """DEV-5: a SIM card tied to a subscription and a device. PIN and PUK are shown only
    to Tele kundtjänst and the holder, and every view is logged (PinView)."""

    iccid = models.CharField(_("ICCID"), max_length=20, unique=True, validators=[validate_iccid])
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="sim_cards",
    )
    device = optional_fk(Device, _("device"), related_name="sim_cards", on_delete=models.SET_NULL)
    pin = models.CharField(_("PIN"), max_length=8)
    puk = models.CharField(_("PUK"), max_length=16)
    # PIN and PUK stay out of the history tables: they are read only through the logged view.
    history = HistoricalRecords(excluded_fields=["pin", "puk"])

    # Attached by the device page: whether the viewer may see the PIN and PUK (DEV-5).
    can_view_pin: bool

    class Meta:
        verbose_name = _("SIM card")
        verbose_name_plural = _("SIM cards")
        ordering = ["iccid"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iccid__regex=r"^89[0-9]{17,18}$"), name="sim_iccid_format"
            ),
            models.CheckConstraint(
                condition=Q(pin__regex=r"^[0-9]{4,8}$") & Q(puk__regex=r"^[0-9]{8,16}$"),
                name="sim_pin_puk_digits",
            ),
        ]

    def __str__(self):
        return self.iccid


class PinView(models.Model):
    """DEV-5: who saw which SIM card's PIN and PUK, and when."""

    sim = models.ForeignKey(SimCard, on_delete=models.CASCADE, related_name="pin_views")
    viewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("PIN/PUK view")
        verbose_name_plural = _("PIN/PUK views")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.sim} {self.viewed_by} {self.viewed_at:%Y-%m-%d %H:%M}"


class Order(models.Model):
    """DEV-2, SUB-2, SUB-3: an order from the catalogue, made by a telesamordnare for
    their own förvaltning."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrderKind.choices)
    forvaltning = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("förvaltning"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="device_orders",
    )
    cost_centre = models.ForeignKey(
        "organisation.CostCentre",
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        related_name="device_orders",
    )
    item = optional_fk(CatalogueItem, _("catalogue item"), related_name="orders")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    subscription_kind = models.CharField(
        _("kind of subscription"), max_length=16, choices=Kind.choices, blank=True
    )
    holder = optional_fk("organisation.Person", _("holder"), related_name="device_orders")
    function_name = models.CharField(_("function"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=MobileReason.choices, blank=True)
    device = optional_fk(Device, _("device"), related_name="fault_reports")
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    ordered_by = models.ForeignKey(
        USER, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    created_device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.REJECTED) | ~Q(rejection_reason=""),
                name="order_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.SUBSCRIPTION) | ~Q(subscription_kind=""),
                name="order_subscription_has_kind",
            ),
            models.CheckConstraint(
                condition=~(
                    Q(kind=OrderKind.SUBSCRIPTION)
                    & Q(subscription_kind__in=[Kind.MEX, Kind.MOBILE])
                )
                | ~Q(reason=""),
                name="order_mex_mobile_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[OrderKind.PHONE, OrderKind.ACCESSORY])
                | Q(item__isnull=False),
                name="order_item_given",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.FAULT) | ~Q(description=""),
                name="order_fault_described",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
        ]
        indexes = [models.Index("forvaltning", "status", name="order_forvaltning_status")]

    def __str__(self):
        return _("Order #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("devices:order_detail", args=[self.pk])

    @property
    def for_whom(self):
        return str(self.holder) if self.holder_id else self.function_name


class LossReport(models.Model):
    """SUB-7: a device reported lost, stolen or damaged."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="loss_reports"
    )
    subscription = optional_fk("subscriptions.Subscription", _("subscription"), related_name="+")
    kind = models.CharField(_("what happened"), max_length=16, choices=LossKind.choices)
    occurred_on = models.DateField(_("when it happened"), default=timezone.localdate)
    police_report_number = models.CharField(
        _("police report number"),
        max_length=64,
        blank=True,
        help_text=_("Required for a theft: report the theft to the police first."),
    )
    description = models.TextField(_("what happened, where"), blank=True)
    reported_by = models.ForeignKey(
        USER, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    block_request = models.ForeignKey(
        "subscriptions.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operator_block_confirmed_at = models.DateTimeField(
        _("operator block confirmed"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loss report")
        verbose_name_plural = _("loss reports")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=LossKind.STOLEN) | ~Q(police_report_number=""),
                name="loss_theft_has_police_report",
            ),
        ]

    def __str__(self):
        return _("Loss report #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("devices:loss_report_detail", args=[self.pk])


class SplitInvoice(models.Model):
    """SUB-6: delad faktura. The holder asks, the responsible manager consents, Tele
    kundtjänst activates; Tele kundtjänst ends it (on misuse), with a reason."""

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="split_invoices",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SplitInvoiceStatus.choices,
        default=SplitInvoiceStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    consented_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consented_at = models.DateTimeField(_("consented"), null=True, blank=True)
    activated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("split invoice")
        verbose_name_plural = _("split invoices")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "subscription",
                condition=~Q(status=SplitInvoiceStatus.ENDED),
                name="split_invoice_one_open_per_subscription",
            ),
            models.CheckConstraint(
                condition=~Q(status=SplitInvoiceStatus.ENDED) | ~Q(end_reason=""),
                name="split_invoice_end_has_reason",
            ),
        ]

    def __str__(self):
        return _("Split invoice #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("devices:split_invoice_detail", args=[self.pk])
