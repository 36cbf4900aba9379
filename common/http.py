"""Small view helpers every app's views share."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

K = TypeVar("K")
T = TypeVar("T")


def get_or_404(getter: Callable[[K], T], pk: K, model: type[models.Model]) -> T:
    """`getter(pk)` (a selector that applies the user's visibility), or 404 when the
    object does not exist or is outside what the user may see."""
    try:
        return getter(pk)
    # The plugin gives DoesNotExist to concrete models only; `model` always is one.
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404 from None


def require(allowed: bool) -> None:
    """403 unless `allowed`: for actions the user may not take on an object they see."""
    if not allowed:
        raise PermissionDenied
