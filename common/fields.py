"""Model field shapes that recur across the apps: an optional foreign key, and the user who
decided or acted (optional, with no reverse relation)."""

from typing import Any

from django.conf import settings
from django.db import models

# The django-stubs plugin types a ForeignKey written in a model's body from its `to`; one
# made here it cannot follow, so these fields read as Any to mypy (the price of writing the
# shape once; a field that needs its related type checked is written out in full).
AnyForeignKey = models.ForeignKey[Any, Any]


def optional_fk(
    to: Any, verbose_name: Any, *, related_name: str, on_delete: Any = models.PROTECT
) -> AnyForeignKey:
    """A foreign key that may be empty (NULL in the database, optional in forms)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
    )


def optional_user(verbose_name: Any) -> AnyForeignKey:
    """The user who decided or acted, once someone has: kept (PROTECT), no reverse
    relation on the user."""
    return optional_fk(settings.AUTH_USER_MODEL, verbose_name, related_name="+")
