"""Hänvisning fixtures: phones for the `world` of tests/conftest.py and a clock.

The clock stands at Tuesday 1 December 2026, 11:30 in Stockholm (a working day) unless a
test moves it: `clock.set(datetime)`. Every absence read and write asks absence.workdays.now.
"""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from subscriptions.choices import Kind, Unanswered
from subscriptions.models import Subscription

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


class Clock:
    def __init__(self, monkeypatch, start):
        self.now = start
        monkeypatch.setattr("absence.workdays.now", lambda: self.now)

    def set(self, when):
        self.now = when


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, local(2026, 12, 1, 11, 30))


def phone(world, *, number, extension=None, holder=None, function_name="", kind=None, **kw):
    unit = kw.pop("unit", None) or holder.unit
    kind = kind or (Kind.FIXED if holder else Kind.FUNCTION)
    return Subscription.objects.create(
        kind=kind,
        number=number,
        extension=extension,
        holder=holder,
        function_name=function_name,
        unit=unit,
        cost_centre=world.cost_centre,
        **kw,
    )


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
