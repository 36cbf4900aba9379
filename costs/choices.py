from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


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
