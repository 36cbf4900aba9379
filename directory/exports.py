"""Exports of a unit's directory (DIR-3): a CSV file for Excel and a vCard 4.0 file.

An export holds the unit and every unit below it: the people placed there and the
function and group phones the units own. Every signed-in user may export (directory data
may be published on the intranet, DIR-3); protected identities and inactive people are
never in an export (ORG-4), whoever asks.

Subscriptions are the ones telesök lists (selectors.listed_subscriptions: active and
blocked, never cancelled), so an export says what a search says; fixed and MEX numbers
count as work phones, mobiles as mobile phones. Rows are sorted by name the Swedish way
(å, ä, ö after z).

A person's secondary number (often not a municipal one) is on their telesök page but in no
export: a file of every such number would be the reverse lookup of external numbers that
DIR-5 rules out.
"""

import uuid
from itertools import chain

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.exports import csv_response
from organisation.models import Person, Unit
from organisation.numbers import format_number
from subscriptions.choices import Kind

from .selectors import listed_subscriptions

WORK_KINDS = (Kind.FIXED, Kind.MEX)


def unit_directory(unit):
    """(people, function phones) of `unit` and every unit below it, in three queries
    (people, their subscriptions, function phones).

    People are published ones only (active, no protected identity) with their listed
    subscriptions in `listed`; function and group phones are the listed ones owned by the
    units."""
    listed = listed_subscriptions().select_related("unit__forvaltning")
    people = (
        Person.objects.filter(
            unit__path__startswith=unit.path, is_active=True, protected_identity=False
        )
        .select_related("unit__forvaltning")
        .prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=listed_subscriptions().filter(holder__isnull=False),
                to_attr="listed",
            )
        )
    )
    functions = listed.filter(unit__path__startswith=unit.path, holder__isnull=True)
    # In Swedish order: the name columns carry the SWEDISH collation (common.collation).
    return (
        list(people.order_by("last_name", "first_name", "pk")),
        list(functions.order_by("function_name", "number")),
    )


def _filename(unit, extension):
    return f"telesok-{slugify(unit.name) or unit.pk}.{extension}"


# --- CSV ---------------------------------------------------------------------------------


def _joined(numbers):
    return ", ".join(format_number(n) for n in numbers if n)


def _csv_header():
    return [
        _("Last name"),
        _("First name"),
        _("Function"),
        _("Title"),
        _("Unit"),
        _("Förvaltning"),
        _("Extension"),
        _("Phone"),
        _("Mobile"),
        _("E-mail"),
        _("Room"),
    ]


def _csv_rows(people, functions):
    for person in people:
        subscriptions = person.listed
        work = [s for s in subscriptions if s.kind in WORK_KINDS]
        yield [
            person.last_name,
            person.first_name,
            "",
            person.title,
            person.unit.name,
            person.unit.forvaltning.name,
            ", ".join(s.extension for s in subscriptions if s.extension),
            _joined(s.number for s in work),
            _joined(s.number for s in subscriptions if s.kind == Kind.MOBILE),
            person.email,
            person.room,
        ]
    for phone in functions:
        yield [
            "",
            "",
            phone.function_name,
            phone.get_kind_display(),
            phone.unit.name,
            phone.unit.forvaltning.name,
            phone.extension or "",
            format_number(phone.number),
            "",
            "",
            "",
        ]


@require_safe
def unit_export_csv(request, pk):
    """The directory of the unit and every unit below it as CSV for Excel.

    Swedish Excel reads a CSV file by the computer's list separator, which is a semicolon
    wherever the decimal separator is a comma (as in Sweden), so the separator is ";". The
    file is UTF-8 with a byte-order mark: without it Excel guesses an ANSI code page and
    shows "Ã¥" for "å". Lines end in CRLF (the csv module's default). Numbers are written
    the Swedish way (019-21 10 00), which Excel keeps as text; in E.164 ("+4619211000")
    Excel would read them as numbers and drop the plus.
    """
    unit = get_object_or_404(Unit, pk=pk)
    people, functions = unit_directory(unit)
    lines = chain([_csv_header()], _csv_rows(people, functions))
    return csv_response(lines, _filename(unit, "csv"))


# --- vCard 4.0 (RFC 6350) ----------------------------------------------------------------


def _text(value):
    """Escape a text value (RFC 6350 3.4): backslash, comma, semicolon, newline."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line):
    """Fold a content line at 75 octets (RFC 6350 3.2) without splitting a character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append("".join(current))
            current, size = [" "], 1  # continuation lines start with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _uid(kind, pk):
    """A stable UID, so that importing a newer export updates the cards it added before."""
    name = f"{settings.TELEFONI_SITE_URL}/{kind}/{pk}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _org(unit):
    """ORG: förvaltning;unit (only the förvaltning for a person placed in the förvaltning)."""
    names = [unit.forvaltning.name]
    if unit.pk != unit.forvaltning_id:
        names.append(unit.name)
    return ";".join(_text(name) for name in names)


def _tel(number, types):
    # vCard 4.0 gives a number as a tel: URI (RFC 3966), the global form being E.164.
    return f"TEL;VALUE=uri;TYPE={types}:tel:{number}"


def _person_card(person):
    lines = [
        "KIND:individual",
        f"UID:{_uid('person', person.pk)}",
        f"FN:{_text(person.full_name)}",
        f"N:{_text(person.last_name)};{_text(person.first_name)};;;",
        f"TITLE:{_text(person.title)}",
        f"ORG:{_org(person.unit)}",
    ]
    for subscription in person.listed:
        types = "work,cell" if subscription.kind == Kind.MOBILE else "work,voice"
        lines.append(_tel(subscription.number, types))
    if person.email:
        lines.append(f"EMAIL;TYPE=work:{_text(person.email)}")
    return lines


def _function_card(phone):
    # A function phone belongs to a workplace (KIND:org); a group phone to a team of
    # people (KIND:group, with no MEMBER: the team's members are not listed).
    return [
        "KIND:group" if phone.kind == Kind.GROUP else "KIND:org",
        f"UID:{_uid('subscription', phone.pk)}",
        f"FN:{_text(phone.function_name)}",
        f"ORG:{_org(phone.unit)}",
        _tel(phone.number, "work,voice"),
    ]


def vcards(people, functions):
    cards = [_person_card(p) for p in people] + [_function_card(f) for f in functions]
    lines = []
    for card in cards:
        lines += ["BEGIN:VCARD", "VERSION:4.0", *card, "END:VCARD"]
    return "".join(_fold(line) + "\r\n" for line in lines)


@require_safe
def unit_export_vcf(request, pk):
    """The unit's directory as vCard 4.0: one card per person and per function or group
    phone, for importing into Outlook or a phone's contacts."""
    unit = get_object_or_404(Unit, pk=pk)
    people, functions = unit_directory(unit)
    return HttpResponse(
        vcards(people, functions),
        content_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, _filename(unit, "vcf"))},
    )
