from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    ELECTED = "elected", _("Elected official")
