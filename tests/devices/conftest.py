"""Fixtures for devices: the access matrix plus the telesamordnare of the employee's own
förvaltning ("telesamordnare"), a catalogue, a mobile subscription and its phone."""

from decimal import Decimal

import pytest

from common.roles import Role
from devices import services
from devices.choices import ItemKind, MobileReason, OrderKind
from devices.models import CatalogueItem
from subscriptions import services as subscription_services
from subscriptions.choices import Kind
from tests.conftest import MATRIX, statuses
from tests.factories import person_with_user

ROLES = (*MATRIX, "telesamordnare")

# Luhn-valid test numbers.
IMEI = "490154203237518"
IMEI_2 = "356938035643809"
ICCID = "89460100001234567896"
ICCID_19 = "8946010000123456794"


def table(default, **overrides):
    """A role -> status table over the matrix and the own förvaltning's telesamordnare."""
    tsam = overrides.pop("telesamordnare", default)
    return statuses(default, **overrides) | {"telesamordnare": tsam}


@pytest.fixture
def tsam(world):
    person = person_with_user(
        unit=world.hemtjanst,
        roles=[Role.TELESAMORDNARE],
        username="tsam_vof",
        title="Telesamordnare",
    )
    world.vof.telesamordnare.add(person)
    world.people["telesamordnare"] = person
    return person


@pytest.fixture
def as_user(world, tsam, client):
    """as_user(name) -> the test client signed in as that role (or anonymous)."""

    def sign_in(name):
        assert name in ROLES, name
        client.logout()
        if name != "anonymous":
            client.force_login(world.people[name].user)
        return client

    return sign_in


@pytest.fixture
def items(db):
    return {
        "phone": CatalogueItem.objects.create(
            name="Mobil Standard", kind=ItemKind.PHONE, price=Decimal("2490.00")
        ),
        "accessory": CatalogueItem.objects.create(
            name="Headset", kind=ItemKind.ACCESSORY, price=Decimal("399.00")
        ),
        "old": CatalogueItem.objects.create(
            name="Gammal mobil", kind=ItemKind.PHONE, price=Decimal("990"), is_orderable=False
        ),
    }


@pytest.fixture
def mobile(world, desk):
    """Anna's mobile subscription."""
    return subscription_services.subscription_create(
        actor=desk,
        kind=Kind.MOBILE,
        number="+46701234567",
        holder=world.people["employee"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
    )


@pytest.fixture
def device(world, desk, items, mobile):
    """Anna's phone, on her mobile subscription."""
    return services.device_create(
        actor=desk,
        model=items["phone"],
        imei=IMEI,
        serial_number="SN-1",
        theft_mark="SM-001",
        holder=world.people["employee"],
        unit=world.grupp,
        cost_centre=world.cost_centre,
        subscription=mobile,
    )


@pytest.fixture
def function_phone(world, desk):
    return subscription_services.subscription_create(
        actor=desk,
        kind=Kind.FUNCTION,
        number="+4619211500",
        extension="1500",
        function_name="Receptionen",
        unit=world.hemtjanst,
        cost_centre=world.cost_centre,
    )


@pytest.fixture
def order(world, tsam, items):
    """Anna's mobile, ordered by her telesamordnare: waits for the enhetschef (SUB-2)."""
    return services.order_create(
        actor=tsam.user,
        unit=world.grupp,
        cost_centre=world.cost_centre,
        kind=OrderKind.SUBSCRIPTION,
        subscription_kind=Kind.MOBILE,
        holder=world.people["employee"],
        reason=MobileReason.REACHABLE,
        item=items["phone"],
    )
