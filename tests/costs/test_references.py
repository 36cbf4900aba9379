"""A usage row names an existing subscription and cost centre, whoever writes it.

Both references are foreign-key constraints in the database, on PostgreSQL and on SQLite
(costs migration 0007). Django makes them deferrable, checked when the transaction
commits, so these tests run in autocommit mode (transactional_db): each raw statement,
past the ORM, is its own transaction and the database refuses it at once.
"""

import pytest
from django.db import IntegrityError, connection
from django.db.models import ProtectedError

from costs.importer import load_usage
from costs.models import UsageRecord
from tests.costs.conftest import csv_file, row, usage
from tests.factories import CostCentreFactory

INSERT = (
    "INSERT INTO costs_usagerecord (subscription_id, cost_centre_id, period, month, "
    "subscription_fee, domestic, mobile, international, premium, directory, data, roaming, "
    "private_share, total, traffic, explanation) "
    "VALUES (%s, %s, '2026-10-01', 24321, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')"
)


def _foreign_keys():
    """costs_usagerecord's foreign keys in the database: column -> (name, referenced table)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "costs_usagerecord")
    return {
        info["columns"][0]: (name, info["foreign_key"][0])
        for name, info in constraints.items()
        if info["foreign_key"]
    }


def _refused(column, sql, params):
    """The statement fails on the foreign key of costs_usagerecord.<column>."""
    with pytest.raises(IntegrityError) as caught, connection.cursor() as cursor:
        cursor.execute(sql, params)
    if connection.vendor == "postgresql":
        cause = caught.value.__cause__
        assert cause.pgcode == "23503"  # foreign_key_violation
        assert cause.diag.constraint_name == _foreign_keys()[column][0]
    else:  # SQLite names no constraint
        assert "FOREIGN KEY constraint failed" in str(caught.value)


def test_both_references_are_foreign_keys_in_the_database(db):
    keys = _foreign_keys()
    assert keys["subscription_id"][1] == "subscriptions_subscription"
    assert keys["cost_centre_id"][1] == "costs_costcentre"


def test_raw_sql_cannot_write_a_usage_row_naming_a_missing_subscription_or_cost_centre(
    transactional_db, phones
):
    anna = phones.anna
    _refused("subscription_id", INSERT, [999_999, anna.cost_centre_id])
    _refused("cost_centre_id", INSERT, [anna.pk, 999_999])
    assert not UsageRecord.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [anna.pk, anna.cost_centre_id])  # both exist: written
    record = UsageRecord.objects.get(subscription=anna)
    update = "UPDATE costs_usagerecord SET {} = 999999 WHERE id = %s"
    _refused("subscription_id", update.format("subscription_id"), [record.pk])
    _refused("cost_centre_id", update.format("cost_centre_id"), [record.pk])
    record.refresh_from_db()
    assert (record.subscription_id, record.cost_centre_id) == (anna.pk, anna.cost_centre_id)


def test_raw_sql_cannot_delete_or_renumber_what_a_usage_row_names(transactional_db, phones):
    anna = phones.anna
    # Booked to a cost centre that nothing else names (the phone has moved since).
    booked = CostCentreFactory(code="9100", name="Flyttat")
    UsageRecord.objects.filter(pk=usage(anna, "2026-10").pk).update(cost_centre=booked)
    _refused("subscription_id", "DELETE FROM subscriptions_subscription WHERE id = %s", [anna.pk])
    _refused("cost_centre_id", "DELETE FROM costs_costcentre WHERE id = %s", [booked.pk])
    renumber = "UPDATE {} SET id = 999999 WHERE id = %s"
    _refused("subscription_id", renumber.format("subscriptions_subscription"), [anna.pk])
    _refused("cost_centre_id", renumber.format("costs_costcentre"), [booked.pk])
    record = UsageRecord.objects.get()
    assert (record.subscription_id, record.cost_centre_id) == (anna.pk, booked.pk)
    # What no usage row names can still go.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM subscriptions_subscription WHERE id = %s", [phones.bo.pk])
        assert cursor.rowcount == 1


def test_an_import_commits_its_rows_past_the_constraints_and_replaces_them(
    transactional_db, phones
):
    content = csv_file(row("070-123 45 67", "2026-10"), row("070-765 43 21", "2026-10"))
    load_usage(content=content)  # committed: the deferred checks ran
    load_usage(content=content)  # the upsert's UPDATE
    assert set(UsageRecord.objects.values_list("subscription", "cost_centre")) == {
        (phones.anna.pk, phones.anna.cost_centre_id),
        (phones.bo.pk, phones.bo.cost_centre_id),
    }


def test_the_orm_refuses_to_delete_a_subscription_or_cost_centre_with_costs(phones):
    usage(phones.anna, "2026-10")
    with pytest.raises(ProtectedError):
        phones.anna.delete()
    with pytest.raises(ProtectedError):
        phones.anna.cost_centre.delete()
