"""The dashboard's open flags as CSV (for Swedish Excel: UTF-8 with BOM, semicolons) and
XLSX: one line per flag."""

import csv
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .rules import RULES
from .sections import section_of
from .selectors import flag_object_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is a formula to Excel (CSV injection): it gets a
# leading apostrophe, as OWASP advises (the rule of the other exports).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if not isinstance(value, str):
        return value
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def table(flags, site_url=""):
    """Header and one line per open flag."""
    yield [
        _("Requirement"),
        _("Guideline section"),
        _("Rule"),
        _("Förvaltning"),
        _("Unit"),
        _("Concerns"),
        _("Link"),
        _("Responsible"),
        _("Opened"),
        _("Days open"),
    ]
    now = timezone.now()
    for flag in flags:
        rule = RULES.get(flag.rule)
        obj = flag.content_object
        url = flag_object_url(obj)
        yield [
            flag.rule,
            section_of(flag.rule),
            str(rule.title) if rule else "",
            flag.unit.forvaltning.name if flag.unit.forvaltning_id else flag.unit.name,
            flag.unit.name,
            str(obj) if obj is not None else _("(removed)"),
            f"{site_url}{url}" if url else "",
            flag.responsible.full_name if flag.responsible_id else _("Tele kundtjänst"),
            date_format(timezone.localtime(flag.opened_at), "SHORT_DATE_FORMAT"),
            (now - flag.opened_at).days,
        ]


def response(lines, fmt, name):
    disposition = content_disposition_header(as_attachment=True, filename=f"{name}.{fmt}")
    if fmt == "csv":
        result = HttpResponse(
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
        result.write("\ufeff")
        writer = csv.writer(result, delimiter=";")
        for line in lines:
            writer.writerow([cell(value) for value in line])
        return result
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Open flags")[:31]
    for line in lines:
        sheet.append([cell(value) for value in line])
    buffer = BytesIO()
    workbook.save(buffer)
    return HttpResponse(
        buffer.getvalue(), content_type=XLSX, headers={"Content-Disposition": disposition}
    )
