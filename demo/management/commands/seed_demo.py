"""manage.py seed_demo: build the fictional municipality of demo/data.py.

Idempotent: units are found by code, people by external id ("demo-..."), cost centres by
code, subscriptions by number (among those not cancelled) and accounts by username, and a
row is saved only when one of its values differs, so a second run writes no row and no
history. It refuses to run with DEBUG off, because it creates accounts whose password is
"demo".
"""

import random
import time
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from compliance.selectors import open_flag_counts
from compliance.services import sweep_organisation_rules
from costs.models import CostCentre
from demo import data
from organisation.choices import PersonKind
from organisation.guideline import guideline
from organisation.models import Person, Unit, name_key
from subscriptions.choices import FUNCTION_KINDS, Kind, Status, VoiceMessage
from subscriptions.models import Subscription
from subscriptions.services import barring_defaults

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
# Compared on a second run. Status and barring are left as they are: a demo user may have
# blocked a phone or opened international calls (BAR-2), and the demo keeps that.
SUBSCRIPTION_FIELDS = (
    "kind",
    "voice_message_to",
    "extension",
    "holder_id",
    "function_name",
    "unit_id",
    "cost_centre_id",
)


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


@dataclass
class Tally:
    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    new_units: set = field(default_factory=set)  # codes created in this run

    def count(self, kind, *, created):
        (self.created if created else self.updated)[kind] += 1

    def add(self, kind, *, created=0, updated=0):
        self.created[kind] += created
        self.updated[kind] += updated


def walk(specs, parent=None):
    """(spec, parent spec) for every unit of the demo tree, parents first."""
    for spec in specs:
        yield spec, parent
        yield from walk(spec.children, spec)


def _ascii(text):
    """'Åsa Öberg-Lindé' -> 'asa oberg-linde' (for e-mail addresses)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))


def _day(key, start, span):
    """A fixed date in [start, start + span) chosen by `key`: same key, same date."""
    return start + timedelta(days=zlib.crc32(key.encode()) % span)


def cost_centre_code(unit_code):
    """A demo unit's cost centre: its unit code behind a 1 ("3210" -> "13210")."""
    return f"1{unit_code}"


def _set_changed(obj, values):
    """Set `values` on obj; True when any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


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
        budget = {}
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
        subtree = defaultdict(int)
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

        chosen = {}
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
        forvaltning_of, centre_of = {}, {}
        for spec, parent in self.tree:
            forvaltning_of[spec.code] = forvaltning_of[parent.code] if parent else spec.code
            # A unit without a cost centre of its own uses the nearest one above it.
            centre_of[spec.code] = (
                cost_centre_code(spec.code) if spec.cost_centre else centre_of[parent.code]
            )
        used = defaultdict(int)

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


def _seed_accounts(plan, tally):
    groups = {}
    for code in sorted({a.role for a in data.ACCOUNTS if a.role}):
        groups[code], created = Group.objects.get_or_create(name=code)
        if created:
            tally.count("groups", created=True)
    existing = {
        u.username: u
        for u in User.objects.filter(
            username__in=[a.username for a in data.ACCOUNTS]
        ).prefetch_related("groups")
    }
    # Hashing is slow on purpose (hundreds of ms), so the demo accounts share one hash of
    # "demo" and each distinct stored hash is checked once: a second run costs one check.
    verified, shared_hash = {}, None
    users = {}
    for account in data.ACCOUNTS:
        user = existing.get(account.username) or User(username=account.username)
        changed = _set_changed(
            user,
            {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": plan.by_id[f"demo-{account.username}"].email,
                "is_active": True,
                "is_staff": account.superuser,
                "is_superuser": account.superuser,
            },
        )
        if user.password not in verified:
            verified[user.password] = bool(user.password) and check_password(
                data.DEMO_PASSWORD, user.password
            )
        if not verified[user.password]:
            shared_hash = shared_hash or make_password(data.DEMO_PASSWORD)
            user.password = shared_hash
            changed = True
        is_new = user.pk is None
        if is_new or changed:
            user.save()
            tally.count("accounts", created=is_new)
        wanted = {groups[account.role]} if account.role else set()
        if is_new or set(user.groups.all()) != wanted:
            user.groups.set(wanted)
        users[account.username] = user
    return users


def _save_unit(unit):
    unit._change_reason = data.CHANGE_REASON
    unit.save()


def _seed_units(plan, tally):
    codes = [spec.code for spec, _ in plan.tree]
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    keys = {name_key(spec.name) for spec, _ in plan.tree}
    by_name = {(u.parent_id, u.name_key): u for u in Unit.objects.filter(name_key__in=keys)}
    units = {}
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
                _day(spec.code, date(2026, 1, 12), 240) if spec.reserve_plan else None
            ),
            "staff_trained_on": (
                _day(f"{spec.code}-training", date(2025, 9, 1), 360) if spec.trained else None
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
            if _set_changed(unit, values):
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
        elif _set_changed(person, values):
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
        elif _set_changed(centre, values):
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


def _seed_subscriptions(plan, units, people, tally):
    """Every demo person's phone and the function and group phones, each tied to the cost
    centre of its unit (SUB-1), with the BAR-1 barring defaults of subscription_create.

    In bulk, with simple-history rows, for speed: the rows are made as subscription_create
    makes them (barring_defaults(), the database checks the rest), and
    Subscription.objects' bulk paths fill the telesök search keys that save() would."""
    planned = plan.subscriptions
    numbers = [p.number for p in planned]
    current = Subscription.objects.exclude(status=Status.CANCELLED)
    existing = {s.number: s for s in current.filter(number__in=numbers)}
    taken = list(
        current.filter(extension__in=[p.extension for p in planned if p.extension])
        .exclude(number__in=numbers)
        .values_list("extension", "number")
    )
    if taken:
        extension, number = taken[0]
        raise CommandError(
            f"Extension {extension} belongs to the subscription {number}, which is not the "
            f"demo's; the demo needs it ({len(taken)} such extensions in all). Cancel those "
            "subscriptions or use a fresh database."
        )
    centres = dict(
        CostCentre.objects.filter(code__in={p.cost_centre_code for p in planned}).values_list(
            "code", "pk"
        )
    )
    defaults = barring_defaults()
    to_create, to_update = [], []
    for row in planned:
        values = {
            "kind": row.kind,
            "extension": row.extension,
            "holder_id": people[row.holder].pk if row.holder else None,
            "function_name": row.function_name,
            # ABS-4: every demo group phone's voice message points to Kundtjänst.
            "voice_message_to": VoiceMessage.KUNDTJANST if row.kind == Kind.GROUP else "",
            "unit_id": units[row.unit_code].pk,
            "cost_centre_id": centres[row.cost_centre_code],
        }
        subscription = existing.get(row.number)
        if subscription is None:
            to_create.append(
                Subscription(
                    number=row.number,
                    activated_on=_day(row.number, date(2015, 1, 1), 3650),
                    **defaults,
                    **values,
                )
            )
        elif _set_changed(subscription, values):
            to_update.append(subscription)
    if to_update:
        bulk_update_with_history(
            to_update,
            Subscription,
            fields=list(SUBSCRIPTION_FIELDS),
            batch_size=500,
            default_change_reason=data.CHANGE_REASON,
        )
    if to_create:
        bulk_create_with_history(
            to_create, Subscription, batch_size=500, default_change_reason=data.CHANGE_REASON
        )
    tally.add("subscriptions", created=len(to_create), updated=len(to_update))


def _seed_absence(units, people):
    """ABS-1, ABS-6, SRV-1: units' working day and phone hours, a few hänvisningar and a
    trip abroad, through the absence services; nothing is added twice."""
    from datetime import time as clock

    from absence import selectors as absence_selectors
    from absence import services as absence_services
    from absence import workdays
    from absence.models import Trip

    for code, (starts, ends, phone_hours) in data.UNIT_HOURS.items():
        unit = units[code]
        wanted = (clock.fromisoformat(starts), clock.fromisoformat(ends), phone_hours)
        if (unit.workday_starts, unit.workday_ends, unit.phone_hours) != wanted:
            absence_services.unit_set_hours(
                actor=None,
                unit=unit,
                workday_starts=wanted[0],
                workday_ends=wanted[1],
                phone_hours=phone_hours,
            )
    today = workdays.now().date()
    for external_id, reason, days, target in data.DEMO_REDIRECTS:
        person = people[external_id]
        if absence_selectors.redirects_of(person).exists():
            continue
        back = today
        for _ in range(days):
            back = workdays.next_working_day(back)
        hours = workdays.working_hours(person.unit)
        absence_services.redirect_create(
            actor=person.user,
            subscriptions=list(absence_selectors.phones_of(person)),
            reason=reason,
            ends_at=hours.window(back)[0],
            target=target,
            why=data.CHANGE_REASON,
        )
    external_id, destination, after, length = data.DEMO_TRIP
    person = people[external_id]
    phone = absence_selectors.phones_of(person).first()
    if phone is not None and not Trip.objects.filter(person=person).exists():
        starts_on = today + timedelta(days=after)
        absence_services.trip_register(
            actor=person.user,
            person=person,
            subscription=phone,
            destination=destination,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=length),
        )


def _seed_review(users):
    """REV-1: this year's annual review, open for the demo managers; a round that exists
    is left as it is (the managers' decisions stay)."""
    from django.utils import timezone

    from review.models import ReviewRound
    from review.services import review_round_open

    today = timezone.localdate()
    if not ReviewRound.objects.filter(year=today.year).exists():
        review_round_open(
            actor=users[data.DEMO_REVIEW_OPENED_BY],
            year=today.year,
            deadline=today + timedelta(days=data.DEMO_REVIEW_DEADLINE_DAYS),
        )


def _seed_devices(users):
    """DEV-1, DEV-2, DEV-3: the catalogue, the inventory of the demo units' mobile and MEX
    phones, and one mobile order waiting for approval; nothing is added twice."""
    from decimal import Decimal

    from devices import services as device_services
    from devices.choices import MobileReason, OrderKind
    from devices.models import CatalogueItem, Device, Order
    from devices.validators import luhn_valid

    desk = users["telekundtjanst"]
    for name, kind, price, orderable in data.DEMO_CATALOGUE:
        if not CatalogueItem.objects.filter(name=name).exists():
            device_services.catalogue_item_save(
                actor=desk,
                item=CatalogueItem(
                    name=name, kind=kind, price=Decimal(price), is_orderable=orderable
                ),
            )
    model = CatalogueItem.objects.get(name=data.DEMO_CATALOGUE[0][0])
    phones = Subscription.objects.filter(
        unit__code__in=data.DEMO_DEVICE_UNITS, kind__in=[Kind.MEX, Kind.MOBILE]
    ).select_related("holder", "unit", "cost_centre")
    for phone in phones:
        if Device.objects.filter(subscription=phone).exists():
            continue
        base = "35" + phone.number.lstrip("+")[-12:].rjust(12, "0")
        imei = next(base + d for d in "0123456789" if luhn_valid(base + d))
        device_services.device_create(
            actor=desk,
            reason=data.CHANGE_REASON,
            model=model,
            imei=imei,
            serial_number=f"R58{phone.number[-6:]}",
            theft_mark=f"SM-{phone.extension or phone.number[-4:]}",
            holder=phone.holder,
            unit=phone.unit,
            cost_centre=phone.cost_centre,
            subscription=phone,
        )
    tsam = users["telesamordnare"]
    unit = Unit.objects.get(code=data.DEMO_ORDER_UNIT)
    holder = Person.objects.filter(unit=unit, is_active=True, protected_identity=False).last()
    if not Order.objects.exists() and holder is not None:
        order = device_services.order_create(
            actor=tsam,
            unit=unit,
            cost_centre=holder.subscriptions.first().cost_centre,
            kind=OrderKind.SUBSCRIPTION,
            subscription_kind=Kind.MOBILE,
            holder=holder,
            reason=MobileReason.SAFETY,
            item=model,
            description="Nattpatrullen behöver nå larmcentralen.",
        )
        device_services.order_submit(actor=tsam, order=order)


def _seed_service(users):
    """SRV-2, SRV-3, SRV-4: a message Kundtjänst took for the demo employee (SMS, so no
    e-mail leaves), a phone note in a case and a threat report; nothing is added twice."""
    from absence import workdays
    from service import services as service_services
    from service.choices import Channel
    from service.models import Callback, PhoneNote, ThreatReport

    employee = getattr(users["anstalld"], "person", None)
    if employee is None:
        return
    if not Callback.objects.exists():
        service_services.callback_create(
            actor=users["kundtjanst"],
            recipient=employee,
            caller_name="Karin Medborgare",
            caller_phone="070-123 45 67",
            message="Undrar när beslutet om hemtjänst kommer. Nås bäst före lunch.",
            channel=Channel.SMS,
            passed_on_by_hand=True,
        )
    called = workdays.now() - timedelta(hours=1)
    if not PhoneNote.objects.exists():
        service_services.phone_note_create(
            actor=employee.user,
            received_at=called,
            caller="Sonen till den enskilde",
            summary="Berättar att modern inte längre klarar trappan och behöver mer hjälp.",
            case_number="VOF 2026/1234",
            unit=employee.unit,
        )
    if not ThreatReport.objects.exists():
        service_services.threat_report_create(
            actor=employee.user,
            reporter=employee,
            occurred_at=called,
            what_was_said="Om beslutet inte ändras kommer jag dit och då blir det bråk.",
            number_shown="Dolt nummer",
        )


def _seed_voicemail(users):
    """VM-1..VM-5: the demo employee's röstbrevlåda, approved by the demo enhetschef, with a
    confirmed greeting, switched on, and one registered message (a public record with a
    case number); a talsvar with the phone hours on a function phone of the same unit, if
    there is one. A phone that has a box is left as it is."""
    from absence import workdays
    from subscriptions.choices import Kind as PhoneKind
    from subscriptions.choices import Status as PhoneStatus
    from subscriptions.models import Subscription
    from voicemail import services as voicemail_services
    from voicemail.choices import BoxKind

    employee, manager = users["anstalld"], users["enhetschef"]
    person = getattr(employee, "person", None)
    if person is None:
        return
    phones = Subscription.objects.filter(status=PhoneStatus.ACTIVE, voicemail_box__isnull=True)
    phone = phones.filter(holder=person).exclude(kind=PhoneKind.MOBILE).order_by("pk").first()
    if phone is not None:
        box = voicemail_services.box_approve(
            actor=manager,
            subscription=phone,
            kind=BoxKind.ROSTBREVLADA,
            note="Arbetar mycket ute hos brukarna.",
        )
        voicemail_services.box_confirm_greeting(
            actor=employee, box=box, text="Jag lyssnar av meddelanden varje dag kl. 13."
        )
        box = voicemail_services.box_switch(actor=employee, box=box, on=True)
        voicemail_services.record_register(
            actor=employee,
            box=box,
            received_at=workdays.now() - timedelta(hours=20),
            caller="Anhörig, 070-765 43 21",
            summary="Frågar om ansökan om trygghetslarm har kommit in.",
            is_public_record=True,
            case_number="VOF 2026/2345",
        )
    function = phones.filter(holder__isnull=True, unit=person.unit).order_by("pk").first()
    if function is not None:
        box = voicemail_services.box_approve(
            actor=manager, subscription=function, kind=BoxKind.TALSVAR
        )
        voicemail_services.box_confirm_greeting(
            actor=manager, box=box, text="Telefontid måndag–fredag 8–10 och 13–15."
        )
        voicemail_services.box_switch(actor=manager, box=box, on=True)


def _seed_costs(users):
    """COST-1, COST-2, COST-3, COST-5, BAR-1, SUB-5: six months of the operator's usage for
    every demo phone, imported through the real import (costs.services.usage_import_run, which
    also sweeps), with one month far above normal (COST-2), roaming without a trip (COST-5), a
    premium-rate call (BAR-1) and a phone without traffic (SUB-5) among the demo budget
    manager's phones, and one itemised statement request waiting for Tele kundtjänst. A month
    that is already imported is not imported again."""
    from django.utils import timezone

    from costs import services as cost_services
    from costs.importer import HEADERS
    from costs.models import StatementRequest, UsageImport, UsageRecord

    months, today = 6, timezone.localdate()
    first_of_month = today.replace(day=1)
    periods = []
    for _ in range(months):
        first_of_month = (first_of_month - timedelta(days=1)).replace(day=1)
        periods.append(first_of_month)
    periods.reverse()
    latest = periods[-1]
    budget_person = users["budgetchef"].person
    own = list(
        Subscription.objects.filter(
            cost_centre__budget_manager=budget_person,
            status=Status.ACTIVE,
            kind__in=[Kind.MOBILE, Kind.MEX],
        )
        .exclude(holder__user__isnull=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
    # The budget manager's odd months: [COST-2 spike, COST-5 roaming, BAR-1, SUB-5 unused].
    odd = dict(zip(own[:4], ("spike", "roaming", "premium", "unused"), strict=False))
    if not UsageRecord.objects.filter(period=latest).exists():
        randomness = random.Random(f"{data.SEED}-costs")
        fees = {Kind.FIXED: 95, Kind.MEX: 189, Kind.MOBILE: 149}

        def kronor(value):
            return f"{value:.2f}".replace(".", ",")

        lines = [";".join(HEADERS.values())]
        phones = Subscription.objects.filter(status=Status.ACTIVE).order_by("number")
        for number, kind in phones.values_list("number", "kind"):
            mobile = kind in (Kind.MOBILE, Kind.MEX)
            for period in periods:
                domestic = randomness.uniform(15, 160)
                to_mobile = randomness.uniform(10, 140)
                data_cost = randomness.uniform(40, 220) if mobile else 0
                premium = roaming = 0
                role = odd.get(number)
                if role == "unused" and period >= periods[-3]:
                    domestic = to_mobile = data_cost = 0
                elif period == latest and role == "spike":
                    data_cost = 4_850
                elif period == latest and role == "roaming":
                    roaming = 560
                elif period == latest and role == "premium":
                    premium = 29
                lines.append(
                    ";".join(
                        [
                            number,
                            f"{period:%Y-%m}",
                            kronor(fees.get(kind, 95)),
                            kronor(domestic),
                            kronor(to_mobile),
                            "0,00",
                            kronor(premium),
                            "0,00",
                            kronor(data_cost),
                            kronor(roaming),
                            "0,00",
                        ]
                    )
                )
        usage_import = UsageImport.objects.create(
            file_name=f"demo-operatorsfil-{periods[0]:%Y-%m}-{latest:%Y-%m}.csv",
            content=("\n".join(lines) + "\n").encode(),
            uploaded_by=users["telekundtjanst"],
        )
        cost_services.usage_import_run(import_id=usage_import.pk)
    spike = next((number for number, role in odd.items() if role == "spike"), None)
    if spike and not StatementRequest.objects.filter(subscription__number=spike).exists():
        cost_services.statement_request_create(
            actor=users["budgetchef"],
            subscription=Subscription.objects.get(number=spike, status=Status.ACTIVE),
            period=latest,
            grounds="Datakostnaden är över tjugo gånger den vanliga; misstanke om obehörig "
            "användning av telefonen.",
        )


class Command(BaseCommand):
    help = (
        "Build the fictional demo municipality (förvaltningar, units, about 600 people, "
        "cost centres, their phones) and one sign-in per role with the password “demo”. "
        "Safe to run again: only what differs from the demo data is changed. Refuses "
        "without DEBUG."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DEBUG is off. The demo accounts' password is “demo”: "
            "never on a server that anyone else can reach.",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts whose password is “demo” and refuses to run with "
                "DEBUG off, so that they never reach production. Run it on a development "
                "database with DJANGO_DEBUG=1 (or pass --allow-without-debug if you are sure)."
            )
        started = time.monotonic()
        plan = DemoPlan(large_unit_min_staff=guideline().large_unit_min_staff)
        tally, sweep = Tally(), None
        try:
            with transaction.atomic():
                users = _seed_accounts(plan, tally)
                units = _seed_units(plan, tally)
                people = _seed_people(plan, units, users, tally)
                _seed_unit_roles(plan, units, people, tally)
                _seed_cost_centres(plan, units, people, tally)
                _seed_subscriptions(plan, units, people, tally)
                _seed_absence(units, people)
                _seed_review(users)
                _seed_devices(users)
                _seed_costs(users)
                _seed_service(users)
                _seed_voicemail(users)
                # The sweep e-mails newly opened flags once this transaction commits.
                sweep = sweep_organisation_rules()
        except (OSError, SMTPException) as exc:
            if sweep is None:
                raise
            self.stderr.write(
                self.style.WARNING(
                    f"The demo is saved, but e-mailing the new flags failed ({exc}); the "
                    "hourly notify_pending_flags job retries. Set EMAIL_BACKEND="
                    "django.core.mail.backends.console.EmailBackend to see them here."
                )
            )
        self._report(plan, users, tally, sweep, time.monotonic() - started)

    def _report(self, plan, users, tally, sweep, seconds):
        units = Unit.objects.filter(code__in=[spec.code for spec, _ in plan.tree])
        people = Person.objects.filter(external_id__in=list(plan.by_id))
        centres = CostCentre.objects.filter(
            code__in=[cost_centre_code(c) for c in plan.budget_manager]
        )
        subscriptions = Subscription.objects.filter(
            number__in=[p.number for p in plan.subscriptions]
        ).exclude(status=Status.CANCELLED)
        open_flags = open_flag_counts(units=units)
        changes = ", ".join(
            f"{kind} {tally.created[kind]} created / {tally.updated[kind]} updated"
            for kind in ("accounts", "units", "people", "cost centres", "subscriptions")
        )
        lines = [
            f"Demo municipality ready in {seconds:.1f} s: "
            f"{units.filter(parent__isnull=True).count()} förvaltningar, "
            f"{units.filter(parent__isnull=False).count()} units below them, "
            f"{people.count()} people ({people.filter(kind=PersonKind.ELECTED).count()} "
            f"elected, {people.filter(protected_identity=True).count()} with protected "
            f"identity), {centres.count()} cost centres, {subscriptions.count()} "
            f"subscriptions ({subscriptions.filter(kind__in=FUNCTION_KINDS).count()} function "
            "and group phones).",
            f"Changes: {changes}; telesamordnare changed in "
            f"{tally.updated['telesamordnare']} units.",
            f"Organisation sweep: {sweep.opened} flags opened, {sweep.resolved} resolved; "
            f"open now: ORG-2 {open_flags.get('ORG-2', 0)}, "
            f"ORG-3 {open_flags.get('ORG-3', 0)}.",
            "",
            "Demo accounts:",
            f"  {'username':<18}{'role':<18}{'password':<10}{'name':<20}unit",
        ]
        people_by_user = {
            p.user_id: p
            for p in Person.objects.filter(user__in=users.values()).select_related("unit")
        }
        for account in data.ACCOUNTS:
            person = people_by_user[users[account.username].pk]
            lines.append(
                f"  {account.username:<18}{account.role or '(none)':<18}"
                f"{data.DEMO_PASSWORD:<10}{person.full_name:<20}{person.unit}"
            )
        self.stdout.write("\n".join(lines))
