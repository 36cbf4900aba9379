"""The dashboard's open flags as CSV (for Swedish Excel: UTF-8 with BOM, semicolons) and
XLSX: one line per flag."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.exports import table_response
from organisation import identity

from .rules import RULES
from .sections import section_of
from .selectors import flag_url


def table(flags, site_url="", user=None):
    """Header and one line per open flag; ORG-4: a flag about a protected identity reads
    "Skyddad identitet" for a `user` outside its circle (None: for everyone)."""
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
        url = flag_url(flag)
        yield [
            flag.rule,
            section_of(flag.rule),
            str(rule.title) if rule else "",
            flag.unit.forvaltning.name if flag.unit.forvaltning_id else flag.unit.name,
            flag.unit.name,
            identity.object_label(user, obj) if obj is not None else _("(removed)"),
            f"{site_url}{url}" if url else "",
            identity.person_name(user, flag.responsible)
            if flag.responsible_id
            else _("Tele kundtjänst"),
            date_format(timezone.localtime(flag.opened_at), "SHORT_DATE_FORMAT"),
            (now - flag.opened_at).days,
        ]


def response(lines, fmt, name):
    return table_response(lines, fmt, name, sheet_title=_("Open flags"))
