"""Two managers deciding the same row at the same moment, on PostgreSQL with real
connections: one decision wins, the other is reported as a conflict, nothing is lost."""

import threading

import pytest
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
    """Both saw version 0 of Anna's row and submit the whole review; the other rows are
    saved by whoever comes first, Anna's row by one of them and reported to the other."""
    anna = hemtjanst_review.items.get(subscription=phones["anna"])
    barrier = threading.Barrier(2)
    outcomes = {}

    def submit(user, decision):
        try:
            barrier.wait(timeout=10)
            rows = [services.RowDecision(item_id=anna.pk, decision=decision, note="", version=0)]
            result = services.review_decide(actor=user, unit_review=hemtjanst_review, rows=rows)
            outcomes[decision] = (
                [i.pk for i in result.saved],
                [(i.pk, i.decision) for i in result.conflicts],
            )
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(user, decision))
        for user, decision in zip(two_managers, ("keep", "cancel"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winner = next(d for d, (saved, _) in outcomes.items() if saved == [anna.pk])
    loser = "cancel" if winner == "keep" else "keep"
    assert outcomes[loser] == ([], [(anna.pk, winner)]), outcomes
    saved = ReviewItem.objects.get(pk=anna.pk)
    assert (saved.decision, saved.version) == (winner, 1)
    assert saved.history.count() == 2
