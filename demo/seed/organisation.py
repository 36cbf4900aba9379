"""The demo's organisation: units (the förvaltning tree, found by code), people (by
external id "demo-..."), each unit's manager and telesamordnare, and the cost centres (by
code) with their budget managers.

Cost centres are seeded here, and this is the one seed module that names the CostCentre
model (subscriptions and the report reach it through cost_centres())."""

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.management.base import CommandError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from demo import data
from demo.seed.base import fixed_day, set_changed
from demo.seed.plan import cost_centre_code
from organisation.models import CostCentre, Person, Unit, name_key

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "unit_id",
    "email",
    "kind",
    "protected_identity",
    "is_active",
    "user_id",
)
COST_CENTRE_FIELDS = ("name", "unit_id", "budget_manager_id", "is_active")


@dataclass
class Organisation:
    units: dict  # unit code -> Unit
    people: dict  # external id -> Person


def seed_organisation(plan, users, tally):
    """Units, people, the units' managers and telesamordnare, and the cost centres, in
    that order (a manager must exist before a unit points to them)."""
    units = _seed_units(plan, tally)
    people = _seed_people(plan, units, users, tally)
    _seed_unit_roles(plan, units, people, tally)
    _seed_cost_centres(plan, units, people, tally)
    return Organisation(units=units, people=people)


def cost_centres(codes):
    """The cost centres of these codes (a queryset)."""
    return CostCentre.objects.filter(code__in=codes)


def _save_unit(unit):
    unit._change_reason = data.CHANGE_REASON
    unit.save()


def _seed_units(plan, tally):
    codes = [spec.code for spec, _ in plan.tree]
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    keys = {name_key(spec.name) for spec, _ in plan.tree}
    by_name = {(u.parent_id, u.name_key): u for u in Unit.objects.filter(name_key__in=keys)}
    units: dict[str, Unit] = {}
    for spec, parent_spec in plan.tree:
        parent = units[parent_spec.code] if parent_spec else None
        values = {
            "name": spec.name,
            "code": spec.code,
            "reserve_plan": (
                data.RESERVE_PLANS[zlib.crc32(spec.code.encode()) % len(data.RESERVE_PLANS)].format(
                    name=spec.name
                )
                if spec.reserve_plan
                else ""
            ),
            "reserve_plan_updated_on": (
                fixed_day(spec.code, date(2026, 1, 12), 240) if spec.reserve_plan else None
            ),
            "staff_trained_on": (
                fixed_day(f"{spec.code}-training", date(2025, 9, 1), 360) if spec.trained else None
            ),
        }
        # By code; else a unit of the same name made by hand earlier becomes the demo unit.
        unit = by_code.get(spec.code) or by_name.get(
            (parent.pk if parent else None, name_key(spec.name))
        )
        if unit is None:
            unit = Unit(parent=parent, **values)
            _save_unit(unit)
            tally.count("units", created=True)
            tally.new_units.add(spec.code)
        else:
            if unit.parent_id != (parent.pk if parent else None):
                raise CommandError(
                    f"Unit code {spec.code} belongs to “{unit}” elsewhere in the tree; "
                    "units do not move, so the demo cannot use it."
                )
            if set_changed(unit, values):
                _save_unit(unit)
                tally.count("units", created=False)
        units[spec.code] = unit
    return units


def _seed_people(plan, units, users, tally):
    existing = {
        p.external_id: p
        for p in Person.objects.filter(external_id__in=[p.external_id for p in plan.people])
    }
    to_create, to_update = [], []
    for row in plan.people:
        values = {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "title": row.title,
            "unit_id": units[row.unit_code].pk,
            "email": row.email,
            "kind": row.kind,
            "protected_identity": row.protected_identity,
            "is_active": True,
            "user_id": users[row.username].pk if row.username else None,
        }
        person = existing.get(row.external_id)
        if person is None:
            to_create.append(Person(external_id=row.external_id, **values))
        elif set_changed(person, values):
            to_update.append(person)
    if to_update:
        bulk_update_with_history(
            to_update,
            Person,
            fields=list(PERSON_FIELDS),
            batch_size=500,
            default_change_reason=data.CHANGE_REASON,
        )
    if to_create:
        created = bulk_create_with_history(
            to_create, Person, batch_size=500, default_change_reason=data.CHANGE_REASON
        )
        existing.update((p.external_id, p) for p in created)
    tally.add("people", created=len(to_create), updated=len(to_update))
    return existing


def _seed_unit_roles(plan, units, people, tally):
    """Managers (Unit.manager) and telesamordnare, once the people exist."""
    new_units = []
    for spec, _parent in plan.tree:
        unit = units[spec.code]
        manager_id = people[plan.manager[spec.code]].pk
        if unit.manager_id == manager_id:
            continue
        unit.manager_id = manager_id
        if spec.code in tally.new_units:
            new_units.append(unit)
        else:
            _save_unit(unit)
            tally.count("units", created=False)
    if new_units:
        # In bulk: half the time of a first run. Safe only for units made in this run,
        # because bulk history rows copy no telesamordnare and these have none yet.
        bulk_update_with_history(
            new_units, Unit, fields=["manager"], default_change_reason=data.CHANGE_REASON
        )
    current = defaultdict(set)
    for unit_id, person_id in Unit.telesamordnare.through.objects.filter(
        unit_id__in=[u.pk for u in units.values()]
    ).values_list("unit_id", "person_id"):
        current[unit_id].add(person_id)
    for code, external_ids in plan.telesamordnare.items():
        unit = units[code]
        wanted = {people[external_id].pk for external_id in external_ids}
        if current[unit.pk] != wanted:
            unit._change_reason = data.CHANGE_REASON
            unit.telesamordnare.set(wanted)
            tally.count("telesamordnare", created=False)


def _seed_cost_centres(plan, units, people, tally):
    codes = {unit_code: cost_centre_code(unit_code) for unit_code in plan.budget_manager}
    existing = {c.code: c for c in CostCentre.objects.filter(code__in=codes.values())}
    to_create, to_update = [], []
    for unit_code, code in codes.items():
        values = {
            "name": units[unit_code].name,
            "unit_id": units[unit_code].pk,
            "budget_manager_id": people[plan.budget_manager[unit_code]].pk,
            "is_active": True,
        }
        centre = existing.get(code)
        if centre is None:
            to_create.append(CostCentre(code=code, **values))
        elif set_changed(centre, values):
            to_update.append(centre)
    if to_update:
        bulk_update_with_history(
            to_update,
            CostCentre,
            fields=list(COST_CENTRE_FIELDS),
            default_change_reason=data.CHANGE_REASON,
        )
    if to_create:
        bulk_create_with_history(to_create, CostCentre, default_change_reason=data.CHANGE_REASON)
    tally.add("cost centres", created=len(to_create), updated=len(to_update))
