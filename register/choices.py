from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


REGISTER_IMPORT_ENDED = frozenset(
    {RegisterImportStatus.DONE, RegisterImportStatus.REJECTED, RegisterImportStatus.FAILED}
)
