from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """SUB-1."""

    FIXED = "fast", _("Fixed phone")
    MEX = "mex", _("MEX phone")
    MOBILE = "mobil", _("Mobile phone")
    FUNCTION = "funktion", _("Function phone")
    GROUP = "grupp", _("Group phone")


# Kinds that belong to a function (a name and an owning unit), not to a person.
FUNCTION_KINDS = (Kind.FUNCTION, Kind.GROUP)


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    BLOCKED = "blocked", _("Blocked")
    CANCELLED = "cancelled", _("Cancelled")


class Unanswered(models.TextChoices):
    """ABS-5: where unanswered or redirected calls go on to."""

    KUNDTJANST = "kundtjanst", _("Kundtjänst")
    VOICEMAIL = "voicemail", _("Voicemail")


class VoiceMessage(models.TextChoices):
    """ABS-4: where a group phone's voice message points callers."""

    PHONE = "phone", _("A reception or other staffed phone")
    KUNDTJANST = "kundtjanst", _("Kundtjänst")


class Barring(models.TextChoices):
    """BAR-1 call categories; a subscription stores one open/closed flag per category."""

    DOMESTIC = "domestic", _("Calls within Sweden")
    MOBILE = "mobile", _("Calls to Swedish mobiles")
    INTERNATIONAL = "international", _("International calls")
    PREMIUM = "premium", _("Premium-rate calls")
    DIRECTORY_ENQUIRY = "directory_enquiry", _("Directory enquiry (118 118 and the like)")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for Tele kundtjänst")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class RequestKind(models.TextChoices):
    ENTRY = "entry", _("Directory entry")
    SUBSCRIPTION = "subscription", _("Subscription")
    BARRING = "barring", _("Call barring")
    DEVICE = "device", _("Device")
    BLOCK = "block", _("Operator block")
    CANCELLATION = "cancellation", _("Cancellation at the operator")
