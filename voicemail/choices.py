from django.db import models
from django.utils.translation import gettext_lazy as _


class BoxKind(models.TextChoices):
    """VM-1..VM-3: a röstbrevlåda (fixed or MEX phone), a mobilsvar (the mobile's own
    voicemail) or a talsvar (an announcement only: callers cannot leave a message)."""

    ROSTBREVLADA = "rostbrevlada", _("Voicemail box (röstbrevlåda)")
    MOBILSVAR = "mobilsvar", _("Mobile voicemail (mobilsvar)")
    TALSVAR = "talsvar", _("Announcement only (talsvar)")


# Kinds that take messages, which must be listened to daily (VM-4).
MESSAGE_KINDS = (BoxKind.ROSTBREVLADA, BoxKind.MOBILSVAR)


class Source(models.TextChoices):
    """Where a box was marked as listened to (VM-4)."""

    START_PAGE = "start", _("Start page")
    BOX_PAGE = "box", _("Voicemail page")
    EMAIL_LINK = "email", _("Link in the daily reminder")
    SWITCHBOARD = "switchboard", _("Switchboard")
