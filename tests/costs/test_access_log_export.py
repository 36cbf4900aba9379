"""COST-3: Tele kundtjänst keeps the statements' access log in its own records, as CSV or
XLSX through the one export writer, every line the filter shows (not the page's 500)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from costs import services
from tests.conftest import statuses
from tests.costs.test_statements import approved, pending, requester  # noqa: F401 -- fixtures

URL = reverse("costs:statement_access_log")


@pytest.mark.parametrize("who, status", statuses(404, telekundtjanst=200).items())
def test_cost_3_access_log_export_role_table(matrix_client, world, approved, who, status):  # noqa: F811
    services.statement_log_access(
        actor=world.people["budgetchef"].user, statement=approved, action="view"
    )
    response = matrix_client(who).get(URL, {"format": "csv"})
    assert response.status_code == (302 if who == "anonymous" else status)
    if status == 200 and who != "anonymous":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["När", "Vem", "Användarnamn"]
        assert [row[2] for row in rows[1:]] == ["budget"]


def test_cost_3_access_log_export_follows_the_filter_and_has_every_line(
    matrix_client,
    world,
    approved,  # noqa: F811
):
    budget = world.people["budgetchef"].user
    for _ in range(501):
        services.statement_log_access(actor=budget, statement=approved, action="view")
    services.statement_log_access(actor=budget, statement=approved, action="pdf")
    client = matrix_client("telekundtjanst")
    sheet = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content)).active
    assert sheet.max_row == 1 + 502
    only_pdf = client.get(URL, {"action": "pdf", "format": "csv"}).content.decode("utf-8-sig")
    assert len(only_pdf.strip().splitlines()) == 2
    assert client.get(URL, {"format": "pdf"}).status_code == 404
