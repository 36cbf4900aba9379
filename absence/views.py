"""Hänvisning pages (ABS-1..ABS-3, ABS-6, SRV-1): thin; rules live in services and
permissions. The holder's own pages have no id in the URL; a manager reaches a sick
employee's form through the person's id (404 if they may not see the person, 403 if they
may not set it)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.http import error_messages, redirect_back
from organisation.models import Person, Unit
from organisation.permissions import can_view_person, person_of

from . import permissions, selectors, services, workdays
from .forms import RedirectForm, TripForm, UnitHoursForm
from .models import Redirect


def _own_person(request):
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


def mine(request):
    """The holder's hänvisningar: current and planned, one-click choices, the full form."""
    person = person_of(request.user)
    if person is None:
        return render(request, "absence/redirect_list.html", {"person": None})
    now = workdays.now()
    context = {
        "person": person,
        "redirects": selectors.redirects_of(person, now=now),
        "current": selectors.current_redirect_of(person, now=now),
        "presets": selectors.presets(person, now=now),
        "now": now,
    }
    return render(request, "absence/redirect_list.html", context)


@require_POST
def quick(request):
    """One click: "Lunch till 13:00", "Gått för dagen – åter i morgon 08:00"."""
    person = _own_person(request)
    try:
        created = services.redirect_quick_set(
            actor=request.user, person=person, preset=request.POST.get("preset", "")
        )
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Redirect set: %(summary)s.") % {"summary": created[0]})
    return redirect_back(request, "absence:mine")


@require_POST
def back(request):
    """ "Jag är tillbaka": every current redirect of the holder's phones ends now."""
    person = _own_person(request)
    if services.redirect_back(actor=request.user, person=person):
        messages.success(request, _("Welcome back: your redirect has ended."))
    else:
        messages.info(request, _("You had no current redirect."))
    return redirect_back(request, "absence:mine")


@require_http_methods(["GET", "POST"])
def create(request):
    person = _own_person(request)
    form = RedirectForm(request.POST or None, phones=selectors.phones_of(person))
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Redirect saved."))
        return redirect("absence:mine")
    return render(request, "absence/redirect_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def sick(request, pk):
    """ABS-3: the manager sets a Sick hänvisning on an employee's phones."""
    person = get_object_or_404(Person.objects.select_related("unit"), pk=pk)
    if not can_view_person(request.user, person):
        raise Http404
    if not permissions.can_set_sick_redirect(request.user, person):
        raise PermissionDenied
    form = RedirectForm(request.POST or None, phones=selectors.phones_of(person), sick_only=True)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(
            request,
            _("Sick-leave redirect saved; %(name)s is told by e-mail.") % {"name": person},
        )
        return redirect("directory:person", pk=person.pk)
    return render(
        request, "absence/redirect_form.html", {"form": form, "person": person, "sick": True}
    )


@require_POST
def end(request, pk):
    """End a current redirect now, or withdraw a planned one."""
    found = get_object_or_404(Redirect.objects.select_related("subscription__holder__unit"), pk=pk)
    holder = found.subscription.holder
    if holder is None or not can_view_person(request.user, holder):
        raise Http404
    if not permissions.can_end_redirect(request.user, found):
        raise PermissionDenied
    services.redirect_end(actor=request.user, redirect=found)
    messages.success(request, _("The redirect has ended."))
    return redirect_back(request, "absence:mine")


@require_http_methods(["GET", "POST"])
def trips(request):
    """ABS-6: the holder's trips abroad and the checklist."""
    person = _own_person(request)
    form = TripForm(request.POST or None, phones=selectors.phones_of(person))
    if (
        request.method == "POST"
        and form.is_valid()
        and form.save(actor=request.user, person=person)
    ):
        messages.success(
            request, _("Trip registered. The checklist below has been e-mailed to you.")
        )
        return redirect("absence:trips")
    context = {
        "form": form,
        "trips": selectors.trips_of(person),
        "checklist": selectors.trip_checklist(),
    }
    return render(request, "absence/trip_list.html", context)


@require_http_methods(["GET", "POST"])
def unit_hours(request, pk):
    """The unit's working day and phone hours (SRV-1)."""
    unit = get_object_or_404(Unit, pk=pk)
    if not permissions.can_edit_unit_hours(request.user, unit):
        raise PermissionDenied
    form = UnitHoursForm(
        request.POST or None,
        initial={
            "workday_starts": unit.workday_starts,
            "workday_ends": unit.workday_ends,
            "phone_hours": unit.phone_hours,
        },
    )
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user, unit=unit):
        messages.success(request, _("Working day and phone hours saved."))
        return redirect("directory:unit", pk=unit.pk)
    return render(request, "absence/unit_hours_form.html", {"form": form, "unit": unit})
