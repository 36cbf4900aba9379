"""Saving a history-kept model (django-simple-history) with who acted and why."""

from django.db import models

# simple-history's history_change_reason column is 100 characters.
REASON_MAX_LENGTH = 100


def save_with_history(obj: models.Model, *, actor, reason: str, **save_kwargs) -> models.Model:
    """Save `obj` so that its history row names `actor` (a user, or None for the system)
    and `reason` (cut to the column's length). Returns `obj`."""
    obj._history_user = actor
    obj._change_reason = str(reason)[:REASON_MAX_LENGTH] if reason is not None else None
    obj.save(**save_kwargs)
    return obj
