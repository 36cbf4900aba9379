"""Reading the register's files into sheets: one CSV file per kind, or one XLSX workbook
with a sheet per kind. A sheet's kind is told by its header line (the columns of
KINDS); text files are decoded by common.uploads.parse_decoded, the one decode-and-parse
for uploads."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.uploads import XLSX_MAGIC, delimiter_of, parse_decoded
from common.uploads import UploadRejected as ImportRejected

# Each kind: (the key used in counts and code, the column headers in the file). The
# headers are the file format (Swedish, as Tele kundtjänst writes them), not UI text.
COST_CENTRES = "cost_centres"
SUBSCRIPTIONS = "subscriptions"
DEVICES = "devices"
SIM_CARDS = "sim_cards"

KINDS = {
    COST_CENTRES: ("Kod", "Namn", "Enhetskod", "Budgetansvarig"),
    SUBSCRIPTIONS: (
        "Nummer",
        "Anknytning",
        "Typ",
        "Innehavare",
        "Enhetskod",
        "Kostnadsställe",
        "Öppet inrikes",
        "Öppet mobil",
        "Öppet utland",
        "Öppet betalsamtal",
        "Öppet nummerupplysning",
        "Obesvarade samtal",
        "Reservkraft",
    ),
    DEVICES: (
        "Modell",
        "IMEI",
        "Serienummer",
        "Stöldmärkning",
        "Innehavare",
        "Abonnemang",
        "Enhetskod",
        "Kostnadsställe",
    ),
    SIM_CARDS: ("ICCID", "Abonnemang", "Utrustning", "PIN", "PUK"),
}
ORDER = (COST_CENTRES, SUBSCRIPTIONS, DEVICES, SIM_CARDS)
KIND_NAMES = {
    COST_CENTRES: gettext_lazy("Cost centres"),
    SUBSCRIPTIONS: gettext_lazy("Subscriptions"),
    DEVICES: gettext_lazy("Devices"),
    SIM_CARDS: gettext_lazy("SIM cards"),
}
# The file names of the samples in register/samples/ (one per kind).
SAMPLE_NAMES = {
    COST_CENTRES: "kostnadsstallen.csv",
    SUBSCRIPTIONS: "abonnemang.csv",
    DEVICES: "utrustning.csv",
    SIM_CARDS: "sim-kort.csv",
}


@dataclass
class Row:
    line: int  # the line in its sheet (the header is line 1)
    values: dict[str, str]  # header -> trimmed text
    extra: str = ""  # text beyond the last column (the row is refused)


@dataclass
class Sheet:
    name: str  # the file's name, or the workbook's name and the sheet's
    kind: str
    rows: list[Row] = field(default_factory=list)


def _headers(cells):
    names = [str(cell if cell is not None else "").strip() for cell in cells]
    while names and names[-1] == "":
        names.pop()
    return names


def _kind_of(sheet_name, names):
    """The kind whose columns the header names (in any order), or ImportRejected."""
    folded = {name.casefold() for name in names}
    for kind, headers in KINDS.items():
        if folded == {header.casefold() for header in headers} and len(names) == len(headers):
            return kind
    layouts = " ".join(f"{'; '.join(headers)}." for headers in KINDS.values())
    raise ImportRejected(
        _(
            "%(sheet)s: the first line does not name the columns of a register kind. Found: "
            "%(found)s. Expected the columns of one of: %(layouts)s"
        )
        % {"sheet": sheet_name, "found": "; ".join(names) or _("nothing"), "layouts": layouts}
    )


def _sheet(sheet_name, rows):
    """rows: an iterator of cell lists, the header first -> Sheet (None for an empty one)."""
    try:
        header = _headers(next(rows))
    except StopIteration:
        return None
    if not header:
        return None
    kind = _kind_of(sheet_name, header)
    canonical = {name.casefold(): name for name in KINDS[kind]}
    columns = [canonical[name.casefold()] for name in header]
    sheet = Sheet(name=sheet_name, kind=kind)
    for line, cells in enumerate(rows, start=2):
        texts = [_cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        extra = "; ".join(text for text in texts[len(columns) :] if text)
        texts += [""] * (len(columns) - len(texts))
        values = dict(zip(columns, texts[: len(columns)], strict=True))
        sheet.rows.append(Row(line=line, values=values, extra=extra))
    return sheet


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _read_text(name):
    def parse(text, _encoding):
        text = text.replace("\r\n", "\n")
        header_line = text.partition("\n")[0]
        rows = csv.reader(io.StringIO(text), delimiter=delimiter_of(header_line))
        return [sheet for sheet in [_sheet(name, rows)] if sheet]

    return parse


def _read_xlsx(name, content):
    from openpyxl import load_workbook  # noqa: PLC0415 -- openpyxl loads slowly; only an XLSX upload needs it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheets = []
        for worksheet in workbook.worksheets:
            sheet = _sheet(f"{name}: {worksheet.title}", worksheet.iter_rows(values_only=True))
            if sheet:
                sheets.append(sheet)
        workbook.close()
    except ImportRejected:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors of a broken archive
        raise ImportRejected(
            _("%(file)s is not a readable XLSX workbook.") % {"file": name}
        ) from exc
    return sheets


def read_files(files):
    """[(file name, bytes)] -> {kind: Sheet}. One sheet per kind over all the files; a
    file or sheet that is not a register kind, an empty upload, or a kind given twice is
    refused (ImportRejected) before any row is checked."""
    by_kind: dict[str, Sheet] = {}
    for name, content in files:
        if content and content.startswith(XLSX_MAGIC):
            sheets = _read_xlsx(name, content)
        else:
            sheets = parse_decoded(content, _read_text(name))
        for sheet in sheets:
            if sheet.kind in by_kind:
                raise ImportRejected(
                    _("%(first)s and %(second)s are both the same kind of register sheet.")
                    % {"first": by_kind[sheet.kind].name, "second": sheet.name}
                )
            by_kind[sheet.kind] = sheet
    if not any(sheet.rows for sheet in by_kind.values()):
        raise ImportRejected(_("The files have no rows to import."))
    return by_kind
