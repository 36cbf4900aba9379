import math
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.exports import table_response
from common.pdf import render_pdf
from organisation.guideline import guideline
from organisation.models import CostCentre
from organisation.numbers import format_number
from subscriptions.permissions import can_change_barring

from . import exports, selectors, services
from .choices import CATEGORIES, StatementAction, StatementStatus
from .forms import (
    ExplainForm,
    ImportDecisionForm,
    StatementAccessFilterForm,
    StatementApproveForm,
    StatementRefuseForm,
    StatementRequestForm,
    UsageUploadForm,
)
from .importer import COLUMNS, ImportRejected
from .models import StatementRequest
from .permissions import (
    can_decide_import,
    can_decide_statement,
    can_explain_usage,
    can_import_usage,
    can_request_statement,
    can_undo_import,
    can_view_costs,
    can_view_import,
    can_view_statement_content,
    can_view_statement_log,
    can_view_statement_request,
    is_service_desk_or_admin,
    may_request_statements,
)

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_LEFT, CHART_TICKS = 640, 200, 20, 70, 4


def cost_centre_list(request):
    """Every signed-in user sees which cost centres exist (codes, units, owners); costs
    are shown only to those who own them (cost_centre_costs)."""
    return render(request, "costs/costcentre_list.html", {"cost_centres": selectors.cost_centres()})


def cost_centre_detail(request, pk):
    try:
        cost_centre = selectors.cost_centres().get(pk=pk)
    except CostCentre.DoesNotExist:
        raise Http404 from None
    context = {
        "cost_centre": cost_centre,
        "can_view_costs": can_view_costs(request.user, cost_centre),
    }
    return render(request, "costs/costcentre_detail.html", context)


# --- COST-1: costs per cost centre, month, subscription and category ------------------------


def _visible_cost_centre(request, pk):
    cost_centre = selectors.cost_centres().filter(pk=pk).first()
    if cost_centre is None or not can_view_costs(request.user, cost_centre):
        raise Http404
    return cost_centre


def _axis_step(highest):
    """A round step (1, 2 or 5 times a power of ten) that divides the axis into at most four."""
    magnitude = max(1, 10 ** math.floor(math.log10(highest / CHART_TICKS)))  # whole kronor
    for factor in (1, 2, 5, 10):
        if factor * magnitude * CHART_TICKS >= highest:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _chart(months):
    """Bars of the monthly totals with a value axis in kronor and each bar's value above it,
    laid out for the server-rendered SVG (no script, no inline style)."""
    if not months:
        return None
    highest = float(max(month["total"] or 0 for month in months)) or 1.0
    step = _axis_step(highest)
    axis_max = step * math.ceil(highest / step)
    plot_height = CHART_HEIGHT - CHART_TOP
    slot = CHART_WIDTH / len(months)
    ticks = [
        {"value": step * index, "y": round(CHART_HEIGHT - step * index / axis_max * plot_height, 1)}
        for index in range(round(axis_max / step) + 1)
    ]
    bars = []
    for index, month in enumerate(months):
        total = month["total"] or 0
        height = round(float(total) / axis_max * plot_height, 1)
        bars.append(
            {
                "x": round(CHART_LEFT + index * slot + slot * 0.15, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "label_x": round(CHART_LEFT + index * slot + slot / 2, 1),
                "value_y": round(CHART_HEIGHT - height - 4, 1),
                "period": month["period"],
                "total": total,
            }
        )
    return {
        "bars": bars,
        "ticks": ticks,
        "left": CHART_LEFT,
        "right": CHART_LEFT + CHART_WIDTH,
        "base": CHART_HEIGHT,
        "tick_label_x": CHART_LEFT - 6,
        "width": CHART_LEFT + CHART_WIDTH,
        "height": CHART_HEIGHT + 20,
    }


def _selected_period(request, months):
    raw = request.GET.get("month", "")
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise Http404 from None
    return months[-1]["period"] if months else None


def _category_rows(month):
    return [(label, month[name]) for name, label in CATEGORIES] if month else []


@require_safe
def cost_centre_costs(request, pk):
    """COST-1: one cost centre's costs per month, category and subscription."""
    cost_centre = _visible_cost_centre(request, pk)
    months = selectors.monthly_totals(CostCentre.objects.filter(pk=cost_centre.pk))
    period = _selected_period(request, months)
    records = list(selectors.month_records(cost_centre, period)) if period else []
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in exports.COSTS_FORMATS or period is None:
            raise Http404
        return exports.costs_response(cost_centre, period, records, fmt, request.user)
    flags = selectors.open_flag_rules(records)
    for record in records:
        record.open_rules = flags.get(record.pk, [])
        # BAR-2: "Ändra spärrar" on the rows whose barring this person may change.
        record.can_change_barring = can_change_barring(request.user, record.subscription)
    unused = list(selectors.unused_subscriptions(cost_centre))
    for subscription in unused:
        subscription.can_change_barring = can_change_barring(request.user, subscription)
    current = next((month for month in months if month["period"] == period), None)
    context = {
        "cost_centre": cost_centre,
        "months": months,
        "chart": _chart(months),
        "period": period,
        "categories": _category_rows(current),
        "current": current,
        "records": records,
        "category_labels": [label for _name, label in CATEGORIES],
        "unused": unused,
    }
    return render(request, "costs/costcentre_costs.html", context)


@require_safe
def cost_overview(request):
    """COST-1: every cost centre the user answers for (Tele kundtjänst: all), per month."""
    centres = selectors.cost_centres_with_visible_costs(request.user)
    if not centres.exists():
        raise Http404
    months = selectors.monthly_totals(centres)
    context = {
        "cost_centres": centres,
        "months": months,
        "chart": _chart(months),
        "can_import": can_import_usage(request.user),
        "statements": may_request_statements(request.user) or can_decide_statement(request.user),
    }
    return render(request, "costs/cost_overview.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def usage_record_detail(request, pk):
    """One subscription's month: the figures, its normal level, and (COST-2) the
    manager's explanation that closes its flags."""
    record = selectors.usage_records().filter(pk=pk).first()
    if record is None or not can_view_costs(request.user, record.cost_centre):
        raise Http404
    can_explain = can_explain_usage(request.user, record) and record.explained_at is None
    form = ExplainForm(request.POST or None)
    if request.method == "POST":
        if not can_explain:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.usage_record_explain(
                    actor=request.user, record=record, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("reason", error.messages)
            else:
                messages.success(request, _("The cost is explained; its flags are closed."))
                return redirect(record.get_absolute_url())
    context = {
        "record": record,
        "categories": [(label, getattr(record, name)) for name, label in CATEGORIES],
        "median": selectors.subscription_median(record),
        "open_rules": selectors.open_flag_rules([record]).get(record.pk, []),
        "form": form if can_explain else None,
        "can_request_statement": can_request_statement(request.user, record.cost_centre),
    }
    return render(request, "costs/usagerecord_detail.html", context)


@require_safe
def private_share_export(request):
    """COST-4: the month's private shares per employee, for payroll (Tele kundtjänst)."""
    if not is_service_desk_or_admin(request.user):
        raise Http404
    months = selectors.monthly_totals(CostCentre.objects.all())
    period = _selected_period(request, months)
    rows = selectors.shown_private_shares(period, request.user) if period else []
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in exports.PRIVATE_SHARE_FORMATS or period is None:
            raise Http404
        return exports.private_share_response(period, rows, fmt)
    context = {"period": period, "rows": rows, "months": months}
    return render(request, "costs/private_shares.html", context)


# --- The import ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def usage_import_list(request):
    if not can_import_usage(request.user):
        raise PermissionDenied
    form = UsageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            usage_import = form.save(actor=request.user)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The file is uploaded; the import has started."))
            return redirect(usage_import.get_absolute_url())
    context = {
        "form": form,
        "imports": selectors.usage_imports(request.user)[:20],
        "columns": [header for _name, header in COLUMNS],
    }
    return render(request, "costs/usageimport_list.html", context)


def _visible_import(request, pk):
    usage_import = selectors.usage_imports(request.user).filter(pk=pk).first()
    if usage_import is None or not can_view_import(request.user, usage_import):
        raise Http404
    return usage_import


@require_safe
def usage_import_detail(request, pk):
    """The import's progress, then its result: how many rows are new, replaced, unchanged
    and removed, per cost centre, the unknown numbers in full; the preview of "replace the
    whole month" with the uploader's decision; "Ångra importen"."""
    usage_import = _visible_import(request, pk)
    later = services.later_imports(usage_import) if usage_import.status == "done" else []
    context = {
        "usage_import": usage_import,
        "can_decide": usage_import.status == "preview"
        and can_decide_import(request.user, usage_import),
        "can_undo": usage_import.status == "done"
        and not later
        and can_undo_import(request.user, usage_import),
        "later": later,
        "closing_flags": selectors.closing_flags(usage_import),
    }
    return render(request, "costs/usageimport_detail.html", context)


@require_POST
def usage_import_decide(request, pk):
    """The uploader's decision on the preview: replace the whole month, import only the
    file's rows, or cancel."""
    usage_import = _visible_import(request, pk)
    if not can_decide_import(request.user, usage_import):
        raise PermissionDenied
    form = ImportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to import the file."))
        return redirect(usage_import.get_absolute_url())
    try:
        services.usage_import_decide(
            actor=request.user, usage_import=usage_import, decision=form.cleaned_data["decision"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.cleaned_data["decision"] == "cancel":
            messages.success(request, _("The import is cancelled; nothing was written."))
        else:
            messages.success(request, _("The import has started."))
    return redirect(usage_import.get_absolute_url())


@require_POST
def usage_import_undo(request, pk):
    """ "Ångra importen"."""
    usage_import = _visible_import(request, pk)
    if not can_undo_import(request.user, usage_import):
        raise PermissionDenied
    try:
        services.usage_import_undo(actor=request.user, usage_import=usage_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The import is undone: the rows it replaced or removed are back.")
        )
    return redirect(usage_import.get_absolute_url())


@require_safe
def usage_import_unknown_csv(request, pk):
    """Every unknown number of an import, as CSV (through common's one writer)."""
    usage_import = _visible_import(request, pk)
    lines = [(_("Number"), _("Month"), _("Total"))] + [
        (format_number(row["number"]), row["period"], Decimal(row["total"]))
        for row in usage_import.unknown_numbers
    ]
    return table_response(lines, "csv", f"okanda-nummer-{usage_import.pk}")


@require_safe
def usage_import_status(request, pk):
    """What the progress poll (static/js/costs-import.js) reads; a preview waiting for
    the uploader's decision counts as finished (the page reloads to show it)."""
    usage_import = _visible_import(request, pk)
    return JsonResponse(
        {
            "status": usage_import.status,
            "status_label": usage_import.get_status_display(),
            "progress": usage_import.progress,
            "finished": usage_import.is_finished or usage_import.status == "preview",
        }
    )


# --- COST-3: itemised statements (specificerat utdrag) -------------------------------------


def _client_ip(request):
    # REMOTE_ADDR, as the login throttle: X-Forwarded-For is not trusted (README).
    return request.META.get("REMOTE_ADDR") or None


def _visible_statement(request, pk):
    statement = selectors.statement_requests(request.user).filter(pk=pk).first()
    if statement is None or not can_view_statement_request(request.user, statement):
        raise Http404
    return statement


def _statement_gone(request, statement, visible_days):
    """410 with a Swedish explanation: the statement was shown its time and is no more."""
    context = {"statement": statement, "visible_days": visible_days}
    return render(request, "costs/statement_gone.html", context, status=410)


def _readable_content(request, statement):
    """The statement whose content the requester may read now, or a response refusing it.
    Returns (statement, None) or (None, response)."""
    if not can_view_statement_content(request.user, statement):
        raise PermissionDenied
    if statement.status != StatementStatus.APPROVED:
        raise Http404
    visible_days = guideline().statement_visible_days
    if timezone.now() >= statement.visible_until(visible_days) or statement.content_deleted_at:
        return None, _statement_gone(request, statement, visible_days)
    return statement, None


@require_safe
def statement_list(request):
    """The requester's own requests; Tele kundtjänst's queue of all of them."""
    desk = can_decide_statement(request.user)
    if not (desk or may_request_statements(request.user)):
        raise Http404
    statements = selectors.statement_requests(request.user)
    status = request.GET.get("status", "")
    if status in StatementStatus.values:
        statements = statements.filter(status=status)
    context = {
        "statements": statements[:200],
        "status": status,
        "statuses": StatementStatus.choices,
        "desk": desk,
        "can_request": may_request_statements(request.user),
        "visible_days": guideline().statement_visible_days,
    }
    return render(request, "costs/statement_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def statement_create(request):
    """COST-3: the budget-responsible manager asks, stating the special grounds."""
    if not may_request_statements(request.user):
        raise PermissionDenied
    subscriptions = selectors.requestable_subscriptions(request.user)
    initial = {}
    if request.GET.get("subscription", "").isdigit():
        initial["subscription"] = int(request.GET["subscription"])
    if request.GET.get("month"):
        initial["period"] = request.GET["month"]
    form = StatementRequestForm(
        request.POST or None, subscriptions=subscriptions, reader=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            statement = form.save(actor=request.user)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(
                request,
                _("The request is sent to Tele kundtjänst; you get an e-mail when it is decided."),
            )
            return redirect(statement.get_absolute_url())
    return render(request, "costs/statement_form.html", {"form": form})


@require_safe
def statement_detail(request, pk):
    """The request, its decision, and for the requester the statement itself (logged)."""
    statement = _visible_statement(request, pk)
    calls, gone = None, None
    g = guideline()
    is_requester = can_view_statement_content(request.user, statement)
    if is_requester and statement.status == StatementStatus.APPROVED:
        _readable, gone = _readable_content(request, statement)
        if gone is not None:
            return gone
        calls = list(statement.calls.all())
        services.statement_log_access(
            actor=request.user,
            statement=statement,
            action=StatementAction.VIEW,
            ip_address=_client_ip(request),
        )
    pending = statement.status == StatementStatus.PENDING
    desk = can_decide_statement(request.user)
    context = {
        "statement": statement,
        "calls": calls,
        "total": sum((call.cost for call in calls or ()), Decimal(0)),
        "is_requester": is_requester,
        "visible_until": statement.visible_until(g.statement_visible_days),
        "approve_form": StatementApproveForm() if desk and pending else None,
        "refuse_form": StatementRefuseForm() if desk and pending else None,
        "desk": desk,
    }
    return render(request, "costs/statement_detail.html", context)


def _decide(request, pk, form_class, act):
    statement = _visible_statement(request, pk)
    if not can_decide_statement(request.user):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            act(statement, form.cleaned_data)
        except ImportRejected as rejected:
            context = {"statement": statement, "rejected": rejected}
            return render(request, "costs/statement_rejected.html", context, status=200)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The decision is saved and the requester e-mailed."))
            return redirect(statement.get_absolute_url())
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect(statement.get_absolute_url())


@require_POST
def statement_approve(request, pk):
    def act(statement, data):
        upload = data["file"]
        services.statement_approve(
            actor=request.user, statement=statement, file_name=upload.name, content=upload.read()
        )

    return _decide(request, pk, StatementApproveForm, act)


@require_POST
def statement_refuse(request, pk):
    def act(statement, data):
        services.statement_refuse(actor=request.user, statement=statement, reason=data["reason"])

    return _decide(request, pk, StatementRefuseForm, act)


@require_safe
def statement_pdf(request, pk):
    """X-4: the statement as a PDF/A document, for the requester only (logged)."""
    statement = _visible_statement(request, pk)
    statement, gone = _readable_content(request, statement)
    if gone is not None:
        return gone
    services.statement_log_access(
        actor=request.user,
        statement=statement,
        action=StatementAction.PDF,
        ip_address=_client_ip(request),
    )
    calls = list(statement.calls.all())
    context = {
        "statement": statement,
        "calls": calls,
        "total": sum((call.cost for call in calls), Decimal(0)),
        "printed": timezone.localtime(),
        "printed_for": request.user,
    }
    filename = f"utdrag-{statement.pk}-{statement.period:%Y-%m}.pdf"
    return HttpResponse(
        render_pdf("costs/pdf/statement.html", context),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_safe
def statement_operator_pdf(request, pk):
    """The operator's own PDF, when that is what Tele kundtjänst attached (logged)."""
    statement = _visible_statement(request, pk)
    statement, gone = _readable_content(request, statement)
    if gone is not None:
        return gone

    content = StatementRequest.objects.filter(pk=statement.pk).values_list(
        "operator_pdf", flat=True
    )[0]
    if not content:
        raise Http404
    services.statement_log_access(
        actor=request.user,
        statement=statement,
        action=StatementAction.OPERATOR_PDF,
        ip_address=_client_ip(request),
    )
    filename = f"utdrag-{statement.pk}-operator.pdf"
    return HttpResponse(
        bytes(content),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_safe
def statement_access_log(request):
    """COST-3: Tele kundtjänst reads who saw which statement, when and from where."""
    if not can_view_statement_log(request.user):
        raise Http404
    form = StatementAccessFilterForm(request.GET or None)
    accesses = selectors.statement_accesses()
    if request.GET:
        accesses = form.filter(accesses)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in exports.ACCESS_LOG_FORMATS:
            raise Http404
        return exports.access_log_response(accesses, fmt)
    context = {"form": form, "accesses": accesses[:500]}
    return render(request, "costs/statement_access_log.html", context)
