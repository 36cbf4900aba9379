"""manage.py seed_demo: demo municipality, sign-ins, and a second run that changes nothing."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.models import Flag
from costs.models import CostCentre
from demo import data as demo_data
from organisation.choices import PersonKind, Role
from organisation.models import Person, Unit
from organisation.permissions import (
    can_rename_unit,
    is_budget_manager_of,
    is_manager_of_unit,
    is_telesamordnare_of,
    roles_of,
)
from organisation.selectors import manager_of

ACCOUNT_ROLES = {
    "anstalld": None,
    "enhetschef": Role.ENHETSCHEF,
    "budgetchef": Role.BUDGETCHEF,
    "forvaltningschef": Role.FORVALTNINGSCHEF,
    "telesamordnare": Role.TELESAMORDNARE,
    "telekundtjanst": Role.TELEKUNDTJANST,
    "kundtjanst": Role.KUNDTJANST,
    "ksordforande": Role.KSORDFORANDE,
    "admin": Role.ADMIN,
}


def _specs(specs=demo_data.FORVALTNINGAR):
    for spec in specs:
        yield spec
        yield from _specs(spec.children)


@pytest.fixture
def seed(db, settings):
    """seed() runs the command as a developer would (DEBUG on) and returns its output."""
    settings.DEBUG = True

    def run():
        out = StringIO()
        call_command("seed_demo", stdout=out, stderr=StringIO())
        return out.getvalue()

    return run


@pytest.fixture
def seeded(seed):
    return seed()


def account(username):
    user = User.objects.select_related("person__unit").get(username=username)
    return user, user.person


def forvaltning(name):
    return Unit.objects.get(parent=None, name=name)


def test_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not Unit.objects.exists()


def test_runs_without_debug_only_when_explicitly_allowed(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--allow-without-debug", stdout=StringIO())
    assert User.objects.get(username="admin").check_password("demo")


def test_builds_a_municipality_of_the_expected_size(seeded):
    forvaltningar = Unit.objects.filter(parent=None)
    assert forvaltningar.count() == 8
    assert {
        "Kommunstyrelseförvaltningen",
        "Förvaltningen förskola och skola",
        "Vård- och omsorgsförvaltningen",
        "Socialförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Samhällsbyggnadsförvaltningen",
        "Miljöförvaltningen",
        "Tekniska förvaltningen",
    } == set(forvaltningar.values_list("name", flat=True))
    assert 50 <= Unit.objects.count() <= 70
    assert {2, 3} <= set(Unit.objects.values_list("depth", flat=True))
    assert 550 <= Person.objects.count() <= 650
    assert not Unit.objects.filter(code=None).exists()
    assert not Unit.objects.filter(manager=None).exists()
    ksf = forvaltning("Kommunstyrelseförvaltningen")
    assert {"Tele kundtjänst", "Kundtjänst"} <= set(
        Unit.objects.filter(forvaltning=ksf).values_list("name", flat=True)
    )
    for unit in forvaltningar:
        assert unit.manager.unit_id == unit.pk, unit
        assert CostCentre.objects.filter(unit__forvaltning=unit).count() >= 2, unit


def test_cost_centres_are_held_by_a_manager_of_their_unit(seeded):
    centres = CostCentre.objects.select_related("unit", "budget_manager")
    assert centres.count() >= 16
    for centre in centres:
        managers = set(
            Unit.objects.filter(pk__in=centre.unit.ancestor_ids()).values_list("manager", flat=True)
        )
        assert centre.budget_manager_id in managers, centre


def test_people_look_like_a_swedish_municipality(seeded):
    people = list(Person.objects.select_related("unit__forvaltning"))
    with_swedish_letters = [p for p in people if re.search("[åäöÅÄÖ]", p.full_name)]
    assert len(with_swedish_letters) > len(people) // 10
    emails = [p.email for p in people]
    assert all(e.endswith("@kommun.example") and e.isascii() for e in emails)
    assert len(set(emails)) == len(emails)
    titles = {p.title for p in people}
    assert {
        "Undersköterska",
        "Lärare",
        "Handläggare",
        "Bibliotekarie",
        "Ingenjör",
        "Enhetschef",
        "Rektor",
        "Förvaltningschef",
    } <= titles
    protected = [p for p in people if p.protected_identity]
    assert 2 <= len(protected) <= 10
    assert not Unit.objects.filter(manager__protected_identity=True).exists()
    elected = [p for p in people if p.kind == PersonKind.ELECTED]
    assert len(elected) >= 3
    assert {p.unit.forvaltning.name for p in elected} == {"Kommunstyrelseförvaltningen"}


def test_every_demo_account_signs_in_and_is_greeted_by_name(seeded, client):
    for username in ACCOUNT_ROLES:
        user, person = account(username)
        assert user.check_password("demo"), username
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200, username
        assert person.full_name in response.content.decode(), username
        client.logout()


def test_demo_accounts_hold_exactly_their_role(seeded):
    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))
    for username, role in ACCOUNT_ROLES.items():
        user, _person = account(username)
        expected = {role} if role else set()
        assert set(user.groups.values_list("name", flat=True)) == expected, username
        assert roles_of(user) == expected, username
        assert user.is_superuser == user.is_staff == (username == "admin"), username


def test_roles_reach_the_scope_they_should(seeded):
    anstalld, employee = account("anstalld")
    chef, chef_person = account("enhetschef")
    unit = employee.unit
    # The employee's own enhetschef heads a real unit with people and a sub-unit.
    assert unit.forvaltning.name == "Vård- och omsorgsförvaltningen"
    assert unit.manager_id == chef_person.pk
    assert unit.children.exists()
    assert unit.people.count() > 5
    assert manager_of(employee) == chef_person
    assert is_manager_of_unit(chef, unit)
    assert is_manager_of_unit(chef, unit.children.first())
    assert not is_manager_of_unit(chef, unit.parent)
    assert not is_manager_of_unit(anstalld, unit)
    assert not can_rename_unit(anstalld, unit)

    fchef, fchef_person = account("forvaltningschef")
    vof = forvaltning("Vård- och omsorgsförvaltningen")
    kultur = forvaltning("Kultur- och fritidsförvaltningen")
    assert vof.manager_id == fchef_person.pk
    assert can_rename_unit(fchef, vof)
    assert can_rename_unit(fchef, unit)
    assert not can_rename_unit(fchef, kultur)

    budget, budget_person = account("budgetchef")
    # The chain of command runs anstalld -> enhetschef -> budgetchef -> förvaltningschef.
    assert manager_of(chef_person) == budget_person
    assert manager_of(budget_person) == fchef_person
    own = CostCentre.objects.filter(budget_manager=budget_person)
    assert own.count() >= 2
    assert all(is_budget_manager_of(budget, centre) for centre in own)
    assert not is_budget_manager_of(budget, CostCentre.objects.exclude(pk__in=own).first())

    tsam, tsam_person = account("telesamordnare")
    assert tsam_person in vof.telesamordnare.all()
    assert is_telesamordnare_of(tsam, unit)
    assert not is_telesamordnare_of(tsam, kultur)

    tele, _ = account("telekundtjanst")
    assert can_rename_unit(tele, kultur)
    _, kundtjanst = account("kundtjanst")
    assert kundtjanst.unit.name == "Kundtjänst"
    _, ksordf = account("ksordforande")
    assert ksordf.kind == PersonKind.ELECTED
    assert ksordf.unit.forvaltning.name == "Kommunstyrelseförvaltningen"


def test_admin_account_reaches_the_admin_site(seeded, client):
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/admin/organisation/unit/").status_code == 200


def test_sweep_flags_exactly_the_gaps_the_demo_leaves(seeded, client):
    gaps_2 = {s.name for s in _specs() if not s.telesamordnare}
    gaps_3 = {s.name for s in _specs() if not (s.reserve_plan and s.trained)}
    open_flags = Flag.objects.filter(resolved_at=None).select_related("unit")
    assert {f.unit.name for f in open_flags.filter(rule="ORG-2")} == gaps_2
    assert {f.unit.name for f in open_flags.filter(rule="ORG-3")} == gaps_3
    assert 1 <= len(gaps_2) <= 3
    assert 1 <= len(gaps_3) <= 8
    # The demo's managers find something to act on on their start page.
    for username, unit_name in (
        ("enhetschef", "Hemtjänst Norr"),
        ("budgetchef", "Hemtjänsten"),
        ("forvaltningschef", "Stab och administration"),
    ):
        client.force_login(User.objects.get(username=username))
        page = client.get("/").content.decode()
        assert "ORG-3" in page and unit_name in page, username


def test_every_large_unit_gets_a_telesamordnare_whatever_the_threshold(seed, settings):
    settings.TELEFONI_LARGE_UNIT_MIN_STAFF = 12
    seed()
    flagged = set(
        Flag.objects.filter(rule="ORG-2", resolved_at=None).values_list("unit__name", flat=True)
    )
    assert flagged == {s.name for s in _specs() if not s.telesamordnare}
    assert Unit.objects.filter(telesamordnare__isnull=False).distinct().count() > 10


def _snapshot():
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "cost centres": CostCentre.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "unit history": Unit.history.count(),
        "unit telesamordnare history": apps.get_model(
            "organisation", "HistoricalUnit_telesamordnare"
        ).objects.count(),
        "person history": Person.history.count(),
        "cost centre history": CostCentre.history.count(),
        "flags": Flag.objects.count(),
        "names": list(
            Person.objects.order_by("external_id").values_list(
                "external_id", "first_name", "last_name", "title", "email", "unit__code"
            )
        ),
        "passwords": list(User.objects.order_by("username").values_list("password", flat=True)),
    }


def test_a_second_run_changes_nothing(seed):
    seed()
    before = _snapshot()
    output = seed()
    assert _snapshot() == before
    assert "people 0 created / 0 updated" in output
    assert "0 flags opened" in output


def test_a_second_run_repairs_what_was_changed_and_only_that(seed):
    seed()
    _, employee = account("anstalld")
    employee.title = "Vårdbiträde"
    employee.save()
    unit = employee.unit
    unit.name = "Hemtjänst Nord"
    unit.save()
    user = User.objects.get(username="enhetschef")
    user.set_password("something-else")
    user.save()
    vof = forvaltning("Vård- och omsorgsförvaltningen")
    vof.telesamordnare.clear()
    people_history = Person.history.count()

    seed()

    employee.refresh_from_db()
    unit.refresh_from_db()
    assert employee.title == "Undersköterska"
    assert unit.name == "Hemtjänst Norr"
    assert User.objects.get(username="enhetschef").check_password("demo")
    assert list(vof.telesamordnare.all()) == [account("telesamordnare")[1]]
    assert Person.history.count() == people_history + 1
    assert employee.history.first().history_change_reason == demo_data.CHANGE_REASON


def test_prints_the_demo_accounts_with_their_password(seeded):
    for username, role in ACCOUNT_ROLES.items():
        shown = re.escape(role or "(none)")
        assert re.search(rf"^\s+{username}\s+{shown}\s+demo\s", seeded, re.M), username
    assert "8 förvaltningar" in seeded
