"""ORG-1: the organisation file (upload, preview, apply) and moving or closing a unit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.http import error_messages, get_or_404, require
from common.roles import is_service_desk_or_admin

from . import orgfile, permissions, selectors, services
from .forms import OrgFileForm, UnitMoveForm
from .models import OrgChangeSet, Unit


def _scope(user):
    """The förvaltning a change set of this user covers: None (all) for Tele kundtjänst,
    else the förvaltning the förvaltningschef heads."""
    if is_service_desk_or_admin(user):
        return None
    return Unit.objects.get(pk=permissions.headed_forvaltning_ids(user)[0])


@require_http_methods(["GET", "POST"])
def org_file(request):
    require(permissions.can_upload_org_file(request.user))
    scope = _scope(request.user)
    form = OrgFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        change_set = form.save(actor=request.user, scope=scope)
        if change_set is not None:
            messages.success(
                request, _("The file was read. Check the preview, then apply or discard it.")
            )
            return redirect(change_set)
    context = {
        "form": form,
        "scope": scope,
        "columns": [header for _key, header in orgfile.COLUMNS],
        "change_sets": selectors.change_sets(scope)[:20],
    }
    return render(request, "organisation/orgchangeset_list.html", context)


def _visible_change_set(request, pk):
    change_set = get_object_or_404(OrgChangeSet.objects.select_related("scope"), pk=pk)
    if not permissions.can_view_change_set(request.user, change_set):
        raise Http404
    return change_set


def change_set_detail(request, pk):
    change_set = _visible_change_set(request, pk)
    context = {
        "change_set": change_set,
        **selectors.change_set_display(change_set),
        "can_decide": change_set.is_preview
        and permissions.can_decide_change_set(request.user, change_set),
    }
    return render(request, "organisation/orgchangeset_detail.html", context)


def _decide(request, pk, service, done):
    change_set = _visible_change_set(request, pk)
    require(permissions.can_decide_change_set(request.user, change_set))
    try:
        result = service(actor=request.user, change_set=change_set)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect(change_set)
    messages.success(request, done)
    return redirect(result)


@require_POST
def change_set_apply(request, pk):
    return _decide(request, pk, services.change_set_apply, _("The change set was applied."))


@require_POST
def change_set_discard(request, pk):
    return _decide(request, pk, services.change_set_discard, _("The change set was discarded."))


@require_POST
def change_set_replan(request, pk):
    return _decide(
        request, pk, services.change_set_replan, _("A new preview of the file was made.")
    )


def _get_unit(pk):
    return get_or_404(selectors.unit_with_context, pk, Unit)


@require_http_methods(["GET", "POST"])
def unit_move(request, pk):
    unit = _get_unit(pk)
    if not permissions.can_move_unit(request.user, unit):
        raise PermissionDenied
    form = UnitMoveForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        moved = form.save(actor=request.user)
        if moved is not None:
            messages.success(
                request,
                _("“%(name)s” now belongs to “%(parent)s”.")
                % {"name": moved.name, "parent": moved.parent.name},
            )
            return redirect(moved)
    return render(request, "organisation/unit_move_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def unit_close(request, pk):
    unit = _get_unit(pk)
    if not permissions.can_close_unit(request.user, unit):
        raise PermissionDenied
    hanging = []
    if request.method == "POST":
        try:
            services.unit_close(actor=request.user, unit=unit)
        except services.UnitInUse as exc:
            hanging = exc.hanging
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The unit “%(name)s” was closed.") % {"name": unit.name})
            return redirect(unit)
    else:
        hanging = services.still_on_unit(unit)
    return render(request, "organisation/unit_close_form.html", {"unit": unit, "hanging": hanging})
