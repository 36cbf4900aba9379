from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Signed")


class Decision(models.TextChoices):
    """REV-1: what the manager decides for each subscription."""

    KEEP = "keep", _("Keep")
    # Not "Change"/"Cancel": those msgids are the buttons "Byt" and "Avbryt".
    CHANGE = "change", _("Change it")
    CANCEL = "cancel", _("Cancel it")


class CandidateReason(models.TextChoices):
    """SUB-5: why a subscription is marked as a candidate for cancellation."""

    HOLDER_INACTIVE = "holder_inactive", _("The holder has left or is inactive")
    HOLDER_ELSEWHERE = "holder_elsewhere", _("The holder is placed in another unit")
    NO_TRAFFIC = "no_traffic", _("No traffic in the last months")
