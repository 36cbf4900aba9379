from django.contrib.postgres.operations import CreateCollation
from django.db import migrations

from common.collation import SWEDISH


class CreateCollationOnPostgreSQL(CreateCollation):
    """Django's CreateCollation skips other databases going forwards but not backwards
    (it would run DROP COLLATION on SQLite)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    """PostgreSQL: the ICU collation SWEDISH (sv-SE) that the name columns use (issue
    19.7). A no-op on SQLite, where common.apps registers a Python collation instead."""

    dependencies = [("common", "0003_outbox_give_up")]

    operations = [CreateCollationOnPostgreSQL(SWEDISH, provider="icu", locale="sv-SE")]
