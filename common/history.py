"""Saving a history-kept model (django-simple-history) with who acted and why."""

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


def save_with_history(obj: M, *, actor: Actor, reason: str | None, **save_kwargs: Any) -> M:
    """Save `obj` so that its history row names `actor` (a user, or None for the system)
    and `reason` (cut to the column's length). Returns `obj`."""
    note_history(
        obj, actor=actor, reason=str(reason)[:REASON_MAX_LENGTH] if reason is not None else None
    )
    obj.save(**save_kwargs)
    return obj
