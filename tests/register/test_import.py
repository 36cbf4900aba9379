"""Issue 17.4: today's register in one go (register.importer, manage.py import_register)."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from devices.models import Device, SimCard
from organisation.models import CostCentre
from register.importer import RegisterRejected, load_register
from subscriptions.choices import Kind, Status, Unanswered, VoiceMessage
from subscriptions.models import Subscription
from tests.conftest import phone

from .conftest import (
    ICCID,
    IMEI,
    IMEI_2,
    centre,
    csv_bytes,
    device,
    files,
    sim,
    subscription,
)


def history_rows():
    return (
        Subscription.history.count()
        + CostCentre.history.count()
        + Device.history.count()
        + SimCard.history.count()
    )


def test_a_register_of_every_kind_is_imported_with_history(reg, full_files, desk):
    before = history_rows()

    result = load_register(full_files, actor=desk)

    assert result.counts == {
        "cost_centres": {"created": 1, "updated": 0, "unchanged": 0},
        "subscriptions": {"created": 3, "updated": 0, "unchanged": 0},
        "devices": {"created": 1, "updated": 0, "unchanged": 0},
        "sim_cards": {"created": 1, "updated": 0, "unchanged": 0},
    }
    world = reg.world
    library = CostCentre.objects.get(code="4200")
    assert library.unit == world.bibliotek and library.budget_manager == world.people["outsider"]
    reception = Subscription.objects.get(number="+4619211000")
    assert reception.kind == Kind.FUNCTION and reception.holder is None
    assert reception.function_name == "Receptionen" and reception.cost_centre == library
    assert reception.power_secured and reception.open_international
    # BAR-1 defaults where the file leaves the barring empty.
    mobile = Subscription.objects.get(number="+46701234567")
    assert mobile.holder == world.people["employee"] and mobile.extension is None
    assert mobile.open_domestic and not mobile.open_international and not mobile.open_premium
    assert mobile.unanswered_to == Unanswered.VOICEMAIL and mobile.status == Status.ACTIVE
    assert Subscription.objects.get(number="+4619211001").holder == world.people["colleague"]
    phone_device = Device.objects.get(imei=IMEI)
    assert phone_device.subscription == mobile and phone_device.holder == world.people["employee"]
    assert phone_device.unit == mobile.unit and phone_device.cost_centre == world.cost_centre
    card = SimCard.objects.get(iccid=ICCID)
    assert (card.subscription, card.device, card.pin, card.puk) == (
        mobile,
        phone_device,
        "1234",
        "12345678",
    )
    row = mobile.history.get()
    assert row.history_user == desk and row.history_change_reason.startswith("Registerimport")
    assert history_rows() == before + 6


def test_the_same_files_twice_change_nothing_and_write_no_history(reg, full_files, desk):
    load_register(full_files, actor=desk)
    before = history_rows()

    result = load_register(full_files, actor=desk)

    assert {kind: counts["unchanged"] for kind, counts in result.counts.items()} == {
        "cost_centres": 1,
        "subscriptions": 3,
        "devices": 1,
        "sim_cards": 1,
    }
    assert all(c["created"] == c["updated"] == 0 for c in result.counts.values())
    assert history_rows() == before


def test_a_changed_file_updates_what_changed_with_history(reg, full_files, desk):
    load_register(full_files, actor=desk)
    anna = reg.employee_number["employee"]
    changed = files(
        cost_centres=[
            centre(name="Stadsbiblioteket och arkivet", manager=reg.employee_number["outsider"])
        ],
        subscriptions=[
            subscription("070-123 45 67", anna, kind="mobil", **{"Öppet utland": "ja"}),
            subscription("019-21 10 01", "colleague@kommun.example", extension="1001"),
        ],
        sim_cards=[sim(pin="4321")],
    )

    result = load_register(changed, actor=desk)

    assert result.counts["cost_centres"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.counts["subscriptions"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert result.counts["sim_cards"] == {"created": 0, "updated": 1, "unchanged": 0}
    mobile = Subscription.objects.get(number="+46701234567")
    assert mobile.open_international
    # An empty column keeps what the register holds: still to voicemail.
    assert mobile.unanswered_to == Unanswered.VOICEMAIL
    assert mobile.history.count() == 2
    assert mobile.history.first().history_user == desk
    assert CostCentre.objects.get(code="4200").name == "Stadsbiblioteket och arkivet"
    assert CostCentre.objects.get(code="4200").history.count() == 2
    assert SimCard.objects.get(iccid=ICCID).pin == "4321"
    assert Subscription.objects.get(number="+4619211001").history.count() == 1


def test_one_bad_row_among_thousands_writes_nothing(reg, desk):
    anna = reg.employee_number["employee"]
    rows = [
        subscription(f"070-{n // 10000:01d}{n % 10000:04d}00", anna, kind="mobil")
        for n in range(2000)
    ]
    # 070-X XXXX 00: ten digits, a valid Swedish mobile number each.
    rows[1234]["Enhetskod"] = "FINNS-INTE"
    upload = files(subscriptions=rows)
    before = history_rows()

    with pytest.raises(RegisterRejected) as rejected:
        load_register(upload, actor=desk)

    assert rejected.value.error_count == 1
    assert rejected.value.errors == [
        {
            "sheet": "abonnemang.csv",
            "line": 1236,
            "column": "Enhetskod",
            "value": "FINNS-INTE",
            "reason": "Ingen enhet har den här organisationskoden.",
        }
    ]
    assert not Subscription.objects.exists() and history_rows() == before
    rows[1234]["Enhetskod"] = "HTN1"
    assert (
        load_register(files(subscriptions=rows), actor=desk).counts["subscriptions"]["created"]
        == 2000
    )


def problem(upload, desk):
    before = history_rows()
    with pytest.raises(RegisterRejected) as rejected:
        load_register(upload, actor=desk)
    assert history_rows() == before
    return rejected.value.errors


def test_every_problem_of_a_file_is_listed_with_nothing_written(reg, desk):
    anna = reg.employee_number["employee"]
    upload = files(
        cost_centres=[centre(unit="NOPE", manager="E9999"), centre(code="4200")],
        subscriptions=[
            subscription("070-123 45 67", anna, kind="mobil"),
            subscription("070-123 45 67", anna, kind="mobil"),
            subscription("019-21 10 02", anna, kind="funktion", extension="1002"),
            subscription("019-21 10 03", "E9999", extension="1003"),
            subscription("019-21 10 04", anna, extension="", cc="9999"),
            subscription("12", anna, kind="telefax", extension="1", **{"Öppet utland": "kanske"}),
        ],
        devices=[
            device(imei="352099001761482", subscription_number="070-123 45 67"),
            device(imei=IMEI_2, **{"Modell": "Nokia 3310", "Abonnemang": "070-999 99 99"}),
        ],
        sim_cards=[sim(iccid="89460123456789012348", pin="12", puk="x")],
    )

    errors = problem(upload, desk)

    found = {(e["sheet"], e["line"], e["column"]): e["reason"] for e in errors}
    assert found == {
        ("kostnadsstallen.csv", 2, "Enhetskod"): "Ingen enhet har den här organisationskoden.",
        ("kostnadsstallen.csv", 2, "Budgetansvarig"): (
            "Ingen person har det här anställningsnumret eller den här e-postadressen."
        ),
        ("kostnadsstallen.csv", 3, "Kod"): (
            "Värdet finns mer än en gång på bladet (även på rad 2)."
        ),
        ("abonnemang.csv", 3, "Nummer"): "Värdet finns mer än en gång på bladet (även på rad 2).",
        ("abonnemang.csv", 4, "Innehavare"): (
            "En funktions- eller grupptelefon har ingen innehavare: skriv funktionens namn."
        ),
        ("abonnemang.csv", 5, "Innehavare"): (
            "Ingen person har det här anställningsnumret eller den här e-postadressen."
        ),
        ("abonnemang.csv", 6, "Anknytning"): "Alla telefoner utom mobiler behöver en anknytning.",
        ("abonnemang.csv", 6, "Kostnadsställe"): (
            "Inget kostnadsställe har den här koden (i filerna eller registret)."
        ),
        ("abonnemang.csv", 7, "Nummer"): "Inte ett giltigt telefonnummer.",
        ("abonnemang.csv", 7, "Typ"): "Skriv typen som fast, mex, mobil, funktion eller grupp.",
        ("abonnemang.csv", 7, "Anknytning"): "En anknytning är 2 till 8 siffror.",
        ("abonnemang.csv", 7, "Öppet utland"): "Skriv ja eller nej (eller lämna tomt).",
        ("utrustning.csv", 2, "IMEI"): (
            "IMEI-numrets kontrollsiffra är fel: kontrollera att det är rätt inskrivet."
        ),
        ("utrustning.csv", 3, "Modell"): "Ingen telefon i katalogen har det här namnet.",
        ("utrustning.csv", 3, "Abonnemang"): (
            "Inget aktivt abonnemang har det här numret (i filerna eller registret)."
        ),
        ("sim-kort.csv", 2, "ICCID"): (
            "ICCID-numrets kontrollsiffra är fel: kontrollera att det är rätt inskrivet."
        ),
        ("sim-kort.csv", 2, "Utrustning"): (
            "Ingen utrustning har det här IMEI-numret (i filerna eller registret)."
        ),
        ("sim-kort.csv", 2, "PIN"): "En PIN-kod är 4 till 8 siffror.",
        ("sim-kort.csv", 2, "PUK"): "En PUK-kod är 8 till 16 siffror.",
    }
    values = {(e["sheet"], e["line"], e["column"]): e["value"] for e in errors}
    assert values[("utrustning.csv", 2, "IMEI")] == "352099001761482"
    # A secret never appears in the report.
    assert values[("sim-kort.csv", 2, "PIN")] == "••••"
    assert values[("sim-kort.csv", 2, "PUK")] == "••••"
    assert not CostCentre.objects.filter(code="4200").exists()


def test_an_extension_or_number_in_use_or_resting_is_refused(reg, desk):
    world = reg.world
    anna = reg.employee_number["employee"]
    phone(world, number="+4619211050", extension="1050", holder=world.people["colleague"])
    resting = phone(world, number="+4619211060", extension="1060", holder=world.people["manager"])
    resting.status, resting.cancelled_on = (
        Status.CANCELLED,
        timezone.localdate() - timedelta(days=3),
    )
    resting.save()
    upload = files(
        subscriptions=[
            subscription("019-21 10 07", anna, extension="1050"),
            subscription("019-21 10 60", anna, extension="1061"),
        ]
    )

    errors = problem(upload, desk)

    assert [(e["line"], e["column"]) for e in errors] == [(2, "Anknytning"), (3, "Nummer")]
    assert "019-21 10 50" in errors[0]["reason"] or "+4619211050" in errors[0]["reason"]
    assert "karantän" in errors[1]["reason"]


def test_a_person_who_left_cannot_hold_a_phone(reg, desk):
    leaver = reg.world.people["colleague"]
    leaver.is_active = False
    leaver.save()
    errors = problem(
        files(
            subscriptions=[
                subscription("019-21 10 08", "colleague@kommun.example", extension="1008")
            ]
        ),
        desk,
    )
    assert errors[0]["reason"] == "Personen har slutat och kan inte ha en telefon."


def test_a_group_phone_gets_a_voice_message_to_kundtjanst(reg, desk):
    load_register(
        files(
            subscriptions=[subscription("019-21 10 09", "Växeln", kind="grupp", extension="1009")]
        ),
        actor=desk,
    )
    group = Subscription.objects.get(number="+4619211009")
    assert group.kind == Kind.GROUP and group.voice_message_to == VoiceMessage.KUNDTJANST


def test_an_xlsx_workbook_with_a_sheet_per_kind_is_read(reg, desk):
    from openpyxl import Workbook

    from register.reader import KINDS

    anna = reg.employee_number["employee"]
    book = Workbook()
    sheets = {
        "cost_centres": [centre()],
        "subscriptions": [subscription("070-123 45 67", anna, kind="mobil")],
        "devices": [device(holder=anna, subscription_number="070-123 45 67")],
        "sim_cards": [sim()],
    }
    book.remove(book.active)
    for kind, rows in sheets.items():
        sheet = book.create_sheet(kind)
        sheet.append(KINDS[kind])
        for cells in rows:
            sheet.append([cells.get(header) or None for header in KINDS[kind]])
    # A number typed into Excel as a number, not text.
    book["sim_cards"]["D2"] = 1234
    out = io.BytesIO()
    book.save(out)

    result = load_register([("register.xlsx", out.getvalue())], actor=desk)

    assert {kind: c["created"] for kind, c in result.counts.items()} == dict.fromkeys(sheets, 1)
    assert SimCard.objects.get().pin == "1234"
    assert Device.objects.get().subscription.number == "+46701234567"


def test_a_broken_or_unknown_sheet_is_refused_in_swedish(reg, desk):
    from costs.importer import ImportRejected

    with pytest.raises(ImportRejected, match="inte en läsbar XLSX"):
        load_register([("register.xlsx", b"PK\x03\x04trasig")], actor=desk)
    with pytest.raises(ImportRejected, match="kolumnerna"):
        load_register([("x.csv", b"Nummer;Period\n070;2026-10\n")], actor=desk)
    twice = files(subscriptions=[]) + files(subscriptions=[])
    with pytest.raises(ImportRejected, match="samma sorts"):
        load_register(twice, actor=desk)


def test_a_windows_1252_csv_with_commas_is_read(reg, desk):
    anna = reg.employee_number["employee"]
    content = (
        csv_bytes("cost_centres", [centre(name="Äldreomsorg Öster", manager=anna)], delimiter=",")
        .decode()
        .encode("cp1252")
    )
    load_register([("kc.csv", content)], actor=desk)
    assert CostCentre.objects.get(code="4200").name == "Äldreomsorg Öster"


def test_the_command_checks_with_dry_run_and_then_imports(reg, full_files, tmp_path):
    paths = []
    for name, content in full_files:
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(str(path))
    out = io.StringIO()

    before = history_rows()
    call_command("import_register", *paths, "--dry-run", stdout=out)

    assert "Provkörning, inget skrevs" in out.getvalue()
    assert "Abonnemang: 3 nya, 0 ändrade, 0 oförändrade" in out.getvalue()
    assert not Subscription.objects.exists() and history_rows() == before

    out = io.StringIO()
    call_command("import_register", *paths, stdout=out)
    assert "SIM-kort: 1 nya" in out.getvalue()
    assert Subscription.objects.count() == 3
    assert Subscription.history.first().history_user is None


def test_the_command_lists_the_problems_without_the_secrets(reg, tmp_path):
    path = tmp_path / "sim.csv"
    path.write_bytes(csv_bytes("sim_cards", [sim(pin="98", puk="1")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Ingenting importerades"):
        call_command("import_register", str(path), stderr=err)
    assert "PIN" in err.getvalue() and "98" not in err.getvalue()
    assert not SimCard.objects.exists()


def test_the_samples_in_the_repository_import_cleanly(reg, desk):
    from pathlib import Path

    import register

    people = reg.world.people
    people["employee"].email = "anna.ostlund@kommun.example"
    people["employee"].save()
    people["outsider"].email = "ekonom.bibliotek@kommun.example"
    people["outsider"].save()
    samples = sorted((Path(register.__file__).parent / "samples").glob("*.csv"))
    assert len(samples) == 4

    result = load_register([(p.name, p.read_bytes()) for p in samples], actor=desk)

    assert result.counts == {
        "cost_centres": {"created": 1, "updated": 1, "unchanged": 0},
        "subscriptions": {"created": 3, "updated": 0, "unchanged": 0},
        "devices": {"created": 1, "updated": 0, "unchanged": 0},
        "sim_cards": {"created": 1, "updated": 0, "unchanged": 0},
    }
