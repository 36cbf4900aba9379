"""One decode-and-parse for uploads: the usage import, the itemised statement's call
list and the organisation file read their bytes here.

A text upload is UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
Windows-1252 (Excel on Windows); an XLSX upload is told by its ZIP signature and read
with openpyxl. Whatever the bytes, the answer is the parsed file or an UploadRejected
with a Swedish message that names the encoding the bytes were read in.
"""

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"

T = TypeVar("T")


class UploadRejected(Exception):
    """The whole file is refused; `errors` are dicts line/column/reason/value, or a message.
    `encoding` names how the file was read (once known); `unknown_numbers` lists the
    numbers of a file in which no number is known."""

    def __init__(self, message, errors=(), error_count=0, unknown_numbers=()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.error_count = error_count or len(self.errors)
        self.encoding = ""
        self.unknown_numbers = list(unknown_numbers)


def _utf16_codec(content: bytes) -> str | None:
    """The UTF-16 codec of text without a byte-order mark, told by its NUL bytes (ASCII
    text in UTF-16 has every other byte NUL); None when the NULs do not look like that."""
    sample = content[:4096]
    half = max(len(sample) // 2, 1)
    if sample[1::2].count(0) > 0.4 * half:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * half:
        return "utf-16-be"
    return None


def decode_text(content: bytes) -> tuple[str, str]:
    """Bytes of a text upload -> (text, the encoding's name for the report).

    UTF-8 (with or without BOM); UTF-16 (Excel's "Unicode text"), by its BOM or its NUL
    bytes; Windows-1252, which Excel on Windows saves CSV as (Latin-1 files read the same
    for every Swedish letter). Anything else, and NUL bytes in the text (a binary file:
    PostgreSQL cannot store them either), is refused with a Swedish message.
    """
    codec, name = None, ""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, name = "utf-16", "UTF-16"
    elif b"\x00" in content:
        codec, name = _utf16_codec(content), "UTF-16"
        if codec is None:
            raise UploadRejected(
                _("The file contains NUL bytes: it is not a text file. Save it as CSV or XLSX.")
            )
    if codec:
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            raise UploadRejected(
                _("The file looks like UTF-16 text but cannot be read as such.")
            ) from None
    else:
        try:
            text, name = content.decode("utf-8-sig"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, name = content.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                raise UploadRejected(
                    _(
                        "The file's characters can be read neither as UTF-8 nor as "
                        "Windows-1252. Save it as CSV (UTF-8) or XLSX."
                    )
                ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UploadRejected(
            _("The file contains NUL bytes: it is not a text file. Save it as CSV or XLSX.")
        )
    return text, name


def parse_decoded(content: bytes, parse: Callable[[str, str], T]) -> T:
    """Bytes of a text upload -> parse(text, encoding), or UploadRejected for an empty
    file; whatever the bytes, the answer is one of the two (decode_text), and a refusal
    names the encoding the bytes were read in (UploadRejected.encoding). The usage import
    and the itemised statement's call list (calllist.py) both read their files so."""
    if not content or not content.strip():
        raise UploadRejected(_("The file is empty."))
    text, encoding = decode_text(content)
    try:
        return parse(text, encoding)
    except UploadRejected as rejected:
        rejected.encoding = encoding
        raise


def delimiter_of(header_line: str) -> str:
    """A semicolon file (Swedish Excel: decimal comma) or a comma file (decimal point)."""
    return ";" if header_line.count(";") >= header_line.count(",") else ","


@dataclass
class Table:
    """An upload read as rows of text cells (the header row first), and how it was read."""

    rows: list[list[str]]
    encoding: str


def _table_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 -- openpyxl loads slowly; only an XLSX upload needs it

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return [
            [_table_cell(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def read_table(content: bytes) -> Table:
    """A CSV (semicolons or commas, any of decode_text's encodings) or XLSX upload as rows
    of text cells, blank rows left out; UploadRejected for an empty or unreadable file."""
    if content and content.startswith(XLSX_MAGIC):
        try:
            rows = _xlsx_rows(content)
        except Exception as exc:  # zipfile, XML and openpyxl errors of a broken archive
            unreadable = UploadRejected(_("The file is not a readable XLSX workbook."))
            unreadable.encoding = "XLSX"
            raise unreadable from exc
        table = Table(rows=rows, encoding="XLSX")
    else:

        def parse(text: str, encoding: str) -> Table:
            lines = text.replace("\r\n", "\n").split("\n")
            delimiter = delimiter_of(lines[0])
            return Table(rows=list(csv.reader(lines, delimiter=delimiter)), encoding=encoding)

        table = parse_decoded(content, parse)
    table.rows = [row for row in table.rows if any(cell.strip() for cell in row)]
    if not table.rows:
        rejected = UploadRejected(_("The file is empty."))
        rejected.encoding = table.encoding
        raise rejected
    if any("\x00" in cell for row in table.rows for cell in row):
        rejected = UploadRejected(
            _("The workbook contains NUL characters, which cannot be stored.")
        )
        rejected.encoding = table.encoding
        raise rejected
    return table
