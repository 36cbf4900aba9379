"""Issue 19.7: lists sort Å, Ä, Ö after Z, as Swedish readers expect, on PostgreSQL (an
ICU collation) and on SQLite (a Python collation of the same name).

The names tell the wrong orders apart: in en_US (the PostgreSQL image's default) "Åberg"
sorts before "Andersson" and "Ödman" before "Zetterlund"; in code-point order (C, this
machine's server default, and plain Python) "Ärlig" comes before "Åberg" and "af Klint"
after "Zetterlund". Each test gives the names out of order and expects the Swedish one."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from common.collation import SWEDISH, swedish_compare, swedish_key
from devices.choices import ItemKind
from devices.models import CatalogueItem, Device
from organisation.models import Person
from subscriptions.choices import Kind
from tests.conftest import phone
from tests.costs.conftest import usage
from tests.factories import PersonFactory, UnitFactory

GIVEN = ["Åberg", "Ödman", "Ärlig", "Örn", "af Klint", "Andersson", "Zetterlund"]
SWEDISH_ORDER = ["af Klint", "Andersson", "Zetterlund", "Åberg", "Ärlig", "Ödman", "Örn"]


def _order_in(page, names):
    """The names in the order they first appear in the page (each must appear)."""
    positions = {name: page.index(name) for name in names}
    return sorted(names, key=positions.__getitem__)


def _people(unit, first_name="Test"):
    return [PersonFactory(unit=unit, first_name=first_name, last_name=n) for n in GIVEN]


def test_python_collation_is_swedish():
    assert sorted(GIVEN) != SWEDISH_ORDER  # code-point order is not Swedish
    assert sorted(GIVEN, key=swedish_key) == SWEDISH_ORDER
    assert sorted(["ö", "ä", "å", "z", "Ø", "æ", "é", "f"], key=swedish_key) == [
        "é",
        "f",
        "z",
        "å",
        "ä",
        "æ",
        "ö",
        "Ø",
    ]
    assert sorted(["d", "ç", "b"], key=swedish_key) == ["b", "ç", "d"]
    assert swedish_compare("Örn", "Ödman") == 1
    assert swedish_compare("Åberg", "åberg") != 0  # a total order: case decides last
    assert swedish_compare("Åberg", "Åberg") == 0


@pytest.mark.django_db
def test_the_database_orders_a_name_column_in_swedish():
    unit = UnitFactory(name="Sorteringen")
    _people(unit)
    names = (
        Person.objects.filter(unit=unit).order_by("last_name").values_list("last_name", flat=True)
    )
    assert list(names) == SWEDISH_ORDER
    with connection.cursor() as cursor:  # the column carries the collation itself
        cursor.execute(
            f"SELECT last_name FROM {Person._meta.db_table} WHERE unit_id = %s "
            f'ORDER BY last_name COLLATE "{SWEDISH}" DESC',
            [unit.pk],
        )
        assert [row[0] for row in cursor.fetchall()] == SWEDISH_ORDER[::-1]


@pytest.mark.django_db
def test_both_databases_agree_on_other_accents():
    """ü is a y in Swedish; é and ç are their base letters (ICU sv-SE and the Python key)."""
    expected = ["Carlsson", "Çelik", "Dahl", "Éden", "Ekström", "Myhr", "Müller", "Nyberg"]
    for name in reversed(expected):
        CatalogueItem.objects.create(name=name, kind=ItemKind.PHONE, price=Decimal("1"))
    assert list(CatalogueItem.objects.order_by("name").values_list("name", flat=True)) == expected
    assert sorted(expected, key=swedish_key) == expected


def test_telesok_unit_page_lists_people_in_swedish_order(matrix_client, world):
    unit = UnitFactory(parent=world.hemtjanst, name="Sorteringen")
    _people(unit)
    for i, name in enumerate(GIVEN):  # function phones too, by their function
        phone(
            world,
            number=f"+4619211{i:03d}",
            extension=f"1{i:03d}",
            function_name=f"Rum {name}",
            unit=unit,
        )
    page = matrix_client("employee").get(reverse("directory:unit", args=[unit.pk]))
    body = page.content.decode()
    names = [f"{n}, Test" for n in GIVEN]  # "Åberg, Test"
    assert _order_in(body, names) == [f"{n}, Test" for n in SWEDISH_ORDER]
    assert _order_in(body, [f"Rum {n}" for n in GIVEN]) == [f"Rum {n}" for n in SWEDISH_ORDER]


def test_telesok_unit_page_lists_sub_units_in_swedish_order(matrix_client, world):
    for name in GIVEN:
        UnitFactory(parent=world.grupp, name=f"Team {name}")
    page = matrix_client("employee").get(reverse("directory:unit", args=[world.grupp.pk]))
    names = [f"Team {n}" for n in GIVEN]
    assert _order_in(page.content.decode(), names) == [f"Team {n}" for n in SWEDISH_ORDER]


def test_unit_tree_lists_siblings_in_swedish_order(matrix_client, world):
    for name in GIVEN:
        UnitFactory(parent=world.hemtjanst, name=f"Team {name}")
    page = matrix_client("telekundtjanst").get(reverse("organisation:unit_list"))
    body = page.content.decode()
    assert _order_in(body, [f"Team {n}" for n in GIVEN]) == [f"Team {n}" for n in SWEDISH_ORDER]
    # The förvaltningar too: Kommunstyrelse-, Kultur- och fritids-, Vård- och omsorgs-.
    forvaltningar = [world.vof.name, world.kfv.name, world.ksf.name]
    assert _order_in(body, forvaltningar) == [world.ksf.name, world.kfv.name, world.vof.name]


def test_inventory_lists_holders_in_swedish_order(matrix_client, world):
    model = CatalogueItem.objects.create(
        name="Mobil Standard", kind=ItemKind.PHONE, price=Decimal("2490")
    )
    for person in _people(world.grupp, first_name="Inventerad"):
        Device.objects.create(
            model=model, holder=person, unit=world.grupp, cost_centre=world.cost_centre
        )
    page = matrix_client("telekundtjanst").get(reverse("devices:inventory", args=[world.vof.pk]))
    names = [f"Inventerad {n}" for n in GIVEN]
    assert _order_in(page.content.decode(), names) == [f"Inventerad {n}" for n in SWEDISH_ORDER]


@pytest.fixture
def private_shares(world):
    for i, person in enumerate(_people(world.grupp, first_name="Privat")):
        subscription = phone(world, number=f"+4670100000{i}", holder=person, kind=Kind.MOBILE)
        usage(subscription, "2026-10", private_share="10")


def test_cost_list_of_private_shares_is_in_swedish_order(matrix_client, private_shares):
    url = reverse("costs:private_share_export") + "?month=2026-10"
    rows = matrix_client("telekundtjanst").get(url).context["rows"]
    assert [row["subscription__holder__last_name"] for row in rows] == SWEDISH_ORDER


def test_private_share_csv_and_xlsx_are_in_swedish_order(matrix_client, private_shares):
    client = matrix_client("telekundtjanst")
    url = reverse("costs:private_share_export") + "?month=2026-10&format="
    text = client.get(url + "csv").content.decode("utf-8-sig")
    names = [f"{n}, Privat" for n in GIVEN]
    assert _order_in(text, names) == [f"{n}, Privat" for n in SWEDISH_ORDER]
    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).active
    assert [row[1] for row in list(sheet.values)[1:]] == [f"{n}, Privat" for n in SWEDISH_ORDER]


def test_telesok_csv_export_is_in_swedish_order(matrix_client, world):
    unit = UnitFactory(parent=world.hemtjanst, name="Sorteringen")
    _people(unit)
    response = matrix_client("employee").get(reverse("directory:unit_export_csv", args=[unit.pk]))
    text = response.content.decode("utf-8-sig")
    lines = [line.split(";")[0] for line in text.splitlines()[1:]]
    assert lines == SWEDISH_ORDER
