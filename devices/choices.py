from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """DEV-1: what the catalogue holds."""

    PHONE = "phone", _("Phone")
    ACCESSORY = "accessory", _("Accessory")


class OrderKind(models.TextChoices):
    """DEV-2: what a telesamordnare orders (a fault report goes the same way)."""

    SUBSCRIPTION = "subscription", _("New extension or subscription")
    PHONE = "phone", _("Phone")
    ACCESSORY = "accessory", _("Accessory")
    FAULT = "fault", _("Fault report")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to Tele kundtjänst")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")


class MobileReason(models.TextChoices):
    """SUB-2: the four reasons for a MEX or mobile phone."""

    REACHABLE = "reachable", _("Must be reachable at other places and times than normal")
    SAFETY = (
        "safety",
        _("Needed for work environment or safety (on call, standby, operational reliability)"),
    )
    EFFICIENCY = "efficiency", _("Gives efficiency and accessibility")
    ONLY_PHONE = "only_phone", _("Replaces the fixed phone as the only phone")


class DeviceStatus(models.TextChoices):
    """DEV-3."""

    IN_USE = "in_use", _("In use")
    IN_STOCK = "in_stock", _("In stock")
    LOST = "lost", _("Lost")
    STOLEN = "stolen", _("Stolen")
    BROKEN = "broken", _("Broken")
    RETIRED = "retired", _("Retired")


class LossKind(models.TextChoices):
    """SUB-7."""

    LOST = "lost", _("Lost")
    STOLEN = "stolen", _("Stolen")
    DAMAGED = "damaged", _("Damaged")


# A loss or theft blocks the subscription and the device at once (SUB-7).
BLOCKING_LOSSES = (LossKind.LOST, LossKind.STOLEN)


class SplitInvoiceStatus(models.TextChoices):
    """SUB-6: delad faktura."""

    REQUESTED = "requested", _("Requested by the holder")
    CONSENTED = "consented", _("Consented by the manager")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
