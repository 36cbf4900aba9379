"""Saving a history-kept model (django-simple-history) with who acted and why."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from common.users import Actor

# simple-history's history_change_reason column is 100 characters.
REASON_MAX_LENGTH = 100

M = TypeVar("M", bound=models.Model)


def note_history(obj: models.Model, *, actor: Actor, reason: str | None = None) -> None:
    """Name `actor` (a user, or None for the system) and `reason` on the next history row
    of `obj`, for a save, a delete or an m2m change the caller makes itself. The reason is
    stored as given (None: no reason); save_with_history cuts it to the column."""
    # simple-history reads these two attributes when it writes the history row (a missing
    # one counts as None); they are not fields, so the stubs cannot know them.
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


def note_change_reason(obj: models.Model, reason: str | None) -> None:
    """Name only `reason` on the next history row of `obj`; who acted is left to
    simple-history (the request's user, through its middleware)."""
    obj._change_reason = reason  # type: ignore[attr-defined]  # as in note_history


def differs_from_stored(obj: models.Model, fields: Iterable[str] | None = None) -> bool:
    """Whether `obj` would change its row: True for an object not saved yet, or when one
    of its concrete fields (or of `fields`, names as in update_fields) differs from what
    the database holds."""
    if obj._state.adding or obj.pk is None:
        return True
    concrete = obj._meta.concrete_fields
    wanted = set(fields) if fields is not None else None
    names = [f.attname for f in concrete if wanted is None or {f.name, f.attname} & wanted]
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(*names).first()
    if stored is None:
        return True
    return any(stored[name] != getattr(obj, name) for name in names)


def save_with_history(obj: M, *, actor: Actor, reason: str | None, **save_kwargs: Any) -> M:
    """Save `obj` so that its history row names `actor` (a user, or None for the system)
    and `reason` (cut to the column's length). Returns `obj`.

    A save that would change nothing is not made, so it writes no history row (issue
    16.6); a view tells the user "Inget ändrades" (common.http.NOTHING_CHANGED)."""
    if not differs_from_stored(obj, save_kwargs.get("update_fields")):
        return obj
    note_history(
        obj, actor=actor, reason=str(reason)[:REASON_MAX_LENGTH] if reason is not None else None
    )
    obj.save(**save_kwargs)
    return obj
