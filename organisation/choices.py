from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    ELECTED = "elected", _("Elected official")


class ChangeSetStatus(models.TextChoices):
    """ORG-1: an organisation file's change set."""

    PREVIEW = "preview", _("Preview")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
