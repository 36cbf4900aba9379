"""The compliance dashboard (X-2): open flags by requirement and guideline section, rolled
up the organisation tree, with a drill-down to the flagged objects and CSV/XLSX exports."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from organisation.models import Unit

from . import exports, selectors
from .permissions import ALL, dashboard_scope
from .rules import RULES
from .sections import REQUIREMENT_SECTIONS, section_of

FLAGS_PER_PAGE = 100


def _scope(request):
    """The unit paths the user sees (None: all); 403 for those without a scope."""
    scope = dashboard_scope(request.user)
    if not scope:
        raise PermissionDenied
    return None if scope == ALL else scope


def _unit(request, pk):
    """(scope, unit); a unit outside the user's scope answers 404."""
    scope = _scope(request)
    unit = get_object_or_404(Unit.objects.select_related("forvaltning"), pk=pk)
    if scope is not None and not any(unit.path.startswith(path) for path in scope):
        raise Http404
    return scope, unit


def _breadcrumbs(scope, unit):
    """The units above `unit` that the user may open, from the top down."""
    above = Unit.objects.filter(pk__in=unit.ancestor_ids()[:-1]).order_by("depth")
    return [
        ancestor
        for ancestor in above
        if scope is None or any(ancestor.path.startswith(path) for path in scope)
    ]


def _rule_id(rule_id):
    if rule_id not in REQUIREMENT_SECTIONS and rule_id not in RULES:
        raise Http404
    return rule_id


@require_safe
def index(request):
    """The user's whole scope: the top units with their rolled-up figures."""
    scope = _scope(request)
    rows = selectors.flag_figures(scope)
    context = {
        "unit": None,
        "whole_municipality": scope is None,
        "rules": selectors.figures_by_rule(rows),
        "units": selectors.rolled_up(selectors.scope_units(scope), rows),
        "total": sum(row["count"] for row in rows),
    }
    return render(request, "compliance/dashboard.html", context)


@require_safe
def unit_dashboard(request, pk):
    scope, unit = _unit(request, pk)
    rows = selectors.flag_figures((unit.path,))
    ((_, total, own),) = selectors.rolled_up([unit], rows)
    context = {
        "unit": unit,
        "breadcrumbs": _breadcrumbs(scope, unit),
        "rules": selectors.figures_by_rule(rows),
        "units": selectors.rolled_up(selectors.child_units(unit), rows),
        "total": total.count,
        "own": own,
    }
    return render(request, "compliance/dashboard.html", context)


@require_safe
def rule_flags(request, rule_id, pk=None):
    """The drill-down: every open flag of one requirement in the scope or below a unit."""
    rule_id = _rule_id(rule_id)
    if pk is None:
        scope, unit = _scope(request), None
        paths = scope
    else:
        scope, unit = _unit(request, pk)
        paths = (unit.path,)
    page = Paginator(selectors.flags_for_list(paths, rule_id), FLAGS_PER_PAGE).get_page(
        request.GET.get("sida")
    )
    context = {
        "unit": unit,
        "breadcrumbs": _breadcrumbs(scope, unit) if unit is not None else [],
        "rule_id": rule_id,
        "rule": RULES.get(rule_id),
        "section": section_of(rule_id),
        "page": page,
        "flags": [(flag, selectors.flag_url(flag)) for flag in page],
    }
    return render(request, "compliance/rule_flags.html", context)


@require_safe
def export(request, fmt, pk=None):
    """Every open flag of the scope (or below a unit) as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if pk is None:
        paths, name = _scope(request), "efterlevnad"
    else:
        _, unit = _unit(request, pk)
        paths, name = (unit.path,), f"efterlevnad-{slugify(unit.name) or unit.pk}"
    flags = selectors.flags_for_list(paths)
    return exports.response(
        exports.table(flags, settings.TELEFONI_SITE_URL, request.user), fmt, name
    )


def unit_page_flags(request, unit):
    """The unit page's panel (organisation/unit_panels.py): the open flags of the unit
    itself, for everyone who may see the page, as the page has always shown them."""
    return {"open_flags": selectors.open_flags_of_unit(unit)}
