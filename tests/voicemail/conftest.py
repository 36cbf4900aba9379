"""Voicemail fixtures: phones and boxes for the `world` of tests/conftest.py.

The `clock` of tests/conftest.py (absence.workdays.now, which voicemail reads too) stands
here at Tuesday 1 December 2026, 07:00 in Stockholm, a working day; the previous working
day is Monday 30 November. `clock.set(datetime)` moves it."""

from types import SimpleNamespace

import pytest

from subscriptions.choices import Kind
from tests.conftest import local, phone
from voicemail import services
from voicemail.choices import BoxKind


@pytest.fixture
def clock(clock):
    """The clock of tests/conftest.py, set to 07:00."""
    clock.set(local(2026, 12, 1, 7, 0))
    return clock


@pytest.fixture
def phones(world, clock):
    people = world.people
    return SimpleNamespace(
        anna=phone(world, holder=people["employee"], number="+4619211000", extension="1100"),
        anna_mobile=phone(
            world, holder=people["employee"], number="+46705551100", kind=Kind.MOBILE
        ),
        bo=phone(world, holder=people["colleague"], number="+4619211001", extension="1101"),
        reception=phone(
            world,
            function_name="Receptionen",
            unit=world.hemtjanst,
            number="+4619212000",
            extension="2000",
        ),
        outsider=phone(world, holder=people["outsider"], number="+4619215000", extension="5000"),
    )


def make_box(world, subscription, kind=BoxKind.ROSTBREVLADA, *, on=True, holder=None, when=None):
    """A box approved by the employee's manager; `on`: greeting confirmed by `holder` (the
    phone's holder by default) and switched on at `when` (default: a week before the
    clock)."""
    manager = world.people["manager"].user
    box = services.box_approve(actor=manager, subscription=subscription, kind=kind)
    if on:
        person = holder or subscription.holder or world.people["manager"]
        services.box_confirm_greeting(
            actor=person.user, box=box, text="Telefontid 8–10" if kind == BoxKind.TALSVAR else ""
        )
        services.box_switch(actor=person.user, box=box, on=True)
        box.refresh_from_db()
        box.switched_on_at = when or local(2026, 11, 24, 9, 0)
        box.save(update_fields=["switched_on_at"])
    return box


@pytest.fixture
def boxes(world, phones):
    """Anna's röstbrevlåda on 1100 (on), her mobilsvar (on), the reception's talsvar (on)."""
    return SimpleNamespace(
        anna=make_box(world, phones.anna),
        mobile=make_box(world, phones.anna_mobile, BoxKind.MOBILSVAR),
        reception=make_box(world, phones.reception, BoxKind.TALSVAR),
    )
