from django.contrib.postgres.operations import CreateCollation
from django.db import migrations

from common.collation import SWEDISH


class Migration(migrations.Migration):
    """PostgreSQL: the ICU collation SWEDISH (sv-SE) that the name columns use (issue
    19.7). A no-op on SQLite, where common.apps registers a Python collation instead."""

    dependencies = [("common", "0003_outbox_give_up")]

    operations = [CreateCollation(SWEDISH, provider="icu", locale="sv-SE")]
