"""Database indexes that differ by vendor."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models


class TrigramIndex(GinIndex):
    """A pg_trgm GIN index on PostgreSQL (fast LIKE '%part%' for telesök, DIR-2); a plain
    B-tree index of the same name on other databases.

    A bare GinIndex would break SQLite, which rebuilds a table's indexes from the model
    whenever a later migration alters that table. The migration that first adds one must
    run `TrigramExtension()` before it (a no-op on SQLite).

    fastupdate is off: the directory is read far more often than written, and GIN's
    pending list makes every search scan it until the next vacuum (bench_telesok after a
    bulk seed: 58 ms instead of 3 ms for one name, and the planner gives up the index).
    """

    def __init__(self, *expressions, opclasses=(), fastupdate=False, **kwargs):
        fields = kwargs.get("fields") or ()
        super().__init__(
            *expressions,
            opclasses=opclasses or ["gin_trgm_ops"] * len(fields),
            fastupdate=fastupdate,
            **kwargs,
        )

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(fields=self.fields, name=self.name)
        return plain.create_sql(model, schema_editor, **kwargs)
