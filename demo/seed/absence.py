"""The demo's absence data (absence app): units' working day and phone hours, a few
hänvisningar and a trip abroad."""

from datetime import time, timedelta

from absence import selectors as absence_selectors
from absence import services as absence_services
from absence import workdays
from absence.models import Trip
from demo import data


def seed_absence(org):
    """ABS-1, ABS-6, SRV-1: units' working day and phone hours, a few hänvisningar and a
    trip abroad, through the absence services; nothing is added twice."""
    units, people = org.units, org.people
    for code, (starts, ends, phone_hours) in data.UNIT_HOURS.items():
        unit = units[code]
        wanted = (time.fromisoformat(starts), time.fromisoformat(ends), phone_hours)
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
