"""manage.py seed_demo: demo municipality, sign-ins, and a second run that changes nothing."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from common.roles import Role, roles_of
from compliance.models import Flag
from compliance.rules import RULES
from demo import data as demo_data
from directory.selectors import search
from organisation.choices import PersonKind
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import format_number
from organisation.permissions import (
    can_rename_unit,
    is_budget_manager_of,
    is_manager_of_unit,
    is_telesamordnare_of,
)
from organisation.selectors import manager_of
from subscriptions.choices import FUNCTION_KINDS, Kind, Status
from subscriptions.models import Subscription
from subscriptions.services import barring_defaults
from tests.factories import CostCentreFactory, PersonFactory

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
        assert str(RULES["ORG-3"].title) in page and unit_name in page, username


def test_every_large_unit_gets_a_telesamordnare_whatever_the_threshold(seed, set_guideline):
    set_guideline(large_unit_min_staff=12)
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
        "subscriptions": Subscription.objects.count(),
        "subscription history": Subscription.history.count(),
        "phones": list(
            Subscription.objects.order_by("number").values_list(
                "number",
                "kind",
                "extension",
                "holder__external_id",
                "function_name",
                "unit__code",
                "cost_centre__code",
                "status",
                "activated_on",
                "number_digits",
                "search_key",
            )
        ),
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
    assert "subscriptions 0 created / 0 updated" in output
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
    mex = Subscription.objects.get(holder=employee)
    mex.kind, mex.cost_centre = Kind.FIXED, CostCentre.objects.get(code="11000")
    mex.open_international = True  # a barring change (BAR-2) is the demo user's to keep
    mex.save()
    subscription_history = Subscription.history.count()

    seed()

    employee.refresh_from_db()
    unit.refresh_from_db()
    assert employee.title == "Undersköterska"
    assert unit.name == "Hemtjänst Norr"
    assert User.objects.get(username="enhetschef").check_password("demo")
    assert list(vof.telesamordnare.all()) == [account("telesamordnare")[1]]
    assert Person.history.count() == people_history + 1
    assert employee.history.first().history_change_reason == demo_data.CHANGE_REASON
    mex.refresh_from_db()
    assert (mex.kind, mex.cost_centre.code, mex.open_international) == (Kind.MEX, "13210", True)
    assert Subscription.history.count() == subscription_history + 1
    assert Subscription.objects.filter(holder=employee).count() == 1


def test_prints_the_demo_accounts_with_their_password(seeded):
    for username, role in ACCOUNT_ROLES.items():
        shown = re.escape(role or "(none)")
        assert re.search(rf"^\s+{username}\s+{shown}\s+demo\s", seeded, re.M), username
    assert "8 förvaltningar" in seeded


def test_sub_1_every_demo_person_has_a_phone_in_the_municipal_series(seeded):
    people = Person.objects.select_related("unit__forvaltning")
    phones = {
        s.holder_id: s
        for s in Subscription.objects.filter(holder__isnull=False).select_related(
            "cost_centre__unit"
        )
    }
    assert Subscription.objects.filter(holder__isnull=False).count() == people.count()
    managers = set(Unit.objects.values_list("manager", flat=True))
    for person in people:
        phone = phones[person.pk]
        assert phone.status == Status.ACTIVE
        assert phone.unit_id == person.unit_id
        series = person.unit.forvaltning.code[0]
        if phone.kind == Kind.MOBILE:
            assert phone.extension is None
            assert phone.number == f"+4670555{series}" + phone.number[-3:], person
            assert format_number(phone.number).startswith("070-555 ")
        else:
            # 019-21 xx xx, the last four digits the extension, the first the förvaltning's.
            assert phone.number == f"+461921{phone.extension}", person
            assert phone.extension.startswith(series) and len(phone.extension) == 4
            assert format_number(phone.number) == (
                f"019-21 {phone.extension[:2]} {phone.extension[2:]}"
            )
        if person.pk in managers:
            assert phone.kind == Kind.MEX, person
        if person.kind == PersonKind.ELECTED:
            assert phone.kind == Kind.MOBILE, person
        # Tied to the cost centre of its unit, or of the nearest unit above that has one.
        assert phone.cost_centre.unit_id in person.unit.ancestor_ids(), person
    kinds = [phone.kind for phone in phones.values()]
    assert kinds.count(Kind.FIXED) > kinds.count(Kind.MEX) > kinds.count(Kind.MOBILE) > 30
    assert _account_phone("anstalld").kind == Kind.MEX
    assert _account_phone("ksordforande").kind == Kind.MOBILE


def _account_phone(username):
    return Subscription.objects.get(holder__user__username=username)


def test_sub_1_function_and_group_phones_belong_to_units_and_their_cost_centres(seeded):
    functions = {
        s.function_name: s
        for s in Subscription.objects.filter(holder__isnull=True).select_related(
            "unit", "cost_centre__unit"
        )
    }
    assert set(functions) == {phone.name for phone in demo_data.FUNCTION_PHONES}
    assert all(s.kind in FUNCTION_KINDS and s.extension for s in functions.values())
    assert functions["Receptionen"].kind == Kind.FUNCTION
    assert functions["Reception Hemtjänst Norr"].unit.name == "Hemtjänst Norr"
    night = functions["Arbetslag Nattpatrull Norr"]
    assert (night.kind, night.unit.name) == (Kind.GROUP, "Nattpatrull Norr")
    # Nattpatrull Norr has no cost centre of its own: Hemtjänst Norr's pays.
    assert night.cost_centre.unit.name == "Hemtjänst Norr"
    assert functions["Receptionen"].cost_centre.unit == functions["Receptionen"].unit


def test_bar_1_demo_phones_have_the_barring_defaults_and_a_history(seeded):
    defaults = barring_defaults()
    assert defaults["open_international"] is False
    for values in Subscription.objects.values(*defaults):
        assert values == defaults
    reasons = set(Subscription.history.values_list("history_change_reason", flat=True))
    assert reasons == {demo_data.CHANGE_REASON}
    assert Subscription.history.count() == Subscription.objects.count()


def test_telesok_finds_the_bulk_created_phones_but_no_protected_identity(seeded):
    """The bulk path fills the search keys save() would (DIR-2), and ORG-4 holds."""
    employee_phone = _account_phone("anstalld")
    assert [h.name for h in search(employee_phone.extension)] == ["Elin Åkesson"]
    assert [h.name for h in search(format_number(employee_phone.number))] == ["Elin Åkesson"]
    assert "Arbetslag Nattpatrull Norr" in [h.name for h in search("nattpatrull")]
    for phone in Subscription.objects.filter(holder__protected_identity=True):
        assert search(phone.number) == []


def test_refuses_when_a_demo_extension_is_taken_by_another_subscription(seed):
    holder = PersonFactory()
    Subscription.objects.create(
        kind=Kind.FIXED,
        number="+4619219999",
        extension="3100",
        holder=holder,
        unit=holder.unit,
        cost_centre=CostCentreFactory(unit=holder.unit),
    )
    with pytest.raises(CommandError, match="Extension 3100 belongs to the subscription"):
        seed()
    assert Subscription.objects.count() == 1
    assert not Unit.objects.filter(code="3210").exists()


def test_cost_demo_usage_is_imported_and_the_budget_manager_sees_flags(seed, client):
    """COST-1, COST-2, COST-3, COST-5: six months through the real import, flags for the
    demo budget manager, one itemised statement request waiting; a second run adds none."""
    from costs.models import StatementRequest, UsageImport, UsageRecord

    seed()
    [usage_import] = UsageImport.objects.all()
    active = Subscription.objects.filter(status=Status.ACTIVE).count()
    assert usage_import.status == "done" and usage_import.row_count == 6 * active
    assert usage_import.unknown_count == 0 and len(usage_import.periods) == 6
    assert UsageRecord.objects.values("period").distinct().count() == 6
    _, budget = account("budgetchef")
    flags = Flag.objects.filter(resolved_at=None, responsible=budget)
    assert {"COST-2", "COST-5", "BAR-1", "SUB-5"} <= set(flags.values_list("rule", flat=True))
    assert flags.filter(rule="COST-2").count() == 1
    [statement] = StatementRequest.objects.all()
    assert statement.status == "pending" and statement.requested_by.username == "budgetchef"
    client.force_login(User.objects.get(username="budgetchef"))
    page = client.get("/").content.decode()
    assert str(RULES["COST-2"].title) in page and str(RULES["COST-5"].title) in page
    overview = client.get("/kostnadsstallen/kostnader/")
    assert overview.status_code == 200 and len(overview.context["months"]) == 6
    before = (UsageRecord.objects.count(), Flag.objects.count())
    seed()
    assert UsageImport.objects.count() == 1 and StatementRequest.objects.count() == 1
    assert (UsageRecord.objects.count(), Flag.objects.count()) == before


def _signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_each_demo_role_finds_its_work(seeded, client):
    """Issue 19.9: the demo leaves every role something to do, reachable from its pages:
    anstalld's PIN/PUK, the KS ordförande's and the enhetschef's approvals, the
    telesamordnare's approved order (sent on by itself), Tele kundtjänst's delivery, and
    the budget manager's "Ändra spärrar" on the cost rows."""
    from django.urls import reverse

    from costs.models import UsageRecord
    from devices.choices import OrderStatus
    from devices.models import Order, PinView, SimCard

    # anstalld: her phone's SIM card, and its PIN and PUK behind a logged view (DEV-5).
    _, elin = account("anstalld")
    sim = SimCard.objects.get(subscription__holder=elin)
    assert sim.device is not None and sim.device.subscription == sim.subscription
    mine = _signed_in(client, "anstalld").get(reverse("devices:mine")).content.decode()
    assert reverse("devices:sim_pin", args=[sim.pk]) in mine
    shown = client.post(reverse("devices:sim_pin", args=[sim.pk])).content.decode()
    assert demo_data.DEMO_SIM["pin"] in shown and demo_data.DEMO_SIM["puk"] in shown
    assert PinView.objects.filter(sim=sim, viewed_by__username="anstalld").count() == 1

    # The KS ordförande: an elected official's mobile waits for her (SUB-3).
    [elected] = Order.objects.filter(holder__kind=PersonKind.ELECTED)
    assert elected.status == OrderStatus.AWAITING_APPROVAL
    _signed_in(client, "ksordforande")
    assert elected in client.get(reverse("devices:order_list")).context["orders"]
    detail = client.get(elected.get_absolute_url()).context
    assert detail["approval_by"] == "ksordforande" and detail["can_approve"]

    # The enhetschef: a mobile of her unit waits for her (SUB-2).
    [awaiting] = Order.objects.filter(status=OrderStatus.AWAITING_APPROVAL).exclude(pk=elected.pk)
    _signed_in(client, "enhetschef")
    assert client.get(awaiting.get_absolute_url()).context["can_approve"]

    # The telesamordnare: the order the enhetschef approved went on to Tele kundtjänst.
    [sent] = Order.objects.filter(status=OrderStatus.SENT)
    assert (
        sent.approved_by.username == "enhetschef" and sent.ordered_by.username == "telesamordnare"
    )
    _signed_in(client, "telesamordnare")
    orders = client.get(reverse("devices:order_list")).context["orders"]
    assert {sent, awaiting, elected} <= set(orders)
    assert not client.get(sent.get_absolute_url()).context["can_send"]

    # Tele kundtjänst: the sent order to deliver.
    _signed_in(client, "telekundtjanst")
    assert client.get(sent.get_absolute_url()).context["can_deliver"]

    # The budget manager: "Ändra spärrar" on the rows of a cost centre of hers (BAR-2).
    _, budget = account("budgetchef")
    record = UsageRecord.objects.filter(
        cost_centre__budget_manager=budget, subscription__cost_centre__budget_manager=budget
    ).latest("period")
    _signed_in(client, "budgetchef")
    page = client.get(reverse("costs:cost_centre_costs", args=[record.cost_centre_id]))
    assert reverse("devices:barring", args=[record.subscription_id]) in page.content.decode()
