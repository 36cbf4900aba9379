"""The `world` made ready for a register file: organisation codes on its units, employee
numbers and e-mail addresses on its people, a phone in the catalogue; and register files
built from rows."""

import csv
import io
from types import SimpleNamespace

import pytest

from devices.choices import ItemKind
from devices.models import CatalogueItem
from register.reader import COST_CENTRES, DEVICES, KINDS, SIM_CARDS, SUBSCRIPTIONS

# Valid check digits (Luhn), for the devices and SIM cards of the files.
IMEI = "352099001761481"
IMEI_2 = "490154203237518"
ICCID = "89460123456789012347"


@pytest.fixture
def reg(world):
    """Codes for the world's units, employee numbers E1..., and the catalogue phone."""
    for unit, code in (
        (world.hemtjanst, "HTN"),
        (world.grupp, "HTN1"),
        (world.bibliotek, "BIB"),
        (world.ksf, "KSF"),
    ):
        unit.code = code
        unit.save()
    numbers = {}
    for index, (name, person) in enumerate(sorted(world.people.items()), start=1):
        person.external_id = f"E{1000 + index}"
        person.email = f"{name}@kommun.example"
        person.save()
        numbers[name] = person.external_id
    CatalogueItem.objects.create(name="iPhone 15", kind=ItemKind.PHONE, price=9000)
    return SimpleNamespace(world=world, employee_number=numbers)


def csv_bytes(kind, rows, delimiter=";"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(KINDS[kind])
    for cells in rows:
        writer.writerow([cells.get(header, "") for header in KINDS[kind]])
    return out.getvalue().encode("utf-8")


def centre(code="4200", name="Stadsbiblioteket", unit="BIB", manager="E1011"):
    return {"Kod": code, "Namn": name, "Enhetskod": unit, "Budgetansvarig": manager}


def subscription(number, holder, *, kind="fast", extension="", unit="HTN1", cc="4100", **more):
    return {
        "Nummer": number,
        "Anknytning": extension,
        "Typ": kind,
        "Innehavare": holder,
        "Enhetskod": unit,
        "Kostnadsställe": cc,
        **more,
    }


def device(imei=IMEI, holder="", subscription_number="", **more):
    return {
        "Modell": "iPhone 15",
        "IMEI": imei,
        "Serienummer": "F2LX1234",
        "Stöldmärkning": "SM-1",
        "Innehavare": holder,
        "Abonnemang": subscription_number,
        **more,
    }


def sim(iccid=ICCID, number="070-123 45 67", imei=IMEI, pin="1234", puk="12345678"):
    return {"ICCID": iccid, "Abonnemang": number, "Utrustning": imei, "PIN": pin, "PUK": puk}


def files(**kinds):
    """files(cost_centres=[...], subscriptions=[...], ...) -> [(name, bytes)], a CSV each."""
    names = {
        COST_CENTRES: "kostnadsstallen.csv",
        SUBSCRIPTIONS: "abonnemang.csv",
        DEVICES: "utrustning.csv",
        SIM_CARDS: "sim-kort.csv",
    }
    return [(names[kind], csv_bytes(kind, rows)) for kind, rows in kinds.items()]


@pytest.fixture
def full_files(reg):
    """A register of every kind: a new cost centre, three subscriptions (a function phone
    on it, Anna's mobile by employee number, Bo's fixed phone by e-mail), Anna's device
    and SIM card."""
    anna = reg.employee_number["employee"]
    return files(
        cost_centres=[centre(manager=reg.employee_number["outsider"])],
        subscriptions=[
            subscription(
                "019-21 10 00",
                "Receptionen",
                kind="funktion",
                extension="1000",
                unit="BIB",
                cc="4200",
                **{"Reservkraft": "ja", "Öppet utland": "ja"},
            ),
            subscription(
                "070-123 45 67", anna, kind="mobil", **{"Obesvarade samtal": "röstbrevlåda"}
            ),
            subscription("019-21 10 01", "colleague@kommun.example", extension="1001"),
        ],
        devices=[device(holder=anna, subscription_number="070-123 45 67")],
        sim_cards=[sim()],
    )
