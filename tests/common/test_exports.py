"""The one CSV/XLSX writer: Swedish Excel's format, and no text ever read as a formula."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common import exports

FORMULAS = ["=1+1", "+46 19", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_that_begins_like_a_formula_gets_an_apostrophe(text):
    assert exports.neutralise(text) == "'" + text
    assert exports.csv_cell(text) == "'" + text
    assert exports.xlsx_cell(text) == "'" + text


def test_plain_texts_and_numbers_are_written_as_they_are():
    assert exports.csv_cell("Åsa Öberg") == "Åsa Öberg"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell(Decimal("-12.50")) == "-12,50"  # a negative amount stays a number
    assert exports.csv_cell(7) == "7"
    assert exports.xlsx_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert exports.xlsx_cell(None) is None


def test_the_csv_is_utf8_with_a_bom_semicolons_and_crlf():
    response = exports.csv_response([["Namn", "Belopp"], ["=cmd", Decimal("1.5")]], "x.csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert body[1:] == "Namn;Belopp\r\n'=cmd;1,5\r\n"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows == [["Namn", "Belopp"], ["'=cmd", "1,5"]]


def test_the_xlsx_holds_strings_never_formulas_and_numbers_as_numbers():
    lines = [["Namn", "Belopp"], *[[text, Decimal("-3.25")] for text in FORMULAS]]
    data = exports.xlsx_bytes(lines, sheet_title="Ett mycket långt bladnamn som inte får plats")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Ett mycket långt bladnamn som i"  # Excel's 31 characters
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    texts = [cell for cell in cells if cell.column == 1]
    # XML keeps no lone carriage return: the workbook reads "\r" back as "\n".
    assert [cell.value for cell in texts] == ["'" + t.replace("\r", "\n") for t in FORMULAS]
    assert {cell.data_type for cell in texts} == {"s"}
    assert {cell.value for cell in cells if cell.column == 2} == {-3.25}


def test_table_response_names_the_file_by_format():
    csv_file = exports.table_response([["a"]], "csv", "rapport-2026")
    xlsx_file = exports.table_response([["a"]], "xlsx", "rapport-2026")
    assert csv_file["Content-Disposition"] == 'attachment; filename="rapport-2026.csv"'
    assert xlsx_file["Content-Disposition"] == 'attachment; filename="rapport-2026.xlsx"'
    assert xlsx_file["Content-Type"] == exports.XLSX_CONTENT_TYPE
    with pytest.raises(ValueError):
        exports.table_response([["a"]], "pdf", "rapport")
