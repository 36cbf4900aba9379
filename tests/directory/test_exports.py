"""Exports of a unit's directory: CSV for Swedish Excel and vCard 4.0 (DIR-3, ORG-4)."""

import csv
import io
from datetime import date

import pytest
import vobject
from django.urls import reverse

from common.collation import swedish_key
from subscriptions.choices import Kind, Status, VoiceMessage
from subscriptions.services import subscription_create
from tests.conftest import statuses
from tests.factories import PersonFactory, UnitFactory

CSV_HEADER = [
    "Efternamn",
    "Förnamn",
    "Funktion",
    "Titel",
    "Enhet",
    "Förvaltning",
    "Anknytning",
    "Telefon",
    "Mobil",
    "E-post",
    "Rum",
]


def phone(cost_centre, *, holder=None, unit=None, **fields):
    """An active subscription through the service (BAR-1 defaults)."""
    return subscription_create(
        actor=None,
        holder=holder,
        unit=unit or holder.unit,
        cost_centre=cost_centre,
        **fields,
    )


@pytest.fixture
def exported(world):
    """The matrix people (world.people), with phones in Hemtjänst Norr and the group below
    it, and people who must never show. (Named apart from the telesök fixture `phones` of
    tests/directory/conftest.py.)"""
    people = world.people
    cc = world.cost_centre
    phone(cc, holder=people["employee"], kind=Kind.MEX, number="+4619213101", extension="3101")
    phone(cc, holder=people["employee"], kind=Kind.MOBILE, number="+46705553101")
    phone(cc, holder=people["manager"], kind=Kind.FIXED, number="+4619213103", extension="3103")
    blocked = phone(
        cc, holder=people["colleague"], kind=Kind.FIXED, number="+4619213104", extension="3104"
    )
    blocked.status = Status.BLOCKED
    blocked.save()
    cancelled = phone(
        cc, holder=people["budgetchef"], kind=Kind.FIXED, number="+4619213106", extension="3106"
    )
    cancelled.status, cancelled.cancelled_on = Status.CANCELLED, date(2026, 1, 1)
    cancelled.save()
    phone(
        cc,
        unit=world.hemtjanst,
        kind=Kind.FUNCTION,
        function_name="Reception Hemtjänst Norr",
        number="+4619213000",
        extension="3000",
    )
    phone(
        cc,
        unit=world.grupp,
        kind=Kind.GROUP,
        voice_message_to=VoiceMessage.KUNDTJANST,
        function_name="Arbetslag Nattpatrull Norr",
        number="+4619213001",
        extension="3001",
    )
    secret = PersonFactory(
        unit=world.grupp, first_name="Hemlig", last_name="Skyddad", protected_identity=True
    )
    phone(cc, holder=secret, kind=Kind.FIXED, number="+4619213105", extension="3105")
    gone = PersonFactory(unit=world.grupp, first_name="Slutat", last_name="Tidigare")
    gone.is_active = False
    gone.save()
    # Outside the exported unit: the library, another förvaltning.
    phone(
        cc,
        holder=people["outsider"],
        unit=world.bibliotek,
        kind=Kind.FIXED,
        number="+4619215101",
        extension="5101",
    )
    return people


def csv_url(unit):
    return reverse("directory:unit_export_csv", args=[unit.pk])


def vcf_url(unit):
    return reverse("directory:unit_export_vcf", args=[unit.pk])


def read_csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def read_vcards(response):
    return list(vobject.readComponents(response.content.decode("utf-8")))


def by_name(cards):
    return {card.fn.value: card for card in cards}


@pytest.mark.parametrize("who, status", statuses(200).items())
def test_dir_3_every_signed_in_user_exports_csv(matrix_client, world, exported, who, status):
    response = matrix_client(who).get(csv_url(world.hemtjanst))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "Östlund" in response.content.decode("utf-8")
    else:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who, status", statuses(200).items())
def test_dir_3_every_signed_in_user_exports_vcard(matrix_client, world, exported, who, status):
    response = matrix_client(who).get(vcf_url(world.hemtjanst))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "text/vcard; charset=utf-8"
        assert "Anna Östlund" in by_name(read_vcards(response))
    else:
        assert b"VCARD" not in response.content


def test_unknown_unit_is_404(matrix_client, world):
    client = matrix_client("employee")
    assert client.get(reverse("directory:unit_export_csv", args=[999999])).status_code == 404
    assert client.get(reverse("directory:unit_export_vcf", args=[999999])).status_code == 404


def test_csv_is_semicolon_separated_utf8_for_swedish_excel(matrix_client, world, exported):
    response = matrix_client("employee").get(csv_url(world.hemtjanst))
    assert "attachment" in response["Content-Disposition"]
    assert 'filename="telesok-hemtjanst-norr.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == CSV_HEADER
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    assert b"\r\n" in response.content
    anna = next(row for row in rows if row[:2] == ["Östlund", "Anna"])
    assert dict(zip(CSV_HEADER, anna, strict=True)) == {
        "Efternamn": "Östlund",
        "Förnamn": "Anna",
        "Funktion": "",
        "Titel": "Undersköterska",
        "Enhet": "Hemtjänst Norr grupp 1",
        "Förvaltning": "Vård- och omsorgsförvaltningen",
        "Anknytning": "3101",
        "Telefon": "019-21 31 01",
        "Mobil": "070-555 31 01",
        "E-post": exported["employee"].email,
        "Rum": "",
    }


def test_csv_holds_the_unit_and_everything_below_it(matrix_client, world, exported):
    rows = read_csv(matrix_client("employee").get(csv_url(world.hemtjanst)))[1:]
    by_email = {row[9]: row for row in rows if row[9]}
    people = [
        exported["employee"],
        exported["colleague"],
        exported["manager"],
        exported["budgetchef"],
    ]
    assert {p.email for p in people} == set(by_email)
    assert exported["outsider"].email not in by_email
    functions = {row[2]: row for row in rows if row[2]}
    assert set(functions) == {"Reception Hemtjänst Norr", "Arbetslag Nattpatrull Norr"}
    assert functions["Reception Hemtjänst Norr"][3] == "Funktionstelefon"
    assert functions["Reception Hemtjänst Norr"][6:8] == ["3000", "019-21 30 00"]
    assert functions["Arbetslag Nattpatrull Norr"][4] == "Hemtjänst Norr grupp 1"
    # A blocked subscription is listed (as in telesök); a cancelled one is not.
    assert by_email[exported["colleague"].email][6:9] == ["3104", "019-21 31 04", ""]
    assert by_email[exported["budgetchef"].email][6:9] == ["", "", ""]
    assert by_email[exported["manager"].email][6:9] == ["3103", "019-21 31 03", ""]
    # Exporting the sub-unit leaves out the unit above it.
    below = read_csv(matrix_client("employee").get(csv_url(world.grupp)))[1:]
    assert {row[9] for row in below if row[9]} == {
        exported["employee"].email,
        exported["colleague"].email,
    }
    assert [row[2] for row in below if row[2]] == ["Arbetslag Nattpatrull Norr"]


def test_org_4_protected_and_inactive_people_are_in_no_export(matrix_client, world, exported):
    # Not even for Tele kundtjänst or the person's own manager, who may see them elsewhere.
    for who in ("telekundtjanst", "manager", "admin"):
        client = matrix_client(who)
        for url in (csv_url(world.hemtjanst), vcf_url(world.hemtjanst), csv_url(world.vof)):
            body = client.get(url).content.decode("utf-8")
            assert "Hemlig" not in body and "Skyddad" not in body, (who, url)
            assert "21 31 05" not in body and "+4619213105" not in body, (who, url)
            assert "Slutat" not in body, (who, url)
            assert "Östlund" in body, (who, url)


def test_dir_5_secondary_numbers_are_in_no_export(matrix_client, world, exported):
    anna = exported["employee"]
    anna.secondary_number = "+46709876543"
    anna.save()
    client = matrix_client("colleague")
    for url in (csv_url(world.hemtjanst), vcf_url(world.hemtjanst)):
        body = client.get(url).content.decode("utf-8")
        assert "Östlund" in body
        assert "987 65 43" not in body and "+46709876543" not in body, url


def test_vcard_4_cards_read_back_with_names_numbers_and_organisation(
    matrix_client, world, exported
):
    response = matrix_client("colleague").get(vcf_url(world.hemtjanst))
    assert 'filename="telesok-hemtjanst-norr.vcf"' in response["Content-Disposition"]
    cards = by_name(read_vcards(response))
    anna = cards["Anna Östlund"]
    assert anna.version.value == "4.0"
    assert anna.kind.value == "individual"
    assert (anna.n.value.family, anna.n.value.given) == ("Östlund", "Anna")
    assert anna.title.value == "Undersköterska"
    assert anna.org.value == ["Vård- och omsorgsförvaltningen", "Hemtjänst Norr grupp 1"]
    assert anna.email.value == exported["employee"].email
    tels = {tel.value: tel.params for tel in anna.tel_list}
    assert set(tels) == {"tel:+4619213101", "tel:+46705553101"}
    assert tels["tel:+4619213101"] == {"VALUE": ["uri"], "TYPE": ["work", "voice"]}
    assert tels["tel:+46705553101"] == {"VALUE": ["uri"], "TYPE": ["work", "cell"]}
    assert anna.uid.value.startswith("urn:uuid:")

    reception = cards["Reception Hemtjänst Norr"]
    assert reception.kind.value == "org"
    assert reception.org.value == ["Vård- och omsorgsförvaltningen", "Hemtjänst Norr"]
    assert [t.value for t in reception.tel_list] == ["tel:+4619213000"]
    assert cards["Arbetslag Nattpatrull Norr"].kind.value == "group"

    by_email = {card.email.value: card for card in cards.values() if "email" in card.contents}
    people = [
        exported["employee"],
        exported["colleague"],
        exported["manager"],
        exported["budgetchef"],
    ]
    assert set(by_email) == {p.email for p in people}
    colleague = by_email[exported["colleague"].email]
    assert [t.value for t in colleague.tel_list] == ["tel:+4619213104"]  # blocked, listed
    assert "tel" not in by_email[exported["budgetchef"].email].contents  # cancelled
    assert len(cards) == len(people) + 2  # and the two function phones


def test_vcard_uids_are_stable_between_exports(matrix_client, world, exported):
    client = matrix_client("employee")
    first = {c.fn.value: c.uid.value for c in read_vcards(client.get(vcf_url(world.hemtjanst)))}
    again = {c.fn.value: c.uid.value for c in read_vcards(client.get(vcf_url(world.grupp)))}
    assert again["Anna Östlund"] == first["Anna Östlund"]
    assert len(set(first.values())) == len(first)


def test_vcard_escapes_and_folds_long_values(matrix_client, world):
    title = "Samordnare; rehab, hjälpmedel och\nnattbemanning i Hemtjänst Norr " + "å" * 40
    person = PersonFactory(unit=world.hemtjanst, first_name="Åsa", last_name="Öberg", title=title)
    response = matrix_client("employee").get(vcf_url(world.hemtjanst))
    lines = response.content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    card = by_name(read_vcards(response))[person.full_name]
    assert card.title.value == title


def test_csv_defuses_cells_excel_would_run_as_formulas(matrix_client, world):
    PersonFactory(unit=world.hemtjanst, last_name="Formel", title='=HYPERLINK("http://x")')
    rows = read_csv(matrix_client("employee").get(csv_url(world.hemtjanst)))
    row = next(row for row in rows if row[0] == "Formel")
    assert row[3] == '\'=HYPERLINK("http://x")'


def test_rows_are_in_swedish_alphabetical_order(matrix_client, world):
    unit = UnitFactory(parent=world.hemtjanst, name="Sorteringen")
    for last_name in ("Öberg", "Zetterlund", "Ärlig", "Åberg", "Andersson"):
        PersonFactory(unit=unit, first_name="Test", last_name=last_name)
    rows = read_csv(matrix_client("employee").get(csv_url(unit)))[1:]
    assert [row[0] for row in rows] == ["Andersson", "Zetterlund", "Åberg", "Ärlig", "Öberg"]
    assert sorted(["ö", "ä", "å", "z"], key=swedish_key) == ["z", "å", "ä", "ö"]


@pytest.mark.parametrize("route", ["directory:unit_export_csv", "directory:unit_export_vcf"])
@pytest.mark.parametrize("count", [1, 3])
def test_export_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, route, count
):
    unit = UnitFactory(parent=world.hemtjanst, name="Räknade")
    for n in range(count):
        person = PersonFactory(unit=unit)
        phone(
            world.cost_centre,
            holder=person,
            kind=Kind.MEX,
            number=f"+46192140{n:02d}",
            extension=f"40{n:02d}",
        )
        phone(
            world.cost_centre,
            unit=unit,
            kind=Kind.FUNCTION,
            function_name=f"Funktion {n}",
            number=f"+46192141{n:02d}",
            extension=f"41{n:02d}",
        )
    client = matrix_client("employee")
    # Session, user, unit, people, their subscriptions, function phones.
    with django_assert_num_queries(6):
        response = client.get(reverse(route, args=[unit.pk]))
    body = response.content.decode("utf-8")
    assert body.count("Funktion ") == count
    assert body.count("21 40 ") + body.count("tel:+46192140") == count
