"""Two managers deciding the same row at the same moment, on PostgreSQL with real
connections: one decision wins, the other gets the Swedish message, nothing is lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from review import services
from review.models import ReviewItem
from tests.services import require_postgresql


@pytest.fixture
def two_managers(transactional_db, world):
    require_postgresql()
    from common.roles import Role
    from tests.factories import person_with_user

    deputy = person_with_user(unit=world.vof, roles=[Role.ENHETSCHEF], title="Biträdande chef")
    world.vof.manager = deputy  # heads the förvaltning: an enhetschef above Hemtjänst Norr
    world.vof.save()
    return world.people["manager"].user, deputy.user


def test_concurrent_decisions_on_one_row_one_wins(two_managers, phones, hemtjanst_review):
    item = hemtjanst_review.items.get(subscription=phones["anna"])
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, decision):
        try:
            barrier.wait(timeout=10)
            services.item_decide(actor=user, item=item, decision=decision, version=0)
            outcomes[decision] = "saved"
        except ValidationError as exc:
            outcomes[decision] = (exc.code, " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(user, decision))
        for user, decision in zip(two_managers, ("keep", "cancel"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes.values())).count("saved") == 1, outcomes
    (refused,) = [v for v in outcomes.values() if v != "saved"]
    assert refused[0] == "stale"
    assert "Någon annan beslutade om det här abonnemanget nyss." in refused[1]
    saved = ReviewItem.objects.get(pk=item.pk)
    winner = next(d for d, v in outcomes.items() if v == "saved")
    assert (saved.decision, saved.version) == (winner, 1)
    assert saved.history.count() == 2
