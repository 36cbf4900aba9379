"""The devices app's files: the DEV-3 inventory as CSV, XLSX (through common's writer) and
PDF (through render_pdf)."""

from itertools import chain

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.exports import table_response
from common.pdf import render_pdf
from organisation import identity

INVENTORY_FORMATS = ("csv", "xlsx", "pdf")


def inventory_rows(devices, user):
    """ORG-4: a protected identity's device is "Skyddad identitet", no number, for a
    reader outside its circle (a telesamordnare still sees the device and acts on it)."""
    for device in devices:
        yield [
            device.model.name,
            device.imei or "",
            device.serial_number,
            device.theft_mark,
            identity.owner_name(user, device),
            device.unit.name,
            device.cost_centre.code,
            identity.phone_number(user, device.subscription) if device.subscription_id else "",
            device.get_status_display(),
        ]


def inventory_header():
    return [
        _("Model"),
        _("IMEI"),
        _("Serial number"),
        _("Theft-marking number"),
        _("Holder or function"),
        _("Unit"),
        _("Cost centre"),
        _("Number"),
        _("Status"),
    ]


def inventory_response(forvaltning, devices, fmt, user):
    """The förvaltning's inventory (`devices` from selectors.inventory) as `fmt`."""
    stem = f"inventarie-{slugify(forvaltning.name) or forvaltning.pk}"
    if fmt != "pdf":
        lines = chain([inventory_header()], inventory_rows(devices, user))
        return table_response(lines, fmt, stem, sheet_title=_("Inventory"))
    context = {
        "forvaltning": forvaltning,
        "header": inventory_header(),
        "rows": list(inventory_rows(devices, user)),
        "printed": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }
    return HttpResponse(
        render_pdf("devices/pdf/inventory.html", context),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, f"{stem}.pdf")},
    )
