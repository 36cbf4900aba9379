"""Phones of the `world`, and operator files to import."""

from types import SimpleNamespace

import pytest

from subscriptions import services as subscription_services
from subscriptions.choices import Kind
from tests.factories import CostCentreFactory

HEADER = (
    "Nummer;Period;Månadsavgift;Samtal inom Sverige;Samtal till mobil;Utlandssamtal;"
    "Betalsamtal;Nummerupplysning;Data;Roaming;Privat andel"
)


def row(
    number,
    period,
    fee="100,00",
    domestic="0,00",
    premium="0,00",
    directory="0,00",
    data="0,00",
    roaming="0,00",
    private="0,00",
    mobile="0,00",
    international="0,00",
):
    cells = [
        number,
        period,
        fee,
        domestic,
        mobile,
        international,
        premium,
        directory,
        data,
        roaming,
        private,
    ]
    return ";".join(cells)


def csv_file(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def phones(world, desk):
    def make(**fields):
        return subscription_services.subscription_create(
            actor=desk, unit=world.grupp, cost_centre=world.cost_centre, **fields
        )

    other_centre = CostCentreFactory(
        code="7200",
        name="Stadsbiblioteket",
        unit=world.bibliotek,
        budget_manager=world.people["outsider"],
    )
    return SimpleNamespace(
        fixed=make(
            kind=Kind.FIXED, number="+4619211000", extension="1000", holder=world.people["employee"]
        ),
        anna=make(kind=Kind.MOBILE, number="+46701234567", holder=world.people["employee"]),
        bo=make(kind=Kind.MOBILE, number="+46707654321", holder=world.people["colleague"]),
        library=subscription_services.subscription_create(
            actor=desk,
            unit=world.bibliotek,
            cost_centre=other_centre,
            kind=Kind.MOBILE,
            number="+46709999999",
            holder=world.people["outsider"],
        ),
        other_centre=other_centre,
    )


def month_of(period):
    year, month = (int(part) for part in period.split("-"))
    return year * 12 + month - 1


def usage(subscription, period, **amounts):
    """A UsageRecord as an import would store it (for the sweep and view tests)."""
    from datetime import date
    from decimal import Decimal

    from costs.choices import COST_FIELDS, TRAFFIC_FIELDS
    from costs.models import UsageRecord

    values = {name: Decimal(str(value)) for name, value in amounts.items()}
    values.setdefault("subscription_fee", Decimal("100"))
    year, month = (int(part) for part in period.split("-"))
    return UsageRecord.objects.create(
        subscription=subscription,
        cost_centre=subscription.cost_centre,
        period=date(year, month, 1),
        month=month_of(period),
        total=sum((values.get(name, 0) for name in COST_FIELDS), Decimal(0)),
        traffic=sum((values.get(name, 0) for name in TRAFFIC_FIELDS), Decimal(0)),
        **values,
    )
