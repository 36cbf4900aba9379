"""Shared parts of the benchmark commands (bench_review, bench_voicemail): a throwaway unit
tree and the timers. Benchmarks only; nothing in the application imports this."""

import time

from organisation.models import Unit, name_key


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
