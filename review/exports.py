"""Progress of a round as CSV (for Swedish Excel: UTF-8 with BOM, semicolons) and XLSX."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.exports import table_response


def filename_stem(review_round):
    return f"arlig-oversyn-{review_round.year}"


def table(rows):
    """Header and one line per unit review: förvaltning, unit, manager, status, rows
    decided, total, signed by and when."""
    yield [
        _("Förvaltning"),
        _("Unit"),
        _("Manager"),
        _("Status"),
        _("Decided"),
        _("Subscriptions"),
        _("Signed by"),
        _("Signed"),
    ]
    for row in rows:
        for review in row.reviews:
            manager = review.unit.manager
            signer = review.signed_by
            yield [
                row.forvaltning.name,
                review.unit.name,
                manager.full_name if manager else "",
                review.get_status_display(),
                review.decided,
                review.total,
                (getattr(signer, "person", None) and signer.person.full_name)
                or (signer.get_username() if signer else ""),
                date_format(timezone.localtime(review.signed_at), "SHORT_DATE_FORMAT")
                if review.signed_at
                else "",
            ]


def response(rows, review_round, fmt):
    """The progress table as CSV or XLSX."""
    return table_response(table(rows), fmt, filename_stem(review_round), sheet_title=_("Progress"))
