"""Hänvisning fixtures: phones for the `world` of tests/conftest.py.

The `clock` of tests/conftest.py stands at Tuesday 1 December 2026, 11:30 in Stockholm (a
working day) unless a test moves it: `clock.set(datetime)`. Every absence read and write
asks absence.workdays.now.
"""

from types import SimpleNamespace

import pytest

from subscriptions.choices import Kind, Unanswered
from tests.conftest import phone


@pytest.fixture
def phones(world, clock):
    """Anna (employee) fixed 1100 and a mobile; Bo (colleague) 1101, voicemail for
    unanswered calls; the manager 1200; Hemtjänst Norr's reception 2000; the outsider."""
    people = world.people
    return SimpleNamespace(
        anna=phone(world, holder=people["employee"], number="+4619211000", extension="1100"),
        anna_mobile=phone(
            world, holder=people["employee"], number="+46705551100", kind=Kind.MOBILE
        ),
        bo=phone(
            world,
            holder=people["colleague"],
            number="+4619211001",
            extension="1101",
            unanswered_to=Unanswered.VOICEMAIL,
        ),
        manager=phone(world, holder=people["manager"], number="+4619211200", extension="1200"),
        reception=phone(
            world,
            function_name="Receptionen",
            unit=world.hemtjanst,
            number="+4619212000",
            extension="2000",
        ),
        outsider=phone(world, holder=people["outsider"], number="+4619215000", extension="5000"),
    )
