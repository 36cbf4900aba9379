"""X-3 by hand: Tele kundtjänst marks a person as left (without LDAP, or before the
directory says so)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from common.http import error_messages

from . import leavers, permissions
from .models import Person


class LeaveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("E.g. “Employment ended 30 November”. Kept in the history."),
    )


@require_http_methods(["GET", "POST"])
def person_leave(request, pk):
    person = get_object_or_404(Person.objects.select_related("unit", "user"), pk=pk)
    if not permissions.can_view_person(request.user, person):
        raise Http404
    if not permissions.can_mark_person_left(request.user, person):
        raise PermissionDenied
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leavers.person_mark_left(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is marked as having left. Their subscriptions, phones and "
                    "voicemail boxes are flagged to the budget-responsible manager for "
                    "handover or cancellation."
                )
                % {"name": person.full_name},
            )
        return redirect(person)
    return render(request, "organisation/person_leave.html", {"person": person, "form": form})
