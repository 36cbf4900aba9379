"""Progress of a round as CSV (for Swedish Excel: UTF-8 with BOM, semicolons) and XLSX."""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

# A cell starting with one of these is a formula to Excel (CSV injection): it gets a
# leading apostrophe, as OWASP advises (the same rule as telesök's exports).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    value = "" if value is None else str(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def filename(review_round, extension):
    return content_disposition_header(
        as_attachment=True, filename=f"arlig-oversyn-{review_round.year}.{extension}"
    )


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


def xlsx(lines):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Progress")[:31]
    for line in lines:
        sheet.append([cell(value) if isinstance(value, str) else value for value in line])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
