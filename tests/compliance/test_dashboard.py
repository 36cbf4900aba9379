"""X-2: the compliance dashboard, its scope per role, roll-up, drill-down and exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from openpyxl import load_workbook

from compliance import permissions, selectors
from compliance.models import Flag
from compliance.sections import REQUIREMENT_SECTIONS, section_of
from organisation.models import Unit
from tests.conftest import statuses
from tests.factories import PersonFactory, UnitFactory

INDEX = "/efterlevnad/"

# The dashboard: enhetschef (own units), förvaltningschef (own förvaltning), Tele
# kundtjänst and admin (all); everyone else 403.
SEE_DASHBOARD = statuses(403, manager=200, forvaltningschef=200, telekundtjanst=200, admin=200)
# A unit of Hemtjänst Norr: its manager, the förvaltningschef above and the desk see it;
# other dashboard users 404 (outside their scope), the rest 403.
SEE_GRUPP = statuses(403, manager=200, forvaltningschef=200, telekundtjanst=200, admin=200)
# The förvaltning itself: above the enhetschef's scope.
SEE_VOF = SEE_GRUPP | {"manager": 404}
# Another förvaltning: only the desk.
SEE_KFV = SEE_GRUPP | {"manager": 404, "forvaltningschef": 404}


def open_flag(rule, unit, *, obj=None, days=0, responsible=None):
    """An open flag as a sweep leaves it, opened `days` ago."""
    obj = obj or unit
    flag = Flag.objects.create(
        rule=rule,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        unit=unit,
        responsible=responsible,
    )
    if days:
        Flag.objects.filter(pk=flag.pk).update(opened_at=timezone.now() - timedelta(days=days))
    return flag


@pytest.fixture
def flags(world):
    """Flags across the tree: two below Hemtjänst Norr, one on it, one in the förvaltning
    itself, one in another förvaltning, one resolved (never counted)."""
    grupp_2 = UnitFactory(name="Hemtjänst Norr grupp 2", parent=world.hemtjanst)
    made = {
        "grupp_org3": open_flag("ORG-3", world.grupp, days=40),
        "grupp2_org3": open_flag("ORG-3", grupp_2, days=3),
        "hemtjanst_rev1": open_flag("REV-1", world.hemtjanst, days=10),
        "vof_org2": open_flag("ORG-2", world.vof, days=100),
        "kfv_org2": open_flag("ORG-2", world.kfv, days=7),
    }
    resolved = open_flag("ORG-3", world.hemtjanst, days=400)
    Flag.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    made["grupp_2"] = grupp_2
    return made


def _rules(response):
    return {f.rule_id: (f.count, f.age_days) for f in response.context["rules"]}


def _units(response):
    return {unit.name: figure.count for unit, figure, _own in response.context["units"]}


# --- Who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", SEE_DASHBOARD.items())
def test_x_2_index_role_table(matrix_client, flags, who, status):
    response = matrix_client(who).get(INDEX)
    assert response.status_code == status
    if status != 200:
        return
    if who == "manager":
        # Hemtjänst Norr and below: 3 open flags.
        assert _units(response) == {"Hemtjänst Norr": 3}
        assert _rules(response) == {"ORG-3": (2, 40), "REV-1": (1, 10)}
    elif who == "forvaltningschef":
        assert _units(response) == {"Vård- och omsorgsförvaltningen": 4}
        assert _rules(response) == {"ORG-2": (1, 100), "ORG-3": (2, 40), "REV-1": (1, 10)}
    else:
        # The whole municipality: every förvaltning, each with everything below it.
        assert _units(response) == {
            "Vård- och omsorgsförvaltningen": 4,
            "Kultur- och fritidsförvaltningen": 1,
            "Kommunstyrelseförvaltningen": 0,
        }
        assert _rules(response)["ORG-2"] == (2, 100)
        assert response.context["total"] == 5


@pytest.mark.parametrize("who, status", SEE_GRUPP.items())
def test_x_2_unit_page_role_table(matrix_client, world, flags, who, status):
    response = matrix_client(who).get(f"{INDEX}enhet/{world.hemtjanst.pk}/")
    assert response.status_code == status
    if status == 200:
        # Rolled up: the unit's own REV-1 and the two ORG-3 flags of the groups below.
        assert response.context["total"] == 3
        assert response.context["own"].count == 1
        assert _units(response) == {"Hemtjänst Norr grupp 1": 1, "Hemtjänst Norr grupp 2": 1}
        body = response.content.decode()
        assert "Enhetschefens ansvar" in body
        assert f"{INDEX}enhet/{world.hemtjanst.pk}/krav/ORG-3/" in body


@pytest.mark.parametrize("who, status", SEE_VOF.items())
def test_x_2_forvaltning_page_is_outside_the_enhetschefs_scope(
    matrix_client, world, flags, who, status
):
    response = matrix_client(who).get(f"{INDEX}enhet/{world.vof.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.context["total"] == 4
        assert _units(response) == {"Hemtjänst Norr": 3}


@pytest.mark.parametrize("who, status", SEE_KFV.items())
def test_x_2_other_forvaltning_only_for_the_desk(matrix_client, world, flags, who, status):
    response = matrix_client(who).get(f"{INDEX}enhet/{world.kfv.pk}/krav/ORG-2/")
    assert response.status_code == status
    if status == 200:
        assert [flag.pk for flag, _url in response.context["flags"]] == [flags["kfv_org2"].pk]


def test_x_2_unknown_unit_and_unknown_requirement_are_404(matrix_client, world, flags):
    client = matrix_client("telekundtjanst")
    assert client.get(f"{INDEX}enhet/999999/").status_code == 404
    assert client.get(f"{INDEX}krav/NOPE-1/").status_code == 404
    # A known requirement no sweep checks yet: an empty list, not an error.
    response = client.get(f"{INDEX}krav/SUB-7/")
    assert response.status_code == 200
    assert response.context["section"] == "Inköp och abonnemang"
    assert list(response.context["flags"]) == []


def test_x_2_scope_of_a_manager_of_two_units_drops_nested_ones(world):
    manager = world.people["manager"]
    world.grupp.manager = manager
    world.grupp.save()
    other = UnitFactory(name="Hemtjänst Söder", parent=world.vof, manager=manager)
    user = manager.user
    assert permissions.dashboard_scope(user) == tuple(sorted([world.hemtjanst.path, other.path]))


def test_x_2_enhetschef_role_without_a_unit_has_no_dashboard(client, world):
    from common.roles import Role
    from tests.factories import person_with_user

    lonely = person_with_user(unit=world.grupp, roles=[Role.ENHETSCHEF], title="Chef")
    client.force_login(lonely.user)
    assert client.get(INDEX).status_code == 403
    # ... and no link to it on the start page.
    assert "/efterlevnad/" not in client.get("/").content.decode().split("</nav>")[1]


def test_x_2_start_page_links_to_the_dashboard_for_those_with_a_scope(matrix_client, world):
    body = matrix_client("manager").get("/").content.decode()
    assert body.split("</nav>")[1].count('href="/efterlevnad/"') == 1
    body = matrix_client("employee").get("/").content.decode()
    assert "/efterlevnad/" not in body


# --- Drill-down: unit -> rule -> objects ------------------------------------------------------


def test_x_2_rule_page_lists_the_flagged_objects_with_links(matrix_client, world, flags):
    response = matrix_client("manager").get(f"{INDEX}enhet/{world.hemtjanst.pk}/krav/ORG-3/")
    assert response.status_code == 200
    shown = [(flag.pk, url) for flag, url in response.context["flags"]]
    # Oldest first; each object (a unit here) links to its page.
    assert shown == [
        (flags["grupp_org3"].pk, world.grupp.get_absolute_url()),
        (flags["grupp2_org3"].pk, flags["grupp_2"].get_absolute_url()),
    ]
    assert response.context["section"] == "Enhetschefens ansvar"
    body = response.content.decode()
    assert world.grupp.get_absolute_url() in body


def test_x_2_scope_wide_rule_page_for_the_forvaltningschef(matrix_client, world, flags):
    response = matrix_client("forvaltningschef").get(f"{INDEX}krav/ORG-2/")
    # The förvaltningschef's own förvaltning, not the other one.
    assert [flag.pk for flag, _url in response.context["flags"]] == [flags["vof_org2"].pk]


def test_x_2_a_flag_resolved_leaves_the_figures(matrix_client, world, flags):
    Flag.objects.filter(pk=flags["grupp_org3"].pk).update(resolved_at=timezone.now())
    response = matrix_client("manager").get(f"{INDEX}enhet/{world.hemtjanst.pk}/")
    assert response.context["total"] == 2
    assert _rules(response)["ORG-3"] == (1, 3)


def test_x_2_rule_of_another_helper_shows_its_section(matrix_client, world):
    """A rule added later (VM-4, SRV-2, X-3...) shows the guideline section at once."""
    open_flag("VM-4", world.grupp, days=2)
    open_flag("SRV-2", world.grupp, days=1)
    response = matrix_client("manager").get(f"{INDEX}enhet/{world.grupp.pk}/")
    sections = {f.rule_id: f.section for f in response.context["rules"]}
    assert sections == {
        "VM-4": "Röstbrevlåda/mobilsvaret/talsvar",
        "SRV-2": "Service till medborgarna",
    }


# --- Query counts: one query per level ---------------------------------------------------------


def _tree_with_flags(world, count):
    """`count` units below Hemtjänst Norr grupp 1, each with a sub-unit, and `count` open
    flags on each level."""
    for n in range(count):
        unit = UnitFactory(name=f"Lag {n}", parent=world.grupp)
        below = UnitFactory(name=f"Lag {n} kväll", parent=unit)
        open_flag("ORG-3", unit, days=n)
        open_flag("ORG-2", below, days=n + 1)
        PersonFactory(unit=unit)


@pytest.mark.parametrize("count", [1, 3])
def test_x_2_unit_page_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, count
):
    _tree_with_flags(world, count)
    client = matrix_client("manager")
    # session, user, roles, person, headed units; the unit, the figures, its ancestors,
    # children.
    with django_assert_num_queries(10):
        response = client.get(f"{INDEX}enhet/{world.grupp.pk}/")
    assert response.context["total"] == 2 * count
    assert len(response.context["units"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_x_2_index_query_count_is_constant(matrix_client, world, django_assert_num_queries, count):
    _tree_with_flags(world, count)
    client = matrix_client("telekundtjanst")
    # session, user, roles, person (the menu); the figures, the förvaltningar.
    with django_assert_num_queries(7):
        response = client.get(INDEX)
    assert response.context["total"] == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_x_2_rule_page_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, count
):
    _tree_with_flags(world, count)
    client = matrix_client("manager")
    # session, user, roles, person, headed units; the unit, the count, the flags, the
    # flagged units, its ancestors.
    with django_assert_num_queries(11):
        response = client.get(f"{INDEX}enhet/{world.grupp.pk}/krav/ORG-2/")
    assert len(response.context["flags"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_x_2_export_query_count_is_constant(matrix_client, world, django_assert_num_queries, count):
    _tree_with_flags(world, count)
    client = matrix_client("forvaltningschef")
    # session, user, roles, person, headed units; the flags, the flagged units.
    with django_assert_num_queries(7):
        response = client.get(f"{INDEX}export.csv")
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 1 + 2 * count


def test_x_2_figures_are_one_query_for_any_number_of_units(world, django_assert_num_queries):
    _tree_with_flags(world, 3)
    with django_assert_num_queries(1):
        rows = selectors.flag_figures((world.vof.path,))
    units = list(Unit.objects.filter(parent=world.grupp))
    with django_assert_num_queries(0):
        rolled = selectors.rolled_up(units, rows)
    # Each Lag has its own ORG-3 and its evening team's ORG-2.
    assert [figure.count for _unit, figure, _own in rolled] == [2, 2, 2]
    assert [own.count for _unit, _figure, own in rolled] == [1, 1, 1]


# --- Exports -----------------------------------------------------------------------------------


EXPORT_HEADER = [
    "Krav",
    "Avsnitt i riktlinjerna",
    "Regel",
    "Förvaltning",
    "Enhet",
    "Gäller",
    "Länk",
    "Ansvarig",
    "Öppnad",
    "Dagar öppen",
]


@pytest.mark.parametrize("who, status", SEE_GRUPP.items())
def test_x_2_unit_export_csv_role_table(matrix_client, world, flags, who, status):
    response = matrix_client(who).get(f"{INDEX}enhet/{world.hemtjanst.pk}/export.csv")
    assert response.status_code == status
    if status != 200:
        return
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == EXPORT_HEADER
    # Oldest first: grupp's ORG-3 (40 days), Hemtjänst Norr's REV-1 (10), grupp 2 (3).
    assert [(r[0], r[4], r[9]) for r in rows[1:]] == [
        ("ORG-3", "Hemtjänst Norr grupp 1", "40"),
        ("REV-1", "Hemtjänst Norr", "10"),
        ("ORG-3", "Hemtjänst Norr grupp 2", "3"),
    ]
    assert rows[1][1] == "Enhetschefens ansvar"
    assert rows[1][3] == "Vård- och omsorgsförvaltningen"
    assert rows[1][6].endswith(world.grupp.get_absolute_url())


def test_x_2_export_xlsx_for_the_desk(matrix_client, world, flags, tmp_path):
    response = matrix_client("telekundtjanst").get(f"{INDEX}export.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == EXPORT_HEADER
    assert sorted((row[0], row[4]) for row in rows[1:]) == sorted(
        [
            ("ORG-3", "Hemtjänst Norr grupp 1"),
            ("ORG-3", "Hemtjänst Norr grupp 2"),
            ("REV-1", "Hemtjänst Norr"),
            ("ORG-2", "Vård- och omsorgsförvaltningen"),
            ("ORG-2", "Kultur- och fritidsförvaltningen"),
        ]
    )


def test_x_2_export_other_format_is_404_and_formula_cells_are_quoted(matrix_client, world):
    client = matrix_client("telekundtjanst")
    assert client.get(f"{INDEX}export.pdf").status_code == 404
    evil = UnitFactory(name="=HYPERLINK(1)", parent=world.hemtjanst)
    open_flag("ORG-3", evil)
    text = client.get(f"{INDEX}export.csv").content.decode("utf-8-sig")
    assert ";'=HYPERLINK(1);" in text


def test_x_2_section_of_every_flag_comes_from_the_mapping(world):
    assert section_of("X-3") == REQUIREMENT_SECTIONS["X-3"] == "Uppsägning av abonnemang"
    assert section_of("NOPE-9") == ""
