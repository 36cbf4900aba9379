"""A usage row names an existing subscription and cost centre, whoever writes it.

On PostgreSQL statement-level triggers hold what the foreign-key constraints held (costs
migration 0006); these tests write and delete with raw SQL, past the ORM. On SQLite only
the ORM's PROTECT guards the rows (the last test).
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from costs.importer import load_usage
from costs.models import UsageRecord
from tests.costs.conftest import csv_file, row, usage

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)

INSERT = (
    "INSERT INTO costs_usagerecord (subscription_id, cost_centre_id, period, month, "
    "subscription_fee, domestic, mobile, international, premium, directory, data, roaming, "
    "private_share, total, traffic, explanation) "
    "VALUES (%s, %s, '2026-10-01', 24321, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')"
)


def _refused(sql, params=()):
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    assert caught.value.__cause__.pgcode == "23503"  # foreign_key_violation


@postgresql
def test_raw_sql_cannot_insert_a_usage_row_for_a_missing_subscription_or_cost_centre(phones):
    anna = phones.anna
    _refused(INSERT, [999_999, anna.cost_centre_id])
    _refused(INSERT, [anna.pk, 999_999])
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [anna.pk, anna.cost_centre_id])  # both exist: written
    assert UsageRecord.objects.filter(subscription=anna).count() == 1


@postgresql
def test_raw_sql_cannot_point_a_usage_row_at_a_missing_subscription(phones):
    record = usage(phones.anna, "2026-10")
    _refused("UPDATE costs_usagerecord SET subscription_id = 999999 WHERE id = %s", [record.pk])
    _refused("UPDATE costs_usagerecord SET cost_centre_id = 999999 WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.subscription_id == phones.anna.pk


@postgresql
def test_raw_sql_cannot_delete_or_renumber_what_a_usage_row_names(phones):
    anna = phones.anna
    usage(anna, "2026-10")
    _refused("DELETE FROM subscriptions_subscription WHERE id = %s", [anna.pk])
    _refused("DELETE FROM costs_costcentre WHERE id = %s", [anna.cost_centre_id])
    _refused("UPDATE subscriptions_subscription SET id = 999999 WHERE id = %s", [anna.pk])
    _refused("UPDATE costs_costcentre SET id = 999999 WHERE id = %s", [anna.cost_centre_id])
    # What no usage row names can still go.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM subscriptions_subscription WHERE id = %s", [phones.bo.pk])
        assert cursor.rowcount == 1


@postgresql
def test_an_import_still_writes_and_replaces_its_rows(phones):
    content = csv_file(row("070-123 45 67", "2026-10"), row("070-765 43 21", "2026-10"))
    load_usage(content=content)
    load_usage(content=content)  # the UPDATE path of the upsert runs the trigger too
    assert UsageRecord.objects.count() == 2


def test_the_orm_refuses_to_delete_a_subscription_or_cost_centre_with_costs(phones):
    usage(phones.anna, "2026-10")
    with pytest.raises(ProtectedError):
        phones.anna.delete()
    with pytest.raises(ProtectedError):
        phones.anna.cost_centre.delete()
