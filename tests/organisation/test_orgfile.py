"""ORG-1: the organisation file as a change set, moving and closing units."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from directory.selectors import search
from organisation import services
from organisation.choices import ChangeSetStatus
from organisation.models import OrgChangeSet, Person, Unit
from tests.conftest import phone, statuses
from tests.factories import CostCentreFactory, PersonFactory, UnitFactory

HEADER = (
    "Organisationskod;Namn;Överordnad kod;Chefens anställningsnummer;Kostnadsställe;Är förvaltning"
)
CODES = {
    "vof": "VOF",
    "hemtjanst": "VOF-HT",
    "grupp": "VOF-HT-1",
    "kfv": "KFV",
    "bibliotek": "KFV-BIB",
    "ksf": "KSF",
    "tele": "KSF-TELE",
}
# The world as the HR system has it now (a file of these rows changes nothing).
BASE = {
    "VOF": ("Vård- och omsorgsförvaltningen", ""),
    "VOF-HT": ("Hemtjänst Norr", "VOF"),
    "VOF-HT-1": ("Hemtjänst Norr grupp 1", "VOF-HT"),
    "VOF-HT-1-A": ("Lag A", "VOF-HT-1"),
    "KFV": ("Kultur- och fritidsförvaltningen", ""),
    "KFV-BIB": ("Stadsbiblioteket", "KFV"),
    "KSF": ("Kommunstyrelseförvaltningen", ""),
    "KSF-TELE": ("Tele kundtjänst", "KSF"),
}


def csv_bytes(rows, encoding="utf-8"):
    lines = [HEADER]
    for code, name, parent, *rest in rows:
        manager, centre = (rest + ["", ""])[:2]
        lines.append(f"{code};{name};{parent};{manager};{centre};{'nej' if parent else 'ja'}")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def base_rows(**overrides):
    """BASE with some rows changed ({code: (name, parent)}) or removed ({code: None})."""
    rows = dict(BASE)
    for code, value in overrides.items():
        code = code.replace("_", "-")
        if value is None:
            rows.pop(code)
        else:
            rows[code] = value
    return [(code, name, parent) for code, (name, parent) in rows.items()]


@pytest.fixture
def coded(world):
    """The world's units with their HR codes, and a grandchild under grupp."""
    for attr, code in CODES.items():
        unit = getattr(world, attr)
        unit.code = code
        unit.save()
    world.lag = UnitFactory(name="Lag A", parent=world.grupp, code="VOF-HT-1-A")
    return world


def test_an_unchanged_organisation_is_an_empty_change_set(coded, desk):
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(base_rows()), scope=None
    )
    assert change_set.changes == [] and change_set.conflicts == []
    assert change_set.status == ChangeSetStatus.PREVIEW
    assert change_set.encoding == "UTF-8"


def test_org_1_new_renamed_moved_and_closed_units_with_a_conflict(coded, desk):
    world = coded
    anna = world.people["employee"]
    old = UnitFactory(name="Gamla enheten", parent=world.vof, code="VOF-OLD")
    busy = UnitFactory(name="Upptagen enhet", parent=world.vof, code="VOF-BUSY")
    PersonFactory(unit=busy, title="Kvar")
    rows = base_rows(
        # moved: Hemtjänst Norr (with grupp 1 and Lag A below) to Stadsbiblioteket
        VOF_HT=("Hemtjänst Norr", "KFV-BIB"),
        # renamed, with stray spaces the unit name rules remove
        KFV_BIB=("Stadsbibliotek   Centrum ", "KFV"),
    ) + [
        ("VOF-NY", "Hemtjänst Söder", "VOF"),  # new
        ("KSF-DUP", "tele  KUNDTJÄNST", "KSF"),  # ORG-1: a case variant of a sibling
    ]
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    grupp_history = world.grupp.history.count()
    kinds = sorted((c["kind"], c.get("code") or c.get("unit_code")) for c in change_set.changes)
    assert kinds == [
        ("close", "VOF-OLD"),
        ("create", "VOF-NY"),
        ("move", "VOF-HT"),
        ("rename", "KFV-BIB"),
    ]
    messages = " ".join(c["message"] for c in change_set.conflicts)
    assert "ORG-1" in messages and "tele KUNDTJÄNST" in messages
    busy_conflict = next(c for c in change_set.conflicts if c["code"] == "VOF-BUSY")
    assert busy_conflict["links"] == [
        {"label": "aktiva personer", "count": 1, "url": busy.get_absolute_url() + "#people-heading"}
    ]
    # Nothing changed yet: a preview.
    assert Unit.objects.get(pk=world.hemtjanst.pk).parent_id == world.vof.pk

    services.change_set_apply(actor=desk, change_set=change_set)

    new = Unit.objects.get(code="VOF-NY")
    assert (new.name, new.parent_id) == ("Hemtjänst Söder", world.vof.pk)
    assert new.forvaltning_id == world.vof.pk
    bibliotek = Unit.objects.get(pk=world.bibliotek.pk)
    assert bibliotek.name == "Stadsbibliotek Centrum"
    hemtjanst, grupp, lag = (
        Unit.objects.get(pk=u.pk) for u in (world.hemtjanst, world.grupp, world.lag)
    )
    assert hemtjanst.parent_id == bibliotek.pk
    assert hemtjanst.path == f"{bibliotek.path}{hemtjanst.pk}/"
    assert grupp.path == f"{hemtjanst.path}{grupp.pk}/"
    assert lag.path == f"{grupp.path}{lag.pk}/"
    assert (hemtjanst.depth, grupp.depth, lag.depth) == (2, 3, 4)
    assert {hemtjanst.forvaltning_id, grupp.forvaltning_id, lag.forvaltning_id} == {world.kfv.pk}
    assert Unit.objects.get(pk=old.pk).closed_on is not None
    assert Unit.objects.get(pk=busy.pk).closed_on is None  # listed, not applied
    assert not Unit.objects.filter(code="KSF-DUP").exists()
    # History: the moved unit has a row naming who moved it; its sub-units none.
    moved = hemtjanst.history.first()
    assert moved.history_user == desk and moved.parent_id == bibliotek.pk
    assert "hr.csv" in moved.history_change_reason
    assert grupp.history.count() == grupp_history
    # Telesök follows: Anna's hit names her new förvaltning, her search text her unit.
    (hit,) = search("Östlund")
    assert hit.forvaltning.name == "Kultur- och fritidsförvaltningen"
    assert Person.objects.get(pk=anna.pk).search_text.endswith("hemtjanst norr grupp 1")
    applied = OrgChangeSet.objects.get(pk=change_set.pk)
    assert (applied.status, applied.decided_by) == (ChangeSetStatus.APPLIED, desk)


def test_the_rename_reaches_telesoks_search_keys(coded, desk):
    world = coded
    phone(
        world, number="+4619100100", extension="1001", function_name="Disken", unit=world.bibliotek
    )
    rows = base_rows(KFV_BIB=("Stadsbibliotek Centrum", "KFV"))
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    services.change_set_apply(actor=desk, change_set=change_set)
    assert [hit.name for hit in search("disken centrum")] == ["Disken"]


def test_a_move_under_its_own_subtree_is_listed_not_applied(coded, desk):
    rows = base_rows(VOF_HT=("Hemtjänst Norr", "VOF-HT-1-A"))
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    assert change_set.changes == []
    assert "egen underenhet" in change_set.conflicts[0]["message"]


def test_unit_move_refuses_its_own_subtree(coded, desk):
    with pytest.raises(ValidationError) as caught:
        services.unit_move(actor=desk, unit=coded.hemtjanst, parent=coded.lag)
    assert "parent" in caught.value.error_dict
    assert Unit.objects.get(pk=coded.lag.pk).path.startswith(coded.hemtjanst.path)


def test_unit_move_refuses_a_name_taken_among_the_new_siblings(coded, desk):
    UnitFactory(name="hemtjänst NORR", parent=coded.kfv)
    with pytest.raises(ValidationError):
        services.unit_move(actor=desk, unit=coded.hemtjanst, parent=coded.kfv)


def test_a_closed_unit_with_people_or_phones_is_refused(coded, desk):
    with pytest.raises(services.UnitInUse) as caught:
        services.unit_close(actor=desk, unit=coded.grupp)
    labels = {label: count for _m, label, count, _url in caught.value.hanging}
    assert labels["aktiva personer"] == 2
    assert labels["öppna underenheter"] == 1
    assert Unit.objects.get(pk=coded.grupp.pk).closed_on is None
    empty = UnitFactory(name="Tom", parent=coded.kfv)
    phone(coded, number="+4619100200", extension="1002", function_name="Receptionen", unit=empty)
    with pytest.raises(services.UnitInUse) as caught:
        services.unit_close(actor=desk, unit=empty)
    assert [label for _m, label, _c, _u in caught.value.hanging] == [
        "abonnemang som inte är uppsagda"
    ]


def test_a_closing_parent_waits_for_a_child_that_cannot_close(coded, desk):
    rows = base_rows(VOF_HT_1=None, VOF_HT_1_A=None)
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    # Lag A is empty and closes; grupp 1 has people, so it stays.
    assert [c["code"] for c in change_set.changes] == ["VOF-HT-1-A"]
    assert [c["code"] for c in change_set.conflicts] == ["VOF-HT-1"]


def test_new_managers_and_cost_centres_from_the_file(coded, desk):
    world = coded
    boss = PersonFactory(unit=world.bibliotek, external_id="E123", title="Chef")
    centre = CostCentreFactory(code="5200", unit=world.kfv, budget_manager=boss)
    rows = [
        (code, name, parent, *(("E123", "5200") if code == "KFV-BIB" else ()))
        for code, name, parent in base_rows()
    ] + [("KFV-NY", "Ny enhet", "KFV-BIB", "E999", "9999")]
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    assert sorted(c["kind"] for c in change_set.changes) == ["cost_centre", "create", "manager"]
    assert len(change_set.conflicts) == 2  # the unknown employee number and cost centre
    services.change_set_apply(actor=desk, change_set=change_set)
    assert Unit.objects.get(pk=world.bibliotek.pk).manager == boss
    centre.refresh_from_db()
    assert centre.unit_id == world.bibliotek.pk


def test_applying_a_stale_preview_is_refused(coded, desk):
    rows = base_rows(KFV_BIB=("Stadsbibliotek Centrum", "KFV"))
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    services.unit_rename(actor=desk, unit=coded.bibliotek, name="Biblioteket")
    with pytest.raises(ValidationError) as caught:
        services.change_set_apply(actor=desk, change_set=change_set)
    assert "ny förhandsgranskning" in caught.value.messages[0]
    assert OrgChangeSet.objects.get(pk=change_set.pk).status == ChangeSetStatus.PREVIEW
    fresh = services.change_set_replan(actor=desk, change_set=change_set)
    assert [c["new"] for c in fresh.changes] == ["Stadsbibliotek Centrum"]
    assert OrgChangeSet.objects.get(pk=change_set.pk).status == ChangeSetStatus.DISCARDED
    services.change_set_apply(actor=desk, change_set=fresh)
    assert Unit.objects.get(pk=coded.bibliotek.pk).name == "Stadsbibliotek Centrum"


def test_the_forvaltningschef_applies_only_inside_their_forvaltning(coded):
    world = coded
    fchef = world.people["forvaltningschef"].user
    rows = base_rows(
        VOF_HT_1=("Hemtjänst Norr grupp ett", "VOF-HT"),
        KFV_BIB=("Stadsbibliotek Centrum", "KFV"),
        VOF_HT_1_A=("Lag A", "KFV"),  # leaves the förvaltning: outside
    )
    change_set = services.change_set_create(
        actor=fchef, file_name="hr.csv", content=csv_bytes(rows), scope=world.vof
    )
    assert [c["kind"] for c in change_set.changes] == ["rename"]
    assert sorted(c["kind"] for c in change_set.outside) == ["move", "rename"]
    services.change_set_apply(actor=fchef, change_set=change_set)
    assert Unit.objects.get(pk=world.grupp.pk).name == "Hemtjänst Norr grupp ett"
    assert Unit.objects.get(pk=world.bibliotek.pk).name == "Stadsbiblioteket"
    assert Unit.objects.get(pk=world.lag.pk).parent_id == world.grupp.pk


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_csv_files_are_read_in_excels_encodings(coded, desk, encoding):
    rows = base_rows(KFV_BIB=("Stadsbibliotek Öster", "KFV"))
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows, encoding), scope=None
    )
    assert [c["new"] for c in change_set.changes] == ["Stadsbibliotek Öster"]


def test_an_xlsx_file_is_read(coded, desk):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for code, name, parent in base_rows(KFV_BIB=("Stadsbibliotek Öster", "KFV")):
        sheet.append([code, name, parent or None, None, None, "nej" if parent else "ja"])
    sheet.append(["KFV-9", "Nummer nio", "KFV", 1234, 4100, "nej"])
    buffer = BytesIO()
    book.save(buffer)
    change_set = services.change_set_create(
        actor=desk, file_name="hr.xlsx", content=buffer.getvalue(), scope=None
    )
    assert change_set.encoding == "XLSX"
    assert sorted(c["kind"] for c in change_set.changes) == ["cost_centre", "create", "rename"]
    # The employee number 1234 (an integer cell) is read as text, and is unknown.
    assert any("1234" in c["message"] for c in change_set.conflicts)


def test_the_sample_file_in_the_repository_is_read(coded, desk):
    content = (Path(__file__).parents[2] / "docs/samples/organisation.csv").read_bytes()
    change_set = services.change_set_create(
        actor=desk, file_name="organisation.csv", content=content, scope=None
    )
    # KSF and its Tele kundtjänst are not in the sample: KSF-TELE has people and stays.
    assert {c["kind"] for c in change_set.changes} >= {"create"}


def test_bad_rows_and_bad_files(coded, desk):
    with pytest.raises(ValidationError) as caught:
        services.change_set_create(
            actor=desk, file_name="x.csv", content=b"Namn;Kod\nA;B\n", scope=None
        )
    assert "kolumner" in caught.value.message_dict["file"][0]
    rows = base_rows() + [("KFV-F", "=HYPERLINK(1)", "KFV"), ("KFV", "Dubblett", "")]
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    errors = [row["error"] for row in change_set.rows if row["error"]]
    assert len(errors) == 2 and "formel" in errors[0] and "rad 6" in errors[1]
    assert change_set.changes == []  # the row with the doubled code closes nothing


# --- Pages -------------------------------------------------------------------------------

DESK = statuses(403, telekundtjanst=200, admin=200)
UPLOADERS = DESK | {"forvaltningschef": 200}


@pytest.mark.parametrize("who, status", UPLOADERS.items())
def test_org_file_upload_page(matrix_client, coded, who, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = matrix_client(who)
    rows = base_rows(VOF_HT_1=("Grupp ett", "VOF-HT"))
    upload = SimpleUploadedFile("hr.csv", csv_bytes(rows), content_type="text/csv")
    response = client.post(reverse("organisation:org_file"), {"file": upload})
    if status == 200:
        change_set = OrgChangeSet.objects.get()
        assert response.status_code == 302 and response["Location"] == change_set.get_absolute_url()
        page = client.get(change_set.get_absolute_url()).content.decode()
        assert "Grupp ett" in page
        assert change_set.scope == (coded.vof if who == "forvaltningschef" else None)
    else:
        assert response.status_code == status
        assert not OrgChangeSet.objects.exists()


@pytest.mark.parametrize(
    "who, status", (statuses(404, telekundtjanst=302, admin=302) | {"anonymous": 302}).items()
)
def test_change_set_apply_page(matrix_client, coded, desk, who, status):
    rows = base_rows(VOF_HT_1=("Grupp ett", "VOF-HT"))
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(rows), scope=None
    )
    url = reverse("organisation:change_set_apply", args=[change_set.pk])
    response = matrix_client(who).post(url)
    assert response.status_code == status
    applied = Unit.objects.get(pk=coded.grupp.pk).name == "Grupp ett"
    assert applied is (who in ("telekundtjanst", "admin"))


@pytest.mark.parametrize("who, status", statuses(404, telekundtjanst=200, admin=200).items())
def test_change_set_detail_page(matrix_client, coded, desk, who, status):
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(base_rows(KSF=None)), scope=None
    )
    response = matrix_client(who).get(change_set.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "Kommunstyrelseförvaltningen" in response.content.decode()


def test_discard_page(matrix_client, coded, desk):
    change_set = services.change_set_create(
        actor=desk, file_name="hr.csv", content=csv_bytes(base_rows()), scope=None
    )
    matrix_client("telekundtjanst").post(
        reverse("organisation:change_set_discard", args=[change_set.pk])
    )
    assert OrgChangeSet.objects.get(pk=change_set.pk).status == ChangeSetStatus.DISCARDED


@pytest.mark.parametrize("who, status", DESK.items())
def test_unit_move_page(matrix_client, coded, who, status):
    url = reverse("organisation:unit_move", args=[coded.hemtjanst.pk])
    response = matrix_client(who).post(url, {"parent": coded.kfv.pk})
    moved = Unit.objects.get(pk=coded.grupp.pk).forvaltning_id == coded.kfv.pk
    if status == 200:
        assert response.status_code == 302
        assert moved
    else:
        assert response.status_code == status
        assert not moved


def test_unit_move_page_offers_no_unit_of_its_own_subtree(matrix_client, coded):
    url = reverse("organisation:unit_move", args=[coded.hemtjanst.pk])
    client = matrix_client("telekundtjanst")
    body = client.get(url).content.decode()
    assert "Kultur- och fritidsförvaltningen" in body and "Lag A" not in body
    response = client.post(url, {"parent": coded.lag.pk})
    assert response.status_code == 200 and "giltigt alternativ" in response.content.decode()
    unit_page = client.get(coded.hemtjanst.get_absolute_url()).content.decode()
    assert url in unit_page


@pytest.mark.parametrize("who, status", UPLOADERS.items())
def test_unit_close_page(matrix_client, coded, who, status):
    url = reverse("organisation:unit_close", args=[coded.grupp.pk])
    response = matrix_client(who).post(url)
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "2 aktiva personer" in body
        assert coded.grupp.get_absolute_url() + "#people-heading" in body
    assert Unit.objects.get(pk=coded.grupp.pk).closed_on is None


def test_an_empty_unit_closes_from_its_page(matrix_client, coded):
    response = matrix_client("telekundtjanst").post(
        reverse("organisation:unit_close", args=[coded.lag.pk])
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=coded.lag.pk).closed_on is not None
    tree = matrix_client("telekundtjanst").get(reverse("organisation:unit_list")).content.decode()
    assert "Lag A" not in tree


@pytest.mark.parametrize("count", [1, 3])
def test_org_file_list_query_count_is_constant(
    matrix_client, coded, desk, django_assert_num_queries, count
):
    for _ in range(count):
        services.change_set_create(
            actor=desk, file_name="hr.csv", content=csv_bytes(base_rows()), scope=None
        )
    client = matrix_client("telekundtjanst")
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("organisation:org_file"))
    assert len(response.context["change_sets"]) == count


# Session, user, roles, the headed units (scope), and the change sets: the same for 1 and 3.
QUERIES = 6  # with the inbox count of the navigation
