"""What every seed step shares: the tally of what a run changed, and the idempotent
comparison a row is saved by."""

import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta


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


def fixed_day(key, start, span):
    """A fixed date in [start, start + span) chosen by `key`: same key, same date."""
    return start + timedelta(days=zlib.crc32(key.encode()) % span)


def set_changed(obj, values):
    """Set `values` on obj; True when any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
