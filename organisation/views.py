from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.http import saved_message

from . import permissions, selectors
from .forms import CostCentreForm, ReadinessForm, TelesamordnareForm, UnitNameForm
from .models import CostCentre, Unit
from .unit_panels import unit_panels


def _build_tree(units):
    """Nest a flat list of units in name order; siblings keep that order."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def nodes(parent_id):
        return [{"unit": u, "children": nodes(u.pk)} for u in children.get(parent_id, [])]

    return nodes(None)


def unit_tree(request):
    tree = _build_tree(list(selectors.unit_tree()))
    return render(
        request,
        "organisation/unit_list.html",
        {
            "tree": tree,
            "can_create_forvaltning": permissions.can_create_unit(request.user, None),
            "can_upload_org_file": permissions.can_upload_org_file(request.user),
        },
    )


def _get_unit(pk):
    try:
        return selectors.unit_with_context(pk)
    except Unit.DoesNotExist:
        raise Http404 from None


def unit_detail(request, pk):
    unit = _get_unit(pk)
    user = request.user
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": unit.children.filter(closed_on__isnull=True).order_by("name"),
        "people": selectors.people_of_unit(unit),
        "cost_centres": unit.cost_centres.select_related("budget_manager").order_by("code"),
        "telesamordnare": unit.telesamordnare.filter(protected_identity=False).order_by(
            "last_name", "first_name"
        ),
        "panels": unit_panels(request, unit),
        "can_create": permissions.can_create_unit(user, unit),
        "can_rename": permissions.can_rename_unit(user, unit),
        "can_edit_readiness": permissions.can_edit_unit_readiness(user, unit),
        "can_assign": permissions.can_assign_telesamordnare(user, unit),
        "can_move": permissions.can_move_unit(user, unit),
        "can_close": permissions.can_close_unit(user, unit),
    }
    return render(request, "organisation/unit_detail.html", context)


@require_http_methods(["GET", "POST"])
def unit_create(request, parent_pk=None):
    parent = _get_unit(parent_pk) if parent_pk is not None else None
    if not permissions.can_create_unit(request.user, parent):
        raise PermissionDenied
    form = UnitNameForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        unit = form.save(actor=request.user)
        if unit is not None:
            messages.success(request, _("The unit “%(name)s” was created.") % {"name": unit.name})
            return redirect("organisation:unit_detail", pk=unit.pk)
    return render(request, "organisation/unit_form.html", {"form": form, "parent": parent})


@require_http_methods(["GET", "POST"])
def unit_rename(request, pk):
    unit = _get_unit(pk)
    if not permissions.can_rename_unit(request.user, unit):
        raise PermissionDenied
    form = UnitNameForm(request.POST or None, parent=unit.parent, unit=unit)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        saved_message(request, form, _("The unit was renamed."))
        return redirect("organisation:unit_detail", pk=unit.pk)
    return render(request, "organisation/unit_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def unit_readiness(request, pk):
    unit = _get_unit(pk)
    if not permissions.can_edit_unit_readiness(request.user, unit):
        raise PermissionDenied
    form = ReadinessForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        form.save(actor=request.user)
        saved_message(request, form, _("Reserve plan and training record saved."))
        return redirect("organisation:unit_detail", pk=unit.pk)
    return render(request, "organisation/unit_readiness_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def unit_telesamordnare(request, pk):
    unit = _get_unit(pk)
    if not permissions.can_assign_telesamordnare(request.user, unit):
        raise PermissionDenied
    form = TelesamordnareForm(request.POST or None, unit=unit, reader=request.user)
    if request.method == "POST" and form.is_valid():
        form.save(actor=request.user)
        messages.success(request, _("Telephony coordinators saved."))
        return redirect("organisation:unit_detail", pk=unit.pk)
    return render(
        request, "organisation/unit_telesamordnare_form.html", {"form": form, "unit": unit}
    )


@require_http_methods(["GET", "POST"])
def cost_centre_edit(request, pk=None):
    """Tele kundtjänst creates (pk None) or changes a cost centre, with history."""
    if not permissions.can_manage_cost_centres(request.user):
        raise PermissionDenied
    cost_centre = None
    if pk is not None:
        try:
            cost_centre = CostCentre.objects.select_related("unit", "budget_manager").get(pk=pk)
        except CostCentre.DoesNotExist:
            raise Http404 from None
    form = CostCentreForm(request.POST or None, cost_centre=cost_centre, reader=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(actor=request.user)
        if saved is not None:
            if cost_centre is None:
                messages.success(request, _("The cost centre was created."))
            else:
                saved_message(request, form, _("The cost centre was saved."))
            return redirect("costs:cost_centre_detail", pk=saved.pk)
    return render(
        request, "organisation/costcentre_form.html", {"form": form, "cost_centre": cost_centre}
    )
