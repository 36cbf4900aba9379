"""A usage row's subscription and cost centre are checked once per statement, not per row.

A foreign-key constraint checks each inserted row on its own (at commit, as Django makes
them deferred): for the 1.2 million rows of a large import that was a third of its time
(bench_costs). On PostgreSQL the two constraints are replaced by triggers that hold the
same rules set-based:

- after each INSERT or UPDATE of costs_usagerecord, one statement-level trigger locks every
  subscription and cost centre that the written rows name FOR KEY SHARE (as a foreign key
  does: a concurrent delete waits for this transaction, then finds the rows) and raises
  foreign_key_violation (23503) if any of them does not exist;
- after each DELETE of subscriptions or cost centres, one statement-level trigger raises
  foreign_key_violation if usage rows name any deleted row (the deleted rows are locked
  by then, so a concurrent import waits, then finds them gone); before one gets another
  id, a row trigger refuses it likewise.

The id sequence also hands each session 1000 ids at a time instead of one (an import
takes a million; ids are then not in commit order across sessions, and a session's unused
ones are skipped, which nothing depends on).

TRUNCATE is not guarded (as for any trigger: it is left to the table's owner, and test
teardown truncates every table at once). SQLite (make run, `make test`) keeps no
constraint for these two columns: on_delete=PROTECT refuses deletes through the ORM, and
the import writes only rows it matched to a subscription.
"""

from django.db import migrations, models

CREATE = """
CREATE FUNCTION costs_usagerecord_references_exist() RETURNS trigger AS $$
DECLARE
    missing bigint;
BEGIN
    -- Each subscription and cost centre the written rows name, once: locked FOR KEY SHARE
    -- if it exists (then nobody can delete it until this transaction ends; one deleted
    -- meanwhile is skipped by the lock and so counts as missing).
    SELECT w.id INTO missing FROM (SELECT DISTINCT subscription_id AS id FROM written) AS w
        WHERE NOT EXISTS (
            SELECT FROM subscriptions_subscription s WHERE s.id = w.id FOR KEY SHARE
        )
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "costs_usagerecord": subscription % does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT w.id INTO missing FROM (SELECT DISTINCT cost_centre_id AS id FROM written) AS w
        WHERE NOT EXISTS (SELECT FROM costs_costcentre c WHERE c.id = w.id FOR KEY SHARE)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "costs_usagerecord": cost centre % does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER costs_usagerecord_references_inserted
    AFTER INSERT ON costs_usagerecord REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION costs_usagerecord_references_exist();
CREATE TRIGGER costs_usagerecord_references_updated
    AFTER UPDATE ON costs_usagerecord REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION costs_usagerecord_references_exist();

-- TG_ARGV[0]: the column of costs_usagerecord that names the deleted rows. Once per DELETE
-- statement (a row trigger made deleting 100 000 subscriptions 18 times slower).
CREATE FUNCTION costs_usagerecord_named_deleted() RETURNS trigger AS $$
DECLARE
    named bigint;
BEGIN
    EXECUTE format(
        'SELECT d.id FROM deleted d WHERE EXISTS '
        '(SELECT 1 FROM costs_usagerecord u WHERE u.%I = d.id) LIMIT 1', TG_ARGV[0]
    ) INTO named;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "%" refused: % is still named by costs_usagerecord', TG_TABLE_NAME, named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- TG_ARGV[0] as above; for a row whose id changes (which Telefoni never does).
CREATE FUNCTION costs_usagerecord_named_renumbered() RETURNS trigger AS $$
DECLARE
    named boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM costs_usagerecord WHERE %I = $1)', TG_ARGV[0])
        INTO named USING OLD.id;
    IF named THEN
        RAISE EXCEPTION 'update on table "%" refused: % is still named by costs_usagerecord', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER costs_usagerecord_named_deleted
    AFTER DELETE ON subscriptions_subscription REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION costs_usagerecord_named_deleted('subscription_id');
CREATE TRIGGER costs_usagerecord_named_renumbered
    BEFORE UPDATE OF id ON subscriptions_subscription
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION costs_usagerecord_named_renumbered('subscription_id');
CREATE TRIGGER costs_usagerecord_named_deleted
    AFTER DELETE ON costs_costcentre REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION costs_usagerecord_named_deleted('cost_centre_id');
CREATE TRIGGER costs_usagerecord_named_renumbered
    BEFORE UPDATE OF id ON costs_costcentre
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION costs_usagerecord_named_renumbered('cost_centre_id');

ALTER TABLE costs_usagerecord ALTER COLUMN id SET CACHE 1000;
"""

DROP = """
ALTER TABLE costs_usagerecord ALTER COLUMN id SET CACHE 1;
DROP TRIGGER IF EXISTS costs_usagerecord_named_deleted ON subscriptions_subscription;
DROP TRIGGER IF EXISTS costs_usagerecord_named_renumbered ON subscriptions_subscription;
DROP TRIGGER IF EXISTS costs_usagerecord_named_deleted ON costs_costcentre;
DROP TRIGGER IF EXISTS costs_usagerecord_named_renumbered ON costs_costcentre;
DROP FUNCTION IF EXISTS costs_usagerecord_named_deleted();
DROP FUNCTION IF EXISTS costs_usagerecord_named_renumbered();
DROP TRIGGER IF EXISTS costs_usagerecord_references_inserted ON costs_usagerecord;
DROP TRIGGER IF EXISTS costs_usagerecord_references_updated ON costs_usagerecord;
DROP FUNCTION IF EXISTS costs_usagerecord_references_exist();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("costs", "0005_usage_record_fewer_indexes")]

    operations = [
        migrations.AlterField(
            model_name="usagerecord",
            name="cost_centre",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="usage_records",
                to="costs.costcentre",
                verbose_name="cost centre",
            ),
        ),
        migrations.AlterField(
            model_name="usagerecord",
            name="subscription",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="usage_records",
                to="subscriptions.subscription",
                verbose_name="subscription",
            ),
        ),
        # Backwards, the triggers go first, then the constraints come back.
        migrations.RunPython(create, drop),
    ]
