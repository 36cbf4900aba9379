"""ABS-1 on PostgreSQL: the exclusion constraint refuses overlapping redirects of one
phone even past the service (two requests at once)."""

import pytest
from django.db import IntegrityError, transaction

from absence.choices import Reason, Status, Target
from absence.models import Redirect
from tests.conftest import local
from tests.services import require_postgresql


def _insert(phone, user, starts_at, ends_at, **kw):
    with transaction.atomic():
        values = {"reason": Reason.MEETING, "target": Target.KUNDTJANST} | kw
        return Redirect.objects.create(
            subscription=phone, starts_at=starts_at, ends_at=ends_at, set_by=user, **values
        )


def test_abs_1_overlap_is_refused_by_the_exclusion_constraint(world, phones):
    require_postgresql()
    user = world.people["employee"].user
    _insert(phones.anna, user, local(2026, 12, 1, 9, 0), local(2026, 12, 1, 11, 0))
    with pytest.raises(IntegrityError):
        _insert(phones.anna, user, local(2026, 12, 1, 10, 0), local(2026, 12, 1, 12, 0))
    # Back to back, another phone, or a withdrawn one: all fine.
    _insert(phones.anna, user, local(2026, 12, 1, 11, 0), local(2026, 12, 1, 12, 0))
    _insert(phones.bo, user, local(2026, 12, 1, 10, 0), local(2026, 12, 1, 12, 0))
    _insert(
        phones.anna,
        user,
        local(2026, 12, 1, 9, 30),
        local(2026, 12, 1, 10, 30),
        status=Status.CANCELLED,
    )
    assert Redirect.objects.count() == 4


def test_abs_1_an_open_medflyttning_overlaps_everything_after_it(world, phones):
    require_postgresql()
    user = world.people["employee"].user
    with transaction.atomic():
        Redirect.objects.create(
            subscription=phones.anna,
            kind="medflyttning",
            starts_at=local(2026, 12, 1, 9, 0),
            target=Target.MOBILE,
            target_subscription=phones.anna_mobile,
            set_by=user,
        )
    with pytest.raises(IntegrityError):
        _insert(phones.anna, user, local(2027, 1, 1, 9, 0), local(2027, 1, 1, 10, 0))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"reason": ""}, id="hanvisning-without-reason"),
        pytest.param({"target": Target.EXTENSION}, id="extension-target-without-number"),
    ],
)
def test_database_checks_hold_on_both_databases(world, phones, fields):
    user = world.people["employee"].user
    with pytest.raises(IntegrityError):
        _insert(phones.anna, user, local(2026, 12, 1, 9, 0), local(2026, 12, 1, 10, 0), **fields)


def test_a_redirect_to_itself_is_refused_by_the_database(world, phones):
    with pytest.raises(IntegrityError):
        _insert(
            phones.anna,
            world.people["employee"].user,
            local(2026, 12, 1, 9, 0),
            local(2026, 12, 1, 10, 0),
            target=Target.EXTENSION,
            target_subscription=phones.anna,
        )
