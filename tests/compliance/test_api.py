"""The compliance API other apps call: raise_or_resolve's opened rows and its `within`
scope, resolve_for, the selectors that read flags, and the unit page's flag panel."""

import ast
import pathlib

import pytest
from django.db import IntegrityError
from django.urls import reverse

from compliance import selectors, services
from compliance.models import Flag
from compliance.rules import RULES
from organisation.models import Person, Unit
from tests.factories import PersonFactory, UnitFactory

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def units(db):
    """A förvaltning and three units below it; the last has a sub-unit."""
    root = UnitFactory(name="Kulturförvaltningen")
    a, b, c = (UnitFactory(name=name, parent=root) for name in ("Arkivet", "Biblioteket", "Café"))
    below_c = UnitFactory(name="Caféets kök", parent=c)
    manager = PersonFactory(unit=a)
    a.manager = manager
    a.save()
    return {"root": root, "a": a, "b": b, "c": c, "below_c": below_c, "manager": manager}


def _raise(rule_id, *units, within=None):
    """raise_or_resolve with `units` as the set that breaks the rule."""
    return services.raise_or_resolve(
        rule_id=rule_id,
        breaking=Unit.objects.filter(pk__in=[unit.pk for unit in units]),
        unit_field="pk",
        responsible_field="manager_id",
        within=within,
    )


def _open(rule_id):
    return set(
        Flag.objects.filter(rule=rule_id, resolved_at__isnull=True).values_list(
            "object_id", flat=True
        )
    )


# --- raise_or_resolve ----------------------------------------------------------------------


def test_raise_or_resolve_returns_the_saved_rows_it_opened(units):
    result = _raise("ORG-3", units["a"], units["b"])
    assert (result.opened, result.resolved) == (2, 0)
    assert all(flag.pk is not None for flag in result.new_flags)
    saved = {flag.pk: flag for flag in Flag.objects.filter(rule="ORG-3")}
    assert {flag.pk for flag in result.new_flags} == set(saved)
    flag_a = next(flag for flag in result.new_flags if flag.object_id == units["a"].pk)
    assert (flag_a.rule, flag_a.unit_id, flag_a.responsible_id) == (
        "ORG-3",
        units["a"].pk,
        units["manager"].pk,
    )

    # The next run opens one more: only that one is reported; the others stay as they are.
    again = _raise("ORG-3", units["a"], units["b"], units["c"])
    assert [(flag.object_id, flag.rule) for flag in again.new_flags] == [(units["c"].pk, "ORG-3")]
    assert _raise("ORG-3", units["a"], units["b"], units["c"]).new_flags == ()


def test_sweep_results_add_counts_and_opened_rows(units):
    total = _raise("ORG-2", units["a"]) + _raise("ORG-3", units["b"], units["c"])
    assert (total.opened, total.resolved, total.changed) == (3, 0, 3)
    assert sorted((flag.rule, flag.object_id) for flag in total.new_flags) == sorted(
        [("ORG-2", units["a"].pk), ("ORG-3", units["b"].pk), ("ORG-3", units["c"].pk)]
    )
    closed = _raise("ORG-2") + _raise("ORG-3", units["b"])
    assert (closed.opened, closed.resolved, closed.new_flags) == (0, 2, ())


def test_raise_or_resolve_within_leaves_flags_outside_the_scope_alone(units):
    _raise("ORG-3", units["a"], units["b"])
    # Judging only c and b: b complies again and c breaks; a, outside, stays open although
    # it is not in the breaking set.
    result = _raise(
        "ORG-3", units["c"], within=Unit.objects.filter(pk__in=[units["b"].pk, units["c"].pk])
    )
    assert (result.opened, result.resolved) == (1, 1)
    assert [flag.object_id for flag in result.new_flags] == [units["c"].pk]
    assert _open("ORG-3") == {units["a"].pk, units["c"].pk}
    # A breaking object outside the scope is not opened either.
    nothing = _raise("ORG-3", units["below_c"], within=Unit.objects.filter(pk=units["b"].pk))
    assert nothing.changed == 0
    assert units["below_c"].pk not in _open("ORG-3")


def test_raise_or_resolve_within_must_be_of_the_breaking_model(units):
    with pytest.raises(ValueError):
        _raise("ORG-3", units["a"], within=Person.objects.all())


def test_a_flag_opened_concurrently_is_neither_doubled_nor_reported(units, monkeypatch):
    """Another sweep opened a's flag after this one read the open flags: the insert is
    refused by the unique constraint, this sweep reads again and opens only b."""
    concurrent = Flag.objects.create(
        rule="ORG-3", content_type_id=_unit_type(), object_id=units["a"].pk, unit=units["a"]
    )
    real = services._unflagged
    calls = []

    def stale_first(rule_id, content_type, *args):
        calls.append(rule_id)
        rows = real(rule_id, content_type, *args)
        if len(calls) == 1:
            rows.append(
                Flag(
                    rule=rule_id,
                    content_type=content_type,
                    object_id=units["a"].pk,
                    unit=units["a"],
                )
            )
        return rows

    monkeypatch.setattr(services, "_unflagged", stale_first)
    result = _raise("ORG-3", units["a"], units["b"])
    assert len(calls) == 2
    assert (result.opened, [flag.object_id for flag in result.new_flags]) == (1, [units["b"].pk])
    assert list(Flag.objects.filter(rule="ORG-3", object_id=units["a"].pk)) == [concurrent]
    assert _open("ORG-3") == {units["a"].pk, units["b"].pk}


def test_an_insert_refused_every_time_raises_and_opens_nothing(units, monkeypatch):
    Flag.objects.create(
        rule="ORG-3", content_type_id=_unit_type(), object_id=units["a"].pk, unit=units["a"]
    )
    real = services._unflagged

    def always_stale(rule_id, content_type, *args):
        return [
            *real(rule_id, content_type, *args),
            Flag(rule=rule_id, content_type=content_type, object_id=units["a"].pk, unit=units["a"]),
        ]

    monkeypatch.setattr(services, "_unflagged", always_stale)
    with pytest.raises(IntegrityError):
        _raise("ORG-3", units["a"], units["b"])
    assert _open("ORG-3") == {units["a"].pk}


def _unit_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Unit).pk


# --- resolve_for ---------------------------------------------------------------------------


def test_resolve_for_closes_only_the_objects_given_rules(units):
    _raise("ORG-2", units["a"], units["b"])
    _raise("ORG-3", units["a"], units["b"])
    before = Flag.objects.get(rule="ORG-3", object_id=units["a"].pk)

    result = services.resolve_for(units["a"], ["ORG-3"])

    assert (result.resolved, result.opened, result.new_flags) == (1, 0, ())
    assert _open("ORG-3") == {units["b"].pk}  # another object's flag of the rule stays
    assert _open("ORG-2") == {units["a"].pk, units["b"].pk}  # a's other rule stays
    closed = Flag.objects.get(pk=before.pk)  # the same row, kept: the record of the breach
    assert closed.resolved_at is not None and closed.opened_at == before.opened_at
    # Twice changes nothing; the next sweep that still sees a breaking opens a new flag.
    assert services.resolve_for(units["a"], ["ORG-3"]).resolved == 0
    assert Flag.objects.get(pk=before.pk).resolved_at == closed.resolved_at


def test_resolve_for_takes_one_rule_id_or_several_and_refuses_unknown_ones(units):
    _raise("ORG-2", units["a"])
    _raise("ORG-3", units["a"])
    assert services.resolve_for(units["a"], "ORG-2").resolved == 1
    assert services.resolve_for(units["a"], []).resolved == 0
    assert _open("ORG-3") == {units["a"].pk}
    with pytest.raises(LookupError):
        services.resolve_for(units["a"], ["NOPE-1"])
    assert services.resolve_for(units["a"], ("ORG-2", "ORG-3")).resolved == 1
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_resolve_for_tells_objects_of_different_models_apart(units):
    """A Person and a Unit may share a primary key: each has its own flags."""
    person = units["manager"]
    Flag.objects.create(
        rule="ORG-3", content_type_id=_unit_type(), object_id=person.pk, unit=units["a"]
    )
    assert services.resolve_for(person, ["ORG-3"]).resolved == 0
    assert _open("ORG-3") == {person.pk}


def test_discard_flags_under_deletes_only_that_subtree(units):
    _raise("ORG-2", units["a"], units["c"], units["below_c"])
    _raise("ORG-3", units["c"], units["below_c"])
    _raise("ORG-3")  # closed flags go too
    _raise("ORG-2", units["a"], units["c"])
    assert services.discard_flags_under(units["c"], rules=["ORG-3"]) == 2
    assert services.discard_flags_under(units["c"]) == 2
    assert sorted(Flag.objects.values_list("rule", "object_id")) == [("ORG-2", units["a"].pk)]


# --- The selectors -------------------------------------------------------------------------


def test_selectors_read_open_flags_per_object_unit_and_rule(units, django_assert_num_queries):
    _raise("ORG-2", units["a"], units["c"])
    _raise("ORG-3", units["a"], units["b"], units["below_c"])
    services.resolve_for(units["b"], ["ORG-3"])
    ids = [units[name].pk for name in ("a", "b", "c")]
    with django_assert_num_queries(1):
        by_object = selectors.open_rules_of(Unit, ids)
    assert by_object == {units["a"].pk: ["ORG-2", "ORG-3"], units["c"].pk: ["ORG-2"]}
    assert selectors.open_rules_for(units["a"]) == ["ORG-2", "ORG-3"]
    assert selectors.open_rules_for(units["b"]) == []
    assert selectors.open_rules_of(Person, ids) == {}
    assert [f.rule for f in selectors.open_flags_of_unit(units["a"])] == ["ORG-2", "ORG-3"]
    assert list(selectors.open_flags_of_unit(units["b"])) == []
    assert selectors.open_flag_counts() == {"ORG-2": 2, "ORG-3": 2}
    assert selectors.open_flag_counts(under=units["c"]) == {"ORG-2": 1, "ORG-3": 1}
    assert selectors.open_flag_counts(units=[units["a"], units["b"]]) == {"ORG-2": 1, "ORG-3": 1}
    assert selectors.open_flag_counts(model=Person) == {}


# --- The unit page (organisation, below compliance) ----------------------------------------


def test_the_unit_page_shows_the_units_own_open_flags(matrix_client, world):
    services.raise_or_resolve(
        rule_id="ORG-3",
        breaking=Unit.objects.filter(pk=world.grupp.pk),
        unit_field="pk",
        responsible_field="manager_id",
    )
    services.raise_or_resolve(
        rule_id="ORG-2",
        breaking=Unit.objects.filter(pk=world.hemtjanst.pk),
        unit_field="pk",
        responsible_field="manager_id",
    )
    page = matrix_client("employee").get(reverse("organisation:unit_detail", args=[world.grupp.pk]))
    body = page.content.decode()
    # The requirements in words (19.6).
    org_3, org_2 = str(RULES["ORG-3"].title), str(RULES["ORG-2"].title)
    assert org_3 in body and org_2 not in body
    services.resolve_for(world.grupp, ["ORG-3"])
    page = matrix_client("employee").get(reverse("organisation:unit_detail", args=[world.grupp.pk]))
    assert org_3 not in page.content.decode()


# --- The layers ----------------------------------------------------------------------------

ABOVE_COMPLIANCE = {
    "subscriptions",
    "absence",
    "voicemail",
    "costs",
    "devices",
    "review",
    "service",
    "pbx",
    "directory",
    "demo",
    "bench",
    "telefoni",
}


def _imported_apps(app):
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found |= {(alias.name.split(".")[0], path.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((node.module.split(".")[0], path.name))
    return found


def test_compliance_imports_nothing_above_it():
    assert {(app, f) for app, f in _imported_apps("compliance") if app in ABOVE_COMPLIANCE} == set()


def test_organisation_imports_no_compliance_nor_anything_above():
    above = ABOVE_COMPLIANCE | {"compliance"}
    assert {(app, f) for app, f in _imported_apps("organisation") if app in above} == set()
    templates = (ROOT / "organisation" / "templates").rglob("*.html")
    assert [t.name for t in templates if "compliance" in t.read_text()] == []
