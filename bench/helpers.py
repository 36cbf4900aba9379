"""Shared parts of the benchmark commands: the command shape of a benchmark that seeds
throwaway rows (SeededBench), a throwaway unit tree and the timers. Benchmarks only;
nothing in the application imports this."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisation.models import Person, Unit, name_key


class SeededBench(BaseCommand):
    """A benchmark that seeds --size throwaway rows under its own förvaltning (organisation
    code `bench_code`), reuses them when a run finds the same number seeded, and removes
    them with --clean. A subclass sets `bench_code`, `seeded` (what the rows are, for the
    messages) and `default_seed`, and implements seeded_count(root), clean() -> int,
    seed(size, rng) and measure(size=..., seed=..., **options); prepare() runs first."""

    bench_code = ""
    seeded = "subscriptions"
    default_seed = 20261128
    repeats = True  # a --repeat option (the best timed run is shown)

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=100_000, help=f"{self.seeded} to seed")
        if self.repeats:
            parser.add_argument("--repeat", type=int, default=3, help="timed runs (best is shown)")
        parser.add_argument("--seed", type=int, default=self.default_seed, help="random seed")
        parser.add_argument(
            "--clean", action="store_true", help="remove the benchmark data and stop"
        )

    def handle(self, *args, size, seed, clean, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        if not settings.DEBUG:
            raise CommandError(f"{name} writes throwaway data: run it with DJANGO_DEBUG=1.")
        if clean:
            removed = self.clean()
            self.stdout.write(f"Removed the benchmark data ({removed} {self.seeded}).")
            return
        if size < 10:
            raise CommandError("--size must be at least 10.")
        self.prepare()
        root = Unit.objects.filter(code=self.bench_code).first()
        existing = self.seeded_count(root) if root else 0
        if existing == size:
            self.stdout.write(f"Reusing the {size} benchmark {self.seeded} already seeded.")
        else:
            started = time.perf_counter()
            self.clean()
            self.seed(size, random.Random(seed))
            self.stdout.write(
                f"Seeded {size} {self.seeded} in {time.perf_counter() - started:.1f} s."
            )
        self.measure(size=size, seed=seed, **options)

    def prepare(self):
        """Anything the seeding and the measuring share (a fixed moment, say)."""

    def seeded_count(self, root):
        raise NotImplementedError

    def clean(self):
        raise NotImplementedError

    def seed(self, size, rng):
        raise NotImplementedError

    def measure(self, *, size, seed, **options):
        raise NotImplementedError


def bench_unit_tree(count, *, name, code, per_department=20):
    """A throwaway förvaltning `name` (organisation code `code`) with `count` units under
    departments of `per_department` each, paths set, in a few bulk statements. Returns
    (root, departments, units)."""
    root = Unit(name=name, name_key=name_key(name), code=code)
    Unit.objects.bulk_create([root])
    root.path, root.forvaltning_id = f"/{root.pk}/", root.pk
    Unit.objects.bulk_update([root], ["path", "forvaltning"])
    departments = [
        Unit(name=f"Avdelning {n + 1}", parent=root, forvaltning=root, depth=1)
        for n in range(max(1, count // per_department))
    ]
    for unit in departments:
        unit.name_key = name_key(unit.name)
    Unit.objects.bulk_create(departments, batch_size=1000)
    for unit in departments:
        unit.path = f"{root.path}{unit.pk}/"
    Unit.objects.bulk_update(departments, ["path"], batch_size=1000)
    units = [
        Unit(
            name=f"Enhet {n + 1}",
            parent=departments[n % len(departments)],
            forvaltning=root,
            depth=2,
        )
        for n in range(count)
    ]
    for unit in units:
        unit.name_key = name_key(unit.name)
    Unit.objects.bulk_create(units, batch_size=1000)
    for unit in units:
        assert unit.parent is not None  # every unit here is below the root
        unit.path = f"{unit.parent.path}{unit.pk}/"
    Unit.objects.bulk_update(units, ["path"], batch_size=1000)
    return root, departments, units


def best_of(repeat, function):
    """(best time in ms of `repeat` calls, the last result)."""
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def once(function):
    """(time in ms of one call, its result)."""
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def bench_people(units, count, **fields):
    """`count` throwaway people ("Bench Person n", Handläggare), spread over `units` in
    turn, bulk-created. Each keyword names a field and a function of n giving its value."""
    people = [
        Person(
            first_name="Bench",
            last_name=f"Person {n}",
            title="Handläggare",
            unit=units[n % len(units)],
            **{name: value(n) for name, value in fields.items()},
        )
        for n in range(count)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    return people
