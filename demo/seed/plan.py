"""The demo municipality of demo/data.py as plain data, computed without touching the
database: the unit tree, every person with their e-mail address, who manages each unit,
who holds each cost centre's budget, the telesamordnare and every subscription."""

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.core.management.base import CommandError

from demo import data
from organisation.choices import PersonKind
from subscriptions.choices import Kind


@dataclass
class PlannedPerson:
    external_id: str
    first_name: str
    last_name: str
    title: str
    unit_code: str
    kind: str = PersonKind.EMPLOYEE
    username: str | None = None
    protected_identity: bool = False
    email: str = ""


@dataclass
class PlannedSubscription:
    number: str
    kind: str
    extension: str | None
    unit_code: str
    cost_centre_code: str
    holder: str | None = None  # external id of the person, or None for a function phone
    function_name: str = ""


def walk(specs, parent=None):
    """(spec, parent spec) for every unit of the demo tree, parents first."""
    for spec in specs:
        yield spec, parent
        yield from walk(spec.children, spec)


def _ascii(text):
    """'Åsa Öberg-Lindé' -> 'asa oberg-linde' (for e-mail addresses)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))


def cost_centre_code(unit_code):
    """A demo unit's cost centre: its unit code behind a 1 ("3210" -> "13210")."""
    return f"1{unit_code}"


class DemoPlan:
    """The demo municipality as plain data, computed without touching the database."""

    def __init__(self, *, large_unit_min_staff):
        self.tree = list(walk(data.FORVALTNINGAR))
        self.parent_code = {spec.code: parent and parent.code for spec, parent in self.tree}
        managed_by = {code: a for a in data.ACCOUNTS for code in a.manages}
        self.people = self._people(managed_by)
        self.by_id = {p.external_id: p for p in self.people}
        self.manager = self._managers(managed_by)
        self.budget_manager = self._budget_managers()
        self._check_protected()
        self.telesamordnare = self._telesamordnare(large_unit_min_staff)
        self.subscriptions = self._subscriptions()

    def _people(self, managed_by):
        people = [
            PlannedPerson(
                external_id=f"demo-{a.username}",
                first_name=a.first_name,
                last_name=a.last_name,
                title=a.title,
                unit_code=a.unit,
                kind=a.kind,
                username=a.username,
            )
            for a in data.ACCOUNTS
        ]
        for spec, _parent in self.tree:
            own_manager = spec.code not in managed_by and not spec.manager_from_parent
            for n in range(spec.staff):
                external_id = f"demo-{spec.code}-{n + 1:02d}"
                if own_manager and n == 0:
                    title = spec.manager_title
                else:
                    title = spec.titles[(n - own_manager) % len(spec.titles)]
                # One generator per person: their name does not depend on anyone else's.
                rng = random.Random(f"{data.SEED}:{external_id}")
                people.append(
                    PlannedPerson(
                        external_id=external_id,
                        first_name=rng.choice(data.FIRST_NAMES),
                        last_name=rng.choice(data.LAST_NAMES),
                        title=title,
                        unit_code=spec.code,
                        kind=spec.kind,
                        protected_identity=external_id in data.PROTECTED_IDENTITY,
                    )
                )
        taken = set()
        for person in people:
            local = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}".replace(" ", "-")
            candidate, n = local, 1
            while candidate in taken:
                n += 1
                candidate = f"{local}{n}"
            taken.add(candidate)
            person.email = f"{candidate}@{data.DOMAIN}"
        return people

    def _managers(self, managed_by):
        managers = {}
        for spec, parent in self.tree:
            if spec.code in managed_by:
                managers[spec.code] = f"demo-{managed_by[spec.code].username}"
            elif spec.manager_from_parent:
                managers[spec.code] = managers[parent.code]
            else:
                managers[spec.code] = f"demo-{spec.code}-01"
        return managers

    def _budget_managers(self):
        budget: dict[str, str] = {}
        for spec, parent in self.tree:
            if spec.budget_from_parent:
                budget[spec.code] = budget[parent.code]
            else:
                budget[spec.code] = self.manager[spec.code]
        return {spec.code: budget[spec.code] for spec, _ in self.tree if spec.cost_centre}

    def _check_protected(self):
        managers = set(self.manager.values())
        wrong = sorted(
            external_id
            for external_id in data.PROTECTED_IDENTITY
            if external_id not in self.by_id or external_id in managers
        )
        if wrong:
            raise CommandError(
                f"data.PROTECTED_IDENTITY names people who are missing or managers: {wrong}"
            )

    def _telesamordnare(self, large_unit_min_staff):
        """Unit code -> external ids: every förvaltning and large unit gets one (the
        first suitable person in it), except where the data leaves a gap on purpose."""
        by_unit = defaultdict(list)
        for person in self.people:
            by_unit[person.unit_code].append(person)
        subtree: defaultdict[str, int] = defaultdict(int)
        for spec, _parent in reversed(self.tree):
            subtree[spec.code] += len(by_unit[spec.code])
            if self.parent_code[spec.code]:
                subtree[self.parent_code[spec.code]] += subtree[spec.code]
        children = defaultdict(list)
        for spec, parent in self.tree:
            children[parent and parent.code].append(spec.code)

        def people_below(code):
            yield from by_unit[code]
            for child in children[code]:
                yield from people_below(child)

        chosen: dict[str, list[str]] = {}
        for a in data.ACCOUNTS:
            for code in a.coordinates:
                chosen.setdefault(code, []).append(f"demo-{a.username}")
        busy = set(self.manager.values()) | {i for ids in chosen.values() for i in ids}
        for spec, parent in self.tree:
            if spec.code in chosen:  # a demo account coordinates it
                continue
            needs_one = parent is None or subtree[spec.code] >= large_unit_min_staff
            if not spec.telesamordnare or not needs_one:
                chosen[spec.code] = []
                continue
            person = next(
                (
                    p
                    for p in people_below(spec.code)
                    if p.username is None
                    and p.kind == PersonKind.EMPLOYEE
                    and not p.protected_identity
                    and p.external_id not in busy
                ),
                None,
            )
            # No one suitable (a unit of elected officials, say): ORG-2 will show it.
            chosen[spec.code] = [person.external_id] if person else []
            if person:
                busy.add(person.external_id)
        return chosen

    def _subscriptions(self):
        """One subscription per person and the function and group phones of
        data.FUNCTION_PHONES, numbered in their förvaltning's series (see data.py)."""
        spec_of = {spec.code: spec for spec, _parent in self.tree}
        forvaltning_of: dict[str, str] = {}
        centre_of: dict[str, str] = {}
        for spec, parent in self.tree:
            forvaltning_of[spec.code] = forvaltning_of[parent.code] if parent else spec.code
            # A unit without a cost centre of its own uses the nearest one above it.
            centre_of[spec.code] = (
                cost_centre_code(spec.code) if spec.cost_centre else centre_of[parent.code]
            )
        used: defaultdict[tuple[str, int], int] = defaultdict(int)

        def next_slot(unit_code, first, limit):
            """The next free four digits of the unit's förvaltning's series."""
            series = forvaltning_of[unit_code][0]
            slot = first + used[(series, first)]
            if slot >= limit:
                raise CommandError(f"The demo's number series {series}{first:03d}– is full.")
            used[(series, first)] += 1
            return f"{series}{slot:03d}"

        planned = []
        for phone in data.FUNCTION_PHONES:
            extension = next_slot(phone.unit, data.FIRST_FUNCTION_SLOT, data.FIRST_PERSON_SLOT)
            planned.append(
                PlannedSubscription(
                    number=data.FIXED_PREFIX + extension,
                    kind=phone.kind,
                    extension=extension,
                    unit_code=phone.unit,
                    cost_centre_code=centre_of[phone.unit],
                    function_name=phone.name,
                )
            )
        managers = set(self.manager.values())
        for person in self.people:
            slot = next_slot(person.unit_code, data.FIRST_PERSON_SLOT, 1000)
            kind = self._phone_kind(person, spec_of[person.unit_code], managers)
            mobile = kind == Kind.MOBILE
            planned.append(
                PlannedSubscription(
                    number=(data.MOBILE_PREFIX if mobile else data.FIXED_PREFIX) + slot,
                    kind=kind,
                    extension=None if mobile else slot,
                    unit_code=person.unit_code,
                    cost_centre_code=centre_of[person.unit_code],
                    holder=person.external_id,
                )
            )
        return planned

    @staticmethod
    def _phone_kind(person, spec, managers):
        """Managers MEX (SUB-2: reachable elsewhere), elected officials a mobile, the demo
        accounts MEX, staff on the move a mobile, office staff fixed or MEX."""
        if person.external_id in managers:
            return Kind.MEX
        if person.kind == PersonKind.ELECTED:
            return Kind.MOBILE
        if person.username:
            return Kind.MEX
        if spec.phones == "mobile":
            return Kind.MOBILE
        rng = random.Random(f"{data.SEED}:phone:{person.external_id}")
        return Kind.MEX if rng.random() < data.MEX_SHARE else Kind.FIXED
