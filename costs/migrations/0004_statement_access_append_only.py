"""COST-3: the itemised statements' access log is append-only in the database too.

On PostgreSQL a trigger refuses UPDATE and DELETE of costs_statementaccess, whoever runs
them (the ORM, raw SQL, psql). TRUNCATE is left to the table's owner (test teardown).
SQLite (make run, `make test`) relies on the model's save() and delete() guards: its
test runner empties tables with DELETE, which a trigger would refuse.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION costs_statementaccess_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'costs_statementaccess is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER costs_statementaccess_append_only
    BEFORE UPDATE OR DELETE ON costs_statementaccess
    FOR EACH ROW EXECUTE FUNCTION costs_statementaccess_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS costs_statementaccess_append_only ON costs_statementaccess;
DROP FUNCTION IF EXISTS costs_statementaccess_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("costs", "0003_statements")]

    operations = [migrations.RunPython(create, drop)]
