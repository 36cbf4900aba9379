"""Telesök fixtures: phones for the `world` of tests/conftest.py, and a few people whose
names are known (the matrix people have random names)."""

from datetime import date
from types import SimpleNamespace

import pytest

from subscriptions.choices import Kind, Status, VoiceMessage
from tests.conftest import phone
from tests.factories import PersonFactory

FIXED_NAMES = {
    "colleague": ("Bo", "Ek"),
    "manager": ("Maj", "Falk"),
    "forvaltningschef": ("Gun", "Holm"),
    "budgetchef": ("Per", "Dahl"),
    "outsider": ("Lis", "Rydh"),
    "telesamordnare_other": ("Ulf", "Sved"),
    "telekundtjanst": ("Kim", "Wall"),
    "kundtjanst": ("Eva", "Tell"),
    "ksordforande": ("Leif", "Krantz"),
    "admin": ("Jon", "Ström"),
}


@pytest.fixture
def phones(world):
    """Anna Östlund (employee) at +46 19 21 10 00, extension 1100, and a mobile; others
    chosen to test ranking, protection and cancellation."""
    people = world.people
    # The matrix people have random names; give them known ones that no query here
    # matches by accident.
    for role, (first_name, last_name) in FIXED_NAMES.items():
        people[role].first_name, people[role].last_name = first_name, last_name
        people[role].save()
    anna = people["employee"]
    johanna = PersonFactory(unit=world.bibliotek, first_name="Johanna", last_name="Lind")
    karl = PersonFactory(
        unit=world.bibliotek, first_name="Karl", last_name="Berg", title="Bemanningsassistent"
    )
    olle = PersonFactory(unit=world.bibliotek, first_name="Olle", last_name="Ostberg")
    petra = PersonFactory(
        unit=world.grupp, first_name="Petra", last_name="Skyddad", protected_identity=True
    )
    ingrid = PersonFactory(unit=world.grupp, first_name="Ingrid", last_name="Inaktiv")
    ingrid.is_active = False
    ingrid.save()
    subs = SimpleNamespace(
        anna_fixed=phone(world, holder=anna, number="+4619211000", extension="1100"),
        anna_mobile=phone(world, holder=anna, number="+46701234567", kind=Kind.MOBILE),
        colleague=phone(world, holder=people["colleague"], number="+4619211001", extension="1101"),
        manager=phone(world, holder=people["manager"], number="+4619215500", extension="11001"),
        reception=phone(
            world,
            function_name="Receptionen",
            unit=world.hemtjanst,
            number="+4619212000",
            extension="2000",
        ),
        night=phone(
            world,
            function_name="Nattpatrullen",
            kind=Kind.GROUP,
            voice_message_to=VoiceMessage.KUNDTJANST,
            unit=world.grupp,
            number="+4619212001",
            extension="2001",
        ),
        petra=phone(world, holder=petra, number="+4619213000", extension="3000"),
        ingrid=phone(world, holder=ingrid, number="+4619214000", extension="4000"),
        cancelled=phone(
            world,
            holder=people["outsider"],
            number="+4619219999",
            extension="9999",
            status=Status.CANCELLED,
            cancelled_on=date(2026, 1, 1),
        ),
        blocked=phone(
            world,
            holder=olle,
            number="+4619216000",
            extension="6000",
            status=Status.BLOCKED,
        ),
    )
    return SimpleNamespace(
        anna=anna,
        johanna=johanna,
        karl=karl,
        olle=olle,
        petra=petra,
        ingrid=ingrid,
        subs=subs,
    )
