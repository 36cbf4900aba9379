"""The one writer of every CSV and XLSX file the app produces.

CSV is for Swedish Excel: UTF-8 with a byte-order mark (without it Excel guesses an ANSI
code page and shows "Ã¥" for "å"), semicolons (Excel reads a CSV by the computer's list
separator, a semicolon wherever the decimal separator is a comma), CRLF line ends, and
amounts with a decimal comma. XLSX keeps numbers as numbers and writes every text as a
string cell.

Formula injection (OWASP "CSV injection"): a text that begins with =, +, -, @, a tab or a
carriage return is a formula to a spreadsheet. Every such text cell gets a leading
apostrophe, in CSV and in XLSX alike, so a name typed as "=HYPERLINK(...)" is shown as
the text it is. Numbers (int, Decimal, float) are not texts and are written as numbers,
so a negative amount stays a number.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Line = Sequence[object]


def neutralise(text: str) -> str:
    """A text a spreadsheet would read as a formula, with a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_cell(value: object) -> str:
    """One CSV cell: empty for None, a decimal comma for amounts, texts neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    if _is_number(value):
        return str(value)
    return neutralise(str(value))


def xlsx_cell(value: object) -> object:
    """One XLSX cell: numbers as numbers, None empty, everything else a neutralised text."""
    if value is None or _is_number(value):
        return value
    return neutralise(str(value))


def csv_text(lines: Iterable[Line]) -> str:
    """The CSV file as text, with the byte-order mark."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    for line in lines:
        writer.writerow([csv_cell(value) for value in line])
    return buffer.getvalue()


def sheet_name(text: str) -> str:
    """`text` as Excel allows a sheet's name: none of \\ / ? * [ ] : or a control character,
    no apostrophe at either end, at most 31 characters (a cost centre's code or a unit's
    name may hold any of them; openpyxl refuses such a name)."""
    return re.sub(r"[\\/?*\[\]:\x00-\x1f]", "-", text)[:31].strip("'")


def xlsx_bytes(lines: Iterable[Line], *, sheet_title: str = "") -> bytes:
    """The XLSX workbook (one sheet) as bytes; every text is a string cell, never a
    formula."""
    from openpyxl import Workbook  # noqa: PLC0415 -- openpyxl loads slowly; only exports need it

    workbook = Workbook()
    sheet = workbook.active
    title = sheet_name(sheet_title)
    if title:
        sheet.title = title
    for line in lines:
        sheet.append([xlsx_cell(value) for value in line])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attachment(filename: str) -> dict[str, str]:
    header = content_disposition_header(True, filename)
    assert header is not None  # None only when neither as_attachment nor a filename
    return {"Content-Disposition": header}


def csv_response(lines: Iterable[Line], filename: str) -> HttpResponse:
    return HttpResponse(
        csv_text(lines), content_type=CSV_CONTENT_TYPE, headers=_attachment(filename)
    )


def xlsx_response(lines: Iterable[Line], filename: str, *, sheet_title: str = "") -> HttpResponse:
    return HttpResponse(
        xlsx_bytes(lines, sheet_title=sheet_title),
        content_type=XLSX_CONTENT_TYPE,
        headers=_attachment(filename),
    )


def table_response(
    lines: Iterable[Line], fmt: str, filename_stem: str, *, sheet_title: str = ""
) -> HttpResponse:
    """`lines` (header first) as `<filename_stem>.csv` or `.xlsx`; `fmt` must be one of
    FORMATS (the view answers 404 for any other before calling this)."""
    if fmt == "csv":
        return csv_response(lines, f"{filename_stem}.csv")
    if fmt == "xlsx":
        return xlsx_response(lines, f"{filename_stem}.xlsx", sheet_title=sheet_title)
    raise ValueError(f"unknown export format {fmt!r}")
