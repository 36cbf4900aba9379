"""A usage row's subscription and cost centre are real foreign keys again, on every database.

Migration 0006 replaced the two constraints with statement-level triggers on PostgreSQL
(and SQLite kept none) to bring the import within 2x of a raw COPY; that goal is
withdrawn. Here the triggers and their functions go (PostgreSQL), then the constraints
come back as Django makes them (DEFERRABLE INITIALLY DEFERRED on PostgreSQL; on SQLite
Django rebuilds the table with them). Adding them checks the rows already there.

The id sequence keeps handing out 1000 ids at a time (0006): that has nothing to do with
the triggers. Backwards, the constraints go first, then 0006's triggers come back.
"""

from importlib import import_module

from django.db import migrations, models

DROP = """
DROP TRIGGER IF EXISTS costs_usagerecord_named_deleted ON subscriptions_subscription;
DROP TRIGGER IF EXISTS costs_usagerecord_named_renumbered ON subscriptions_subscription;
DROP TRIGGER IF EXISTS costs_usagerecord_named_deleted ON costs_costcentre;
DROP TRIGGER IF EXISTS costs_usagerecord_named_renumbered ON costs_costcentre;
DROP TRIGGER IF EXISTS costs_usagerecord_references_inserted ON costs_usagerecord;
DROP TRIGGER IF EXISTS costs_usagerecord_references_updated ON costs_usagerecord;
DROP FUNCTION IF EXISTS costs_usagerecord_named_deleted();
DROP FUNCTION IF EXISTS costs_usagerecord_named_renumbered();
DROP FUNCTION IF EXISTS costs_usagerecord_references_exist();
"""


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("costs.migrations.0006_usage_record_set_based_references")
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("costs", "0008_cost_centre_in_organisation")]

    operations = [
        migrations.RunPython(drop_triggers, recreate_triggers),
        migrations.AlterField(
            model_name="usagerecord",
            name="cost_centre",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="usage_records",
                to="organisation.costcentre",
                verbose_name="cost centre",
            ),
        ),
        migrations.AlterField(
            model_name="usagerecord",
            name="subscription",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="usage_records",
                to="subscriptions.subscription",
                verbose_name="subscription",
            ),
        ),
    ]
