"""The costs app's files, through common's writer: one cost centre's month (COST-1) as
CSV, XLSX or PDF, and the month's private shares for payroll (COST-4) as CSV or XLSX."""

from decimal import Decimal
from itertools import chain

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from common.exports import table_response
from common.pdf import render_pdf
from organisation import identity
from organisation.numbers import format_number

from .choices import CATEGORIES, CATEGORY_FIELDS
from .importer import CENT

COSTS_FORMATS = ("csv", "xlsx", "pdf")
PRIVATE_SHARE_FORMATS = ("csv", "xlsx")


def costs_header():
    categories = [str(label) for _name, label in CATEGORIES]
    return [_("Number"), _("Holder or function"), _("Month"), *categories, _("Total")]


def costs_rows(records, user):
    """ORG-4: a protected identity's phone is "Skyddad identitet" with no number for a
    reader outside its circle (organisation.identity)."""
    for record in records:
        subscription = record.subscription
        yield [
            identity.phone_number(user, subscription),
            subscription.function_name
            or identity.person_name(user, identity.holder_of(subscription)),
            f"{record.period:%Y-%m}",
            *[getattr(record, name) for name in CATEGORY_FIELDS],
            record.total,
        ]


def costs_response(cost_centre, period, records, fmt, user):
    """One cost centre's usage rows of one month as `fmt` (one of COSTS_FORMATS)."""
    stem = f"kostnader-{cost_centre.code}-{period:%Y-%m}"
    if fmt != "pdf":
        lines = chain([costs_header()], costs_rows(records, user))
        return table_response(lines, fmt, stem, sheet_title=f"{cost_centre.code} {period:%Y-%m}")
    context = {
        "cost_centre": cost_centre,
        "period": period,
        "header": costs_header(),
        "rows": list(costs_rows(records, user)),
        "total": sum((record.total for record in records), 0),
        "printed": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }
    return HttpResponse(
        render_pdf("costs/pdf/costs.html", context),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, f"{stem}.pdf")},
    )


def private_share_response(period, rows, fmt):
    """COST-4: one line per employee with the month's private share in kronor."""
    header = [_("Employee id"), _("Name"), _("Month"), _("Private share (kronor)")]
    lines = [
        [
            row["subscription__holder__external_id"],
            f"{row['subscription__holder__last_name']}, {row['subscription__holder__first_name']}",
            f"{period:%Y-%m}",
            Decimal(str(row["private_share"])).quantize(CENT),
        ]
        for row in rows
    ]
    return table_response(chain([header], lines), fmt, f"privat-andel-{period:%Y-%m}")


ACCESS_LOG_FORMATS = ("csv", "xlsx")


def access_log_response(accesses, fmt):
    """COST-3: the access log of itemised statements (as filtered on its page, every
    line, not the page's first 500), for Tele kundtjänst's own records."""
    header = [
        _("When"),
        _("Who"),
        _("Username"),
        _("What"),
        _("Statement"),
        _("Number"),
        _("Month"),
        _("Cost centre"),
        _("IP address"),
    ]
    lines = (
        [
            date_format(timezone.localtime(access.accessed_at), "SHORT_DATETIME_FORMAT"),
            access.user.get_full_name(),
            access.user.get_username(),
            access.get_action_display(),
            access.statement_id,
            format_number(access.statement.subscription.number),
            f"{access.statement.period:%Y-%m}",
            access.statement.cost_centre.code,
            access.ip_address or "",
        ]
        for access in accesses
    )
    stem = f"utdrag-logg-{timezone.localdate():%Y-%m-%d}"
    return table_response(chain([header], lines), fmt, stem, sheet_title=_("Access log"))
