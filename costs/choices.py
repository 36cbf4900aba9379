from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    # "Replace the whole month" was chosen: the preview waits for the uploader's decision.
    PREVIEW = "preview", _("Waiting for your decision")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled before import")
    UNDONE = "undone", _("Undone")


# The statuses in which an import has ended: nothing more happens to it by itself.
IMPORT_ENDED = frozenset(
    {
        ImportStatus.DONE,
        ImportStatus.REJECTED,
        ImportStatus.FAILED,
        ImportStatus.CANCELLED,
        ImportStatus.UNDONE,
    }
)


# The cost categories of the operator's file, in column order: (field, English label).
# Every column but the subscription fee is traffic (SUB-5); the private share is invoiced
# to the employee under delad faktura (COST-4) and is not part of the unit's cost.
CATEGORIES = (
    ("subscription_fee", _("Subscription fee")),
    ("domestic", _("Calls within Sweden")),
    ("mobile", _("Calls to mobiles")),
    ("international", _("International calls")),
    ("premium", _("Premium-rate calls")),
    ("directory", _("Directory enquiry")),
    ("data", _("Data")),
    ("roaming", _("Roaming and data abroad")),
    ("private_share", _("Private share (delad faktura)")),
)
CATEGORY_FIELDS = tuple(field for field, _label in CATEGORIES)
# The unit's cost: everything but the private share.
COST_FIELDS = tuple(field for field in CATEGORY_FIELDS if field != "private_share")
TRAFFIC_FIELDS = tuple(field for field in COST_FIELDS if field != "subscription_fee")
# Only the fee may be negative: operators credit part-months there.
NEGATIVE_ALLOWED = frozenset({"subscription_fee"})


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for Tele kundtjänst")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class StatementAction(models.TextChoices):
    """What was done with an itemised statement (COST-3: every view is logged)."""

    VIEW = "view", _("Viewed the call list")
    PDF = "pdf", _("Downloaded the PDF")
    OPERATOR_PDF = "operator_pdf", _("Downloaded the operator's PDF")
