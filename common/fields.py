"""Model field shapes that recur across the apps: an optional foreign key, and the user who
decided or acted (optional, with no reverse relation)."""

from django.conf import settings
from django.db import models


def optional_fk(to, verbose_name, *, related_name, on_delete=models.PROTECT) -> models.ForeignKey:
    """A foreign key that may be empty (NULL in the database, optional in forms)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
    )


def optional_user(verbose_name) -> models.ForeignKey:
    """The user who decided or acted, once someone has: kept (PROTECT), no reverse
    relation on the user."""
    return optional_fk(settings.AUTH_USER_MODEL, verbose_name, related_name="+")
