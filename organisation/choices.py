from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of REQUIREMENTS.md; codes equal Django group names and LDAP_ROLE_GROUPS keys."""

    ENHETSCHEF = "enhetschef", _("Unit manager")
    BUDGETCHEF = "budgetchef", _("Budget-responsible manager")
    FORVALTNINGSCHEF = "forvaltningschef", _("Head of administration")
    TELESAMORDNARE = "telesamordnare", _("Telephony coordinator")
    TELEKUNDTJANST = "telekundtjanst", _("Telephony service desk")
    KUNDTJANST = "kundtjanst", _("Citizen contact centre")
    KSORDFORANDE = "ksordforande", _("Chair of the municipal executive board")
    ADMIN = "admin", _("System administrator")


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    ELECTED = "elected", _("Elected official")
