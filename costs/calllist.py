"""Reading the operator's call list for an itemised statement (COST-3).

A CSV file, one call per row, with a header line naming the columns in this order:
Datum; Tid; Nummer; Längd; Kostnad (or the English date, time, number, duration, cost).
Semicolon-separated files use a decimal comma, comma-separated files a decimal point,
like the usage import. The whole file is checked first: one bad row and nothing is saved;
the report names each bad row, column, value and reason in Swedish.
"""

import csv
import re
from datetime import date, datetime, time
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import UploadRejected as ImportRejected
from common.uploads import delimiter_of, parse_decoded

from .importer import MAX_REPORTED_ERRORS

COLUMNS = (
    ("date", "Datum"),
    ("time", "Tid"),
    ("number", "Nummer"),
    ("duration", "Längd"),
    ("cost", "Kostnad"),
)
HEADERS = dict(COLUMNS)
PDF_MAGIC = b"%PDF-"
MAX_CALLS = 100_000

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
DURATION = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+)$")
NUMBER = re.compile(r"^\+?\d{3,20}$")


def _valid_number(number):
    """Digits, a leading + allowed. A number with a trunk prefix (0...) or an international
    one (00..., +...) is a whole number; anything else is a short number (112, 1177, 118 118)."""
    if not NUMBER.fullmatch(number):
        return False
    if number.startswith(("+", "00")):
        return len(number.lstrip("+0")) >= 7
    if number.startswith("0"):
        return len(number) >= 7
    return 3 <= len(number) <= 8


def _e164(number):
    """The operator's written number in E.164 where it is a full number (national numbers
    get the home country code); short numbers (118 118, 112) stay as they are."""
    if number.startswith("00"):
        return "+" + number[2:]
    if number.startswith("0") and len(number) >= 8:
        country = phonenumbers.country_code_for_region(settings.TELEFONI_PHONE_REGION)
        return f"+{country}{number[1:]}"
    return number


def is_pdf(content):
    return content.startswith(PDF_MAGIC)


def _layout_error(found):
    return ImportRejected(
        _(
            "The call list does not have the expected column layout. Expected the columns: "
            "%(expected)s. Found: %(found)s."
        )
        % {"expected": "; ".join(HEADERS.values()), "found": found or _("nothing")}
    )


def _amount(text, decimal_char):
    bare = text.replace(" ", "").replace("\u00a0", "")
    wrong = "." if decimal_char == "," else ","
    if wrong in bare:
        return None, (
            _("Wrong decimal sign: a semicolon-separated file uses a decimal comma (12,50).")
            if decimal_char == ","
            else _("Wrong decimal sign: a comma-separated file uses a decimal point (12.50).")
        )
    if bare.startswith("-"):
        return None, _("A negative amount is not allowed in this column.")
    if not re.fullmatch(r"\d{1,8}(?:[.,]\d{1,2})?", bare):
        return None, _("Not an amount in kronor (at most two decimals).")
    return Decimal(bare.replace(",", ".")), None


def _duration(text):
    match = DURATION.fullmatch(text.replace(" ", ""))
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if (match.group(2) is not None and seconds > 59) or (match.group(1) and minutes > 59):
        return None
    return hours * 3600 + minutes * 60 + seconds


def _when(date_text, time_text, period):
    """(aware datetime, reason) for one call; reason names the bad column."""
    date_match = DATE.fullmatch(date_text)
    if not date_match:
        return None, ("date", _("Not a date: write it as YYYY-MM-DD, e.g. 2026-10-03."))
    try:
        year, month, day_of_month = (int(part) for part in date_match.groups())
        day = date(year, month, day_of_month)
    except ValueError:
        return None, ("date", _("Not a date: write it as YYYY-MM-DD, e.g. 2026-10-03."))
    if (day.year, day.month) != (period.year, period.month):
        return None, (
            "date",
            _("The call is not in the statement's month (%(period)s).")
            % {"period": f"{period:%Y-%m}"},
        )
    time_match = TIME.fullmatch(time_text)
    try:
        clock = None
        if time_match:
            hour, minute, second = (int(part or 0) for part in time_match.groups())
            clock = time(hour, minute, second)
    except ValueError:
        clock = None
    if clock is None:
        return None, ("time", _("Not a time of day: write it as HH:MM or HH:MM:SS."))
    return timezone.make_aware(datetime.combine(day, clock)), None


def parse_call_list(content, period):
    """Bytes of a CSV call list -> [dict(line_no, called_at, called_number,
    duration_seconds, cost)], or ImportRejected (nothing is kept). Whatever the bytes,
    the answer is one of the two: the encodings are the usage import's (decode_text),
    and a refusal names the encoding it read (ImportRejected.encoding)."""
    return parse_decoded(content, lambda text, _encoding: _parse_text(text, period))


def _parse_text(text, period):
    text = text.strip("\r\n\t ") + "\n"
    header_line, _sep, rest = text.partition("\n")
    delimiter = delimiter_of(header_line)
    header = [cell.strip().lower() for cell in next(csv.reader([header_line], delimiter=delimiter))]
    expected = [h.lower() for h in HEADERS.values()]
    if header != expected and header != list(HEADERS):
        raise _layout_error(header_line.strip())
    decimal_char = "," if delimiter == ";" else "."
    calls, errors, error_count = [], [], 0
    for line_no, row in enumerate(csv.reader(rest.splitlines(), delimiter=delimiter), start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = []
        if len(row) != len(COLUMNS):
            found.append(("", _("Wrong number of columns."), ""))
        else:
            cells = dict(zip(HEADERS, (cell.strip() for cell in row), strict=True))
            called_at, bad = _when(cells["date"], cells["time"], period)
            if bad:
                found.append((HEADERS[bad[0]], bad[1], cells[bad[0]]))
            number = re.sub(r"[\s\-()/]", "", cells["number"])
            if not _valid_number(number):
                found.append((HEADERS["number"], _("Not a valid phone number."), cells["number"]))
            duration = _duration(cells["duration"])
            if duration is None:
                found.append(
                    (
                        HEADERS["duration"],
                        _("Not a duration: seconds, or minutes:seconds (4:05)."),
                        cells["duration"],
                    )
                )
            cost, reason = _amount(cells["cost"], decimal_char)
            if reason:
                found.append((HEADERS["cost"], reason, cells["cost"]))
        if found:
            error_count += 1
            errors += [
                {"line": line_no, "column": column, "reason": reason, "value": value}
                for column, reason, value in found
            ]
            continue
        calls.append(
            {
                "line_no": line_no,
                "called_at": called_at,
                "called_number": _e164(number),
                "duration_seconds": duration,
                "cost": cost,
            }
        )
        if len(calls) > MAX_CALLS:
            raise ImportRejected(
                _("The call list has more than %(max)s calls.") % {"max": MAX_CALLS}
            )
    if errors:
        raise ImportRejected(
            _("The file has errors; nothing was imported."),
            errors[:MAX_REPORTED_ERRORS],
            error_count,
        )
    if not calls:
        raise ImportRejected(_("The file has a header but no rows."))
    return calls
