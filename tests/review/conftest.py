"""The annual review on top of the `world` of tests/conftest.py.

Hemtjänst Norr (enhetschef "chef") reviews its own phones and those of Hemtjänst Norr
grupp 1 (no manager of its own); Kultur- och fritidsförvaltningen's förvaltningschef
reviews Stadsbiblioteket's phone. Cost centre 4100's budget manager is "budget"."""

from datetime import date

import pytest

from review import services
from review.models import UnitReview
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, VoiceMessage
from tests.factories import CostCentreFactory

YEAR = 2026


@pytest.fixture
def manager(world):
    return world.people["manager"].user


@pytest.fixture
def phones(world, desk):
    """Anna's fixed phone, Bo's mobile, Hemtjänst Norr's function phone and the
    outsider's phone in Stadsbiblioteket."""

    def create(**fields):
        return subscription_services.subscription_create(actor=desk, **fields)

    library_cc = CostCentreFactory(
        code="5100", unit=world.bibliotek, budget_manager=world.people["outsider"]
    )
    return {
        "anna": create(
            kind=Kind.FIXED,
            number="+4619211000",
            extension="1000",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        ),
        "bo": create(
            kind=Kind.MOBILE,
            number="+46701234567",
            holder=world.people["colleague"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        ),
        "reception": create(
            kind=Kind.FUNCTION,
            number="+4619211001",
            extension="1001",
            function_name="Receptionen Hemtjänst Norr",
            unit=world.hemtjanst,
            cost_centre=world.cost_centre,
            voice_message_to=VoiceMessage.KUNDTJANST,
        ),
        "library": create(
            kind=Kind.FIXED,
            number="+4619212000",
            extension="2000",
            holder=world.people["outsider"],
            unit=world.bibliotek,
            cost_centre=library_cc,
        ),
    }


@pytest.fixture
def review_round(phones, desk):
    return services.review_round_open(actor=desk, year=YEAR, deadline=date(2099, 3, 31))


@pytest.fixture
def hemtjanst_review(world, review_round):
    return UnitReview.objects.get(round=review_round, unit=world.hemtjanst)


@pytest.fixture
def item_of(hemtjanst_review):
    """item_of(subscription) -> its row in Hemtjänst Norr's review."""

    def get(subscription):
        return hemtjanst_review.items.get(subscription=subscription)

    return get


def decide(*, actor, item, decision, note="", version=None):
    """One row through services.review_decide, at the row's stored version unless
    `version` is given; returns the service's DecideResult."""
    row = services.RowDecision(
        item_id=item.pk,
        decision=decision,
        note=note,
        version=type(item).objects.get(pk=item.pk).version if version is None else version,
    )
    return services.review_decide(actor=actor, unit_review=item.unit_review, rows=[row])


@pytest.fixture
def decide_all(hemtjanst_review, manager):
    """Decide every row of Hemtjänst Norr's review at once (keep, unless told)."""

    def run(decision="keep"):
        rows = [
            services.RowDecision(item_id=item.pk, decision=decision, note="", version=item.version)
            for item in hemtjanst_review.items.all()
        ]
        return services.review_decide(actor=manager, unit_review=hemtjanst_review, rows=rows)

    return run
