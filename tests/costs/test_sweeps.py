"""COST-2 (deviation from the normal level), BAR-1 (premium-rate and directory enquiry),
COST-5 (roaming outside a trip) and SUB-5 (no traffic): set-based sweeps that flag each
month once to the budget-responsible manager and resolve when explained or normal again."""

from datetime import date

import pytest
from django.core import mail

from absence.models import Trip
from compliance.models import Flag
from costs import selectors, services, tasks
from subscriptions.models import Subscription
from tests.costs.conftest import usage


def _open(rule):
    return list(
        Flag.objects.filter(rule=rule, resolved_at__isnull=True).values_list("object_id", flat=True)
    )


def _history(subscription, months=6, data=100):
    for month in range(1, months + 1):
        usage(subscription, f"2026-{month:02d}", data=data)


@pytest.fixture
def spike(phones):
    """Anna's mobile: six normal months (200 kr), then July at 2 100 kr."""
    _history(phones.anna)
    return usage(phones.anna, "2026-07", data=2000)


def test_cost_2_flags_a_month_far_above_its_median_once_to_the_budget_manager(
    world, spike, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.sweep_costs()
    assert _open("COST-2") == [spike.pk] and result.opened == 1
    flag = Flag.objects.get(rule="COST-2")
    assert flag.responsible == world.people["budgetchef"] and flag.unit == world.hemtjanst
    assert [m.to for m in mail.outbox] == [[world.people["budgetchef"].email]]
    assert "2 100,00 kr" in mail.outbox[0].subject + mail.outbox[0].body
    # Twice in a row: nothing changes, nobody is told again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_costs().changed == 0
    assert len(mail.outbox) == 1


def test_cost_2_resolves_when_the_manager_explains_it(world, spike):
    services.sweep_costs()
    services.usage_record_explain(
        actor=world.people["budgetchef"].user, record=spike, reason="Konferens i Oslo"
    )
    assert _open("COST-2") == []
    spike.refresh_from_db()
    assert spike.explanation == "Konferens i Oslo"


def test_explaining_a_month_closes_that_months_flags_only_and_sweeps_nothing(
    world, phones, spike, django_assert_max_num_queries
):
    """The request closes the explained month's COST-2 and BAR-1 at once; Bo's spike
    stays flagged, and a month that broke a rule since the last sweep is left for the
    next sweep (the explanation runs no municipality-wide sweep)."""
    _history(phones.bo)
    bo_spike = usage(phones.bo, "2026-07", data=2000)
    spike.premium = 29
    spike.save()
    services.sweep_costs()
    assert sorted(_open("COST-2")) == sorted([spike.pk, bo_spike.pk])
    assert _open("BAR-1") == [spike.pk]
    roaming = usage(phones.fixed, "2026-07", roaming=450)  # COST-5, not swept yet

    with django_assert_max_num_queries(6):
        services.usage_record_explain(
            actor=world.people["budgetchef"].user, record=spike, reason="Konferens i Oslo"
        )

    assert _open("COST-2") == [bo_spike.pk]
    assert _open("BAR-1") == []
    assert _open("COST-5") == []
    closed = Flag.objects.get(rule="COST-2", object_id=spike.pk)
    assert closed.resolved_at is not None
    # The next sweep agrees with the explanation and flags the roaming month.
    result = services.sweep_costs()
    assert (result.resolved, _open("COST-5")) == (0, [roaming.pk])
    assert _open("COST-2") == [bo_spike.pk]


def test_an_explanation_needs_a_reason_and_the_right_person(world, spike):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.usage_record_explain(
            actor=world.people["budgetchef"].user, record=spike, reason=" "
        )
    with pytest.raises(PermissionDenied):
        services.usage_record_explain(actor=world.people["employee"].user, record=spike, reason="x")


def test_cost_2_resolves_when_the_next_month_is_normal(phones, spike):
    services.sweep_costs()
    usage(phones.anna, "2026-08", data=100)
    services.sweep_costs()
    assert _open("COST-2") == []


def test_cost_2_ignores_small_amounts_and_short_histories(phones, set_guideline):
    _history(phones.anna, months=2)
    usage(phones.anna, "2026-03", data=5000)  # only two months of history
    _history(phones.bo, data=0)
    usage(phones.bo, "2026-07", data=300)  # 4x normal, but 400 kr is below the minimum
    services.sweep_costs()
    assert _open("COST-2") == []
    set_guideline(cost_deviation_min_sek=100)
    services.sweep_costs()
    assert len(_open("COST-2")) == 1


def test_bar_1_premium_rate_and_directory_enquiry_are_flagged(phones):
    premium = usage(phones.anna, "2026-10", premium=29)
    directory = usage(phones.bo, "2026-10", directory="15.90")
    usage(phones.fixed, "2026-10", domestic=40)
    services.sweep_costs()
    assert sorted(_open("BAR-1")) == sorted([premium.pk, directory.pk])
    assert "29,00 kr" in str(premium)


def test_cost_5_roaming_outside_a_registered_trip(world, phones):
    abroad = usage(phones.anna, "2026-10", roaming=450)
    on_trip = usage(phones.bo, "2026-10", roaming=300)
    Trip.objects.create(
        person=world.people["colleague"],
        subscription=phones.bo,
        destination="Berlin",
        starts_on=date(2026, 9, 28),
        ends_on=date(2026, 10, 3),
        registered_by=world.people["colleague"].user,
    )
    services.sweep_costs()
    assert _open("COST-5") == [abroad.pk]
    assert on_trip.pk not in _open("COST-5")


def test_sub_5_no_traffic_for_three_months_makes_a_cancellation_candidate(phones, set_guideline):
    for month in ("2026-08", "2026-09", "2026-10"):
        usage(phones.anna, month)  # only the fee: no traffic
        usage(phones.bo, month, domestic=12)
        usage(phones.fixed, month, domestic=1 if month == "2026-08" else 0)
    Subscription.objects.update(activated_on=date(2026, 1, 1))
    candidates = {row["pk"] for row in selectors.unused_subscription_ids()}
    assert phones.anna.pk in candidates and phones.bo.pk not in candidates
    assert phones.fixed.pk not in candidates  # traffic in August, inside the window
    assert phones.library.pk in candidates  # no traffic recorded at all
    services.sweep_costs()
    assert phones.anna.pk in _open("SUB-5")
    set_guideline(unused_months=4)  # only three months imported: nobody yet
    assert not selectors.unused_subscription_ids().exists()


def test_the_task_returns_what_changed(spike):
    assert tasks.sweep_costs() == 1
    assert tasks.sweep_costs() == 0
