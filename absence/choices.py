from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    HANVISNING = "hanvisning", _("Absence redirect")
    MEDFLYTTNING = "medflyttning", _("Follow-me")


class Reason(models.TextChoices):
    """ABS-1: the fixed list of absence reasons callers and telesök see."""

    LUNCH = "lunch", _("Lunch")
    BREAK = "break", _("Break")
    MEETING = "meeting", _("Meeting")
    OUT = "out", _("Temporarily out")
    GONE_FOR_THE_DAY = "gone", _("Gone for the day")
    SICK = "sick", _("Sick")
    LEAVE = "leave", _("Holiday/leave")
    BUSINESS_TRIP = "trip", _("Business trip")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Target(models.TextChoices):
    """Where calls go while the redirect lasts."""

    EXTENSION = "extension", _("A colleague's extension")
    RECEPTION = "reception", _("The unit's reception")
    KUNDTJANST = "kundtjanst", _("Kundtjänst")
    VOICEMAIL = "voicemail", _("Voicemail")
    MOBILE = "mobile", _("A municipal mobile")
    NOWHERE = "nowhere", _("Nowhere: callers hear the message only")


# Targets that name a municipal subscription (target_subscription).
PHONE_TARGETS = (Target.EXTENSION, Target.RECEPTION, Target.MOBILE)
# ABS-2: a medflyttning follows to another extension or a municipal mobile.
FOLLOW_TARGETS = (Target.EXTENSION, Target.MOBILE)


class Status(models.TextChoices):
    ACTIVE = "active", _("Active or planned")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Withdrawn before it began")


class Preset(models.TextChoices):
    """The one-click hänvisningar (ABS-1)."""

    LUNCH = "lunch", _("Lunch")
    GONE_FOR_THE_DAY = "gone", _("Gone for the day")
