"""Small view helpers every app's views share."""

import functools
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

K = TypeVar("K")
T = TypeVar("T")


# Issue 16.6: an edit that changes nothing saves nothing and writes no history row
# (common.history.save_with_history); the user is told so.
NOTHING_CHANGED = gettext_lazy("Nothing changed.")


def saved_message(request: HttpRequest, form: forms.BaseForm, saved: str) -> None:
    """After an edit form's service ran: `saved`, or "Inget ändrades" when the form
    changed no value."""
    if form.has_changed():
        messages.success(request, saved)
    else:
        messages.info(request, NOTHING_CHANGED)


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


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the button was on (the form's `next`), never to another site;
    else to `default` (a URL name or path)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def error_messages(request: HttpRequest, exc: ValidationError) -> None:
    """Each message of a service's ValidationError as an error message on the next page
    (the action changed nothing)."""
    for message in exc.messages:
        messages.error(request, message)


# An id no object has, to find where the id goes in a reversed URL.
_PK_MARK = 987654321987


@functools.lru_cache(maxsize=64)
def _pk_url_parts(name: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    head, _mark, tail = reverse(name, args=[_PK_MARK], urlconf=urlconf).partition(str(_PK_MARK))
    return head, tail


def pk_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL pattern whose one argument is `<int:pk>`, with
    the resolver consulted once per pattern (and script prefix and URLconf) rather than
    for every call: a page of telesök hits links each hit and its unit, and reverse()
    was a tenth of the page's time (issue 19)."""
    head, tail = _pk_url_parts(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"
