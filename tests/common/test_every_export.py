"""Formula injection (issue 16.5), as an attacker would try it: every text a user can type
that ends up in an export begins with =, +, -, @, a tab or a carriage return, and every
CSV and XLSX the app produces is read back. No cell may be a formula, no text cell may
begin with one of those characters unescaped, and every planted text must be there,
neutralised (else the export left the column out and this test proves nothing)."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.exports import FORMULA_START
from common.roles import Role
from compliance.models import Flag
from costs import services as cost_services
from devices import services as device_services
from devices.choices import ItemKind
from devices.models import CatalogueItem
from review import services as review_services
from subscriptions.choices import Kind
from subscriptions.services import subscription_create
from tests.costs.conftest import usage
from tests.factories import CostCentreFactory, UnitFactory, person_with_user

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
CALLS = f"Datum;Tid;Nummer;Längd;Kostnad\n{LAST_MONTH:%Y-%m}-03;14:22;070-765 43 21;4:05;1,25\n"

# One planted text per start character; each names its field, so a missing one is found.
STARTS = ["=", "+", "-", "@", "\t", "\r"]
NUMBER = re.compile(r"^-?\d[\d ]*(,\d+)?$")


def evil(field, n=0):
    return f"{STARTS[n % len(STARTS)]}1+1/{field}/"


@pytest.fixture
def planted(world, desk):
    """A unit, a person (with a user), a cost centre, phones, a device, costs, a
    statement, an access to it, a flag and a review round, every text of them a
    formula."""
    unit = UnitFactory(name=evil("enhet", 0), parent=world.hemtjanst)
    person = person_with_user(
        unit=unit,
        roles=[Role.BUDGETCHEF, Role.ENHETSCHEF],
        username="evil",
        first_name=evil("fornamn", 1),
        last_name=evil("efternamn", 2),
        title=evil("titel", 3),
        room=evil("rum", 4),
        external_id=evil("anstallningsnummer", 5),
    )
    person.user.first_name, person.user.last_name = evil("anvandare", 0), evil("anv2", 1)
    person.user.save()
    unit.manager = person
    unit.save()
    centre = CostCentreFactory(
        code=evil("kst", 2), name=evil("kstnamn", 3), unit=unit, budget_manager=person
    )

    def make(**fields):
        return subscription_create(actor=desk, unit=unit, cost_centre=centre, **fields)

    mobile = make(kind=Kind.MOBILE, number="+46701112233", holder=person)
    make(kind=Kind.FIXED, number="+4619219900", extension="9900", holder=person)
    reception = make(
        kind=Kind.FUNCTION,
        number="+4619219901",
        extension="9901",
        function_name=evil("funktion", 4),
    )
    model = CatalogueItem.objects.create(name=evil("modell", 5), kind=ItemKind.PHONE, price=1)
    device_services.device_create(
        actor=desk,
        model=model,
        imei="490154203237518",
        serial_number=evil("serienummer", 0),
        theft_mark=evil("stoldmarkning", 1),
        holder=person,
        unit=unit,
        cost_centre=centre,
        subscription=mobile,
    )
    device_services.device_create(
        actor=desk,
        model=model,
        serial_number="SN-2",
        function_name=evil("enhetsfunktion", 2),
        unit=unit,
        cost_centre=centre,
    )
    usage(mobile, f"{LAST_MONTH:%Y-%m}", private_share="12.50")
    usage(reception, f"{LAST_MONTH:%Y-%m}")
    statement = cost_services.statement_request_create(
        actor=person.user, subscription=mobile, period=LAST_MONTH, grounds=evil("skal", 3)
    )
    cost_services.statement_approve(
        actor=desk, statement=statement, file_name="samtal.csv", content=CALLS.encode()
    )
    cost_services.statement_log_access(actor=person.user, statement=statement, action="view")
    Flag.objects.create(rule="ORG-3", content_object=unit, unit=unit, responsible=person)
    review_services.review_round_open(
        actor=desk, year=TODAY.year, deadline=TODAY + timedelta(days=30)
    )
    return {"unit": unit, "centre": centre, "forvaltning": world.vof}


def exports(planted):
    """(name, url) of every CSV and XLSX export, as Tele kundtjänst downloads it."""
    month = f"{LAST_MONTH:%Y-%m}"
    unit, centre, forvaltning = planted["unit"], planted["centre"], planted["forvaltning"]
    found = []
    for fmt in ("csv", "xlsx"):
        found += [
            (f"costs.{fmt}", reverse("costs:cost_centre_costs", args=[centre.pk])),
            (f"private_share.{fmt}", reverse("costs:private_share_export")),
            (f"access_log.{fmt}", reverse("costs:statement_access_log")),
            (f"compliance.{fmt}", reverse("compliance:export", args=[fmt])),
            (f"compliance_unit.{fmt}", reverse("compliance:unit_export", args=[unit.pk, fmt])),
            (f"review_progress.{fmt}", reverse(f"review:progress_{fmt}", args=[TODAY.year])),
            (f"inventory.{fmt}", reverse("devices:inventory_export", args=[forvaltning.pk, fmt])),
        ]
    found.append(("telesok_unit.csv", reverse("directory:unit_export_csv", args=[unit.pk])))
    with_query = ("costs.", "private_share.", "access_log.")
    return [
        (name, f"{url}?month={month}&format={name.rsplit('.', 1)[1]}")
        if name.startswith(with_query)
        else (name, url)
        for name, url in found
    ]


def read_cells(name, content):
    """Every cell of the file as (value, is_formula)."""
    if name.endswith(".csv"):
        text = content.decode("utf-8")
        assert text.startswith("\ufeff"), name
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        return [(cell, False) for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    return [(cell.value, cell.data_type == "f") for row in sheet.iter_rows() for cell in row]


def formula_cells(cells):
    def dangerous(value, is_formula):
        if is_formula:
            return True
        if not isinstance(value, str) or NUMBER.match(value):
            return False  # a number (a negative amount is one) is not a formula
        return value.startswith((*FORMULA_START, "\n"))  # XLSX reads a lone \r back as \n

    return [value for value, is_formula in cells if dangerous(value, is_formula)]


EXPECTED_PLANTS = {
    "costs": {"fornamn", "funktion"},  # holder or function
    "private_share": {"anstallningsnummer", "efternamn"},
    "access_log": {"anvandare", "kst"},
    "compliance": {"enhet", "fornamn"},
    "compliance_unit": {"enhet", "fornamn"},
    "review_progress": {"enhet", "fornamn"},
    "inventory": {"modell", "serienummer", "stoldmarkning", "enhet", "kst", "fornamn"},
    "telesok_unit": {"efternamn", "fornamn", "titel", "enhet", "rum", "funktion"},
}


def test_no_export_holds_a_formula(matrix_client, planted):
    client = matrix_client("telekundtjanst")
    found, covered = {}, []
    for name, url in exports(planted):
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        cells = read_cells(name, response.content)
        found[name] = formula_cells(cells)
        texts = [value for value, _ in cells if isinstance(value, str)]
        neutralised = {
            plant
            for plant in EXPECTED_PLANTS[name.split(".")[0]]
            if any(t.startswith("'") and f"/{plant}/" in t for t in texts)
        }
        assert neutralised == EXPECTED_PLANTS[name.split(".")[0]], name
        covered.append(name)
    print(f"\nexports covered ({len(covered)}): {', '.join(covered)}")
    print(f"formula cells found: {sum(len(cells) for cells in found.values())}")
    assert found == {name: [] for name in covered}
    assert len(covered) == 15
