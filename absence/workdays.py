"""Working days and hours (ABS-1): the holidays package's Swedish calendar, the unit's
working day (or the nearest unit above with one, else the guideline's).

`now()` is the clock every absence read and write uses, so a test can move it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from organisation.guideline import guideline
from organisation.models import Guideline, Unit


def now() -> datetime:
    return timezone.now()


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    """Public holidays, and midsommarafton, julafton and nyårsafton, which Swedish law on
    computing deadlines treats like Sundays (see ENVIRONMENT.md)."""
    public = holidays.SE(years=year, language="sv")
    de_facto = holidays.SE(years=year, language="sv", categories=("de_facto",))
    # holidays.SE lists every Sunday as a holiday; weekday() covers weekends anyway.
    return frozenset(public) | frozenset(de_facto)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (a deadline of "two working days" from a
    Thursday before Easter is the Tuesday after it)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


@dataclass(frozen=True)
class WorkingHours:
    starts: time
    ends: time

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working day `day` as aware datetimes (local time)."""
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(day, self.starts), tz),
            timezone.make_aware(datetime.combine(day, self.ends), tz),
        )


def default_hours(row: Guideline | None = None) -> WorkingHours:
    """The guideline's working day, for units that record none (`row`: the guideline row,
    if the caller has read it already)."""
    row = row or guideline()
    return WorkingHours(row.workday_starts, row.workday_ends)


def hours_from_path(path: str, units_with_hours: Mapping[str, WorkingHours]) -> WorkingHours:
    """The working hours for a unit path, given {path: WorkingHours} of units that record
    them: the deepest unit at or above wins, else the default."""
    best = None
    for unit_path in units_with_hours:
        if path.startswith(unit_path) and (best is None or len(unit_path) > len(best)):
            best = unit_path
    return units_with_hours[best] if best else default_hours()


def _unit_hours(starts: time | None, ends: time | None) -> WorkingHours:
    """The hours of a unit that records them: both are set when one is (the constraint
    unit_working_day_both_or_neither)."""
    assert starts is not None and ends is not None
    return WorkingHours(starts, ends)


def units_with_hours() -> dict[str, WorkingHours]:
    """{path: WorkingHours} of every unit that records its working day, and under "" (the
    prefix of every path) the default (two queries; the unit table is small)."""
    found = {
        path: _unit_hours(starts, ends)
        for path, starts, ends in Unit.objects.filter(workday_starts__isnull=False).values_list(
            "path", "workday_starts", "workday_ends"
        )
    }
    return {"": default_hours(), **found}


def working_hours(unit: Unit, *, default: WorkingHours | None = None) -> WorkingHours:
    """A unit's working day: its own, or the nearest unit above with one, else `default`
    (the guideline's when not given)."""
    ancestors = Unit.objects.filter(
        pk__in=unit.ancestor_ids(), workday_starts__isnull=False
    ).order_by("-depth")
    found = ancestors.values_list("workday_starts", "workday_ends").first()
    return _unit_hours(*found) if found else (default or default_hours())


def covers_a_working_day(
    starts_at: datetime, ends_at: datetime | None, hours: WorkingHours
) -> bool:
    """True when [starts_at, ends_at) holds a whole working day (ends_at None: open)."""
    day = timezone.localdate(starts_at)
    if not is_working_day(day) or hours.window(day)[0] < starts_at:
        day = next_working_day(day)
    begin, end = hours.window(day)
    return begin >= starts_at and (ends_at is None or end <= ends_at)
