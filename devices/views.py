"""Catalogue, orders, inventory, SIM cards, loss reports, call barring and delad faktura.

Thin views: permission -> form -> service -> message -> redirect. Objects a user may not
see answer 404, actions they may not take 403."""

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.http import error_messages, get_or_404, require, saved_message
from common.pdf import render_pdf
from common.roles import is_service_desk_or_admin
from organisation.models import Unit
from organisation.permissions import person_of
from subscriptions.models import Subscription
from subscriptions.selectors import with_change_rows

from . import exports, permissions, pickers, selectors, services
from .choices import OrderStatus
from .forms import (
    BarringForm,
    CatalogueItemForm,
    CostCentreChangeForm,
    DeliverForm,
    DeviceForm,
    LossReportForm,
    OrderForm,
    ReasonForm,
    SimForm,
)
from .models import CatalogueItem, Device, LossReport, Order, SimCard, SplitInvoice


def _form_page(request, form, *, title, intro="", cancel_url="", submit_label=None, **extra):
    context = {
        "form": form,
        "title": title,
        "intro": intro,
        "cancel_url": cancel_url,
        "submit_label": submit_label,
        **extra,
    }
    return render(request, "devices/form_page.html", context)


# --- start: my devices and subscriptions ------------------------------------------------


@require_safe
def mine(request):
    """The signed-in person's devices and subscriptions, and the förvaltningar whose
    inventory they keep."""
    person = person_of(request.user)
    forvaltningar: Iterable[Unit] = Unit.objects.filter(parent__isnull=True).order_by("name")
    if not is_service_desk_or_admin(request.user):
        forvaltningar = [
            f for f in forvaltningar if permissions.can_view_inventory(request.user, f)
        ]
    context = {
        "person": person,
        "devices": selectors.my_devices(person) if person else [],
        "subscriptions": selectors.my_subscriptions(person) if person else [],
        "forvaltningar": forvaltningar,
        "can_order": permissions.can_order(request.user),
    }
    return render(request, "devices/mine.html", context)


# --- catalogue (DEV-1) -------------------------------------------------------------------


@require_safe
def catalogue_list(request):
    context = {
        "items": selectors.catalogue(),
        "can_edit": permissions.can_edit_catalogue(request.user),
    }
    return render(request, "devices/catalogueitem_list.html", context)


@require_http_methods(["GET", "POST"])
def catalogue_edit(request, pk=None):
    require(permissions.can_edit_catalogue(request.user))
    item = get_object_or_404(CatalogueItem, pk=pk) if pk else CatalogueItem()
    form = CatalogueItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        saved_message(request, form, _("The catalogue was saved."))
        return redirect("devices:catalogue_list")
    title = _("Change catalogue item") if pk else _("New catalogue item")
    return _form_page(request, form, title=title, cancel_url=reverse("devices:catalogue_list"))


# --- orders (DEV-2, SUB-2, SUB-3) --------------------------------------------------------


@require_safe
def order_list(request):
    orders = selectors.visible_orders(request.user)
    # ?status=awaiting: the start page's inbox links to the orders of one status.
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    context = {
        "orders": orders,
        "status": OrderStatus(status).label if status in OrderStatus.values else "",
        "can_order": permissions.can_order(request.user),
    }
    return render(request, "devices/order_list.html", context)


@require_http_methods(["GET", "POST"])
def order_create(request):
    require(permissions.can_order(request.user))
    form = OrderForm(
        request.POST or None,
        forvaltningar=pickers.order_forvaltningar(request.user),
        reader=request.user,
    )
    if request.method == "POST" and form.is_valid():
        # Issue 19.8: "Send" (the first button, so also Enter) saves and sends in one step;
        # "Save draft" keeps it for later.
        order = form.save(actor=request.user, send="send" in request.POST)
        if order is not None:
            if order.status == OrderStatus.DRAFT:
                done = _("Order #%(pk)s was saved as a draft. Send it when it is complete.")
            elif order.status == OrderStatus.AWAITING_APPROVAL:
                done = _("Order #%(pk)s was sent for approval.")
            else:
                done = _("Order #%(pk)s was sent to Tele kundtjänst.")
            messages.success(request, done % {"pk": order.pk})
            return redirect(order)
    return _form_page(
        request,
        form,
        title=_("New order"),
        intro=_(
            "Only the telesamordnare orders, for their own förvaltning. A MEX or mobile phone "
            "needs the enhetschef's approval; an elected official's subscription the KS "
            "ordförande's. Once approved, the order goes on to Tele kundtjänst by itself."
        ),
        submit_label=_("Send"),
        submit_name="send",
        secondary_label=_("Save draft"),
        cancel_url=reverse("devices:order_list"),
    )


def _visible_order(request, pk):
    order = get_or_404(selectors.order_for_page, pk, Order)
    if not permissions.can_view_order(request.user, order):
        raise Http404
    return order


@require_safe
def order_detail(request, pk):
    order = _visible_order(request, pk)
    user = request.user
    context = {
        "order": order,
        "approval_by": permissions.approval_by(order),
        "can_submit": permissions.can_submit_order(user, order),
        "can_approve": permissions.can_approve_order(user, order),
        "can_send": permissions.can_send_order(user, order),
        "can_deliver": permissions.can_deliver_order(user, order),
        "can_reject": permissions.can_reject_order(user, order),
        "history": order.history.select_related("history_user__person").order_by("history_date"),
    }
    return render(request, "devices/order_detail.html", context)


def _order_step(request, pk, allowed, service, done):
    order = _visible_order(request, pk)
    require(allowed(request.user, order))
    try:
        service(actor=request.user, order=order)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, done % {"pk": order.pk})
    return redirect("devices:order_detail", pk=order.pk)


@require_POST
def order_submit(request, pk):
    return _order_step(
        request,
        pk,
        permissions.can_submit_order,
        services.order_submit,
        _("Order #%(pk)s was sent."),
    )


@require_POST
def order_delete(request, pk):
    order = _visible_order(request, pk)
    require(permissions.can_submit_order(request.user, order))
    try:
        services.order_delete(actor=request.user, order=order)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect(order)
    messages.success(request, _("The draft was deleted."))
    return redirect("devices:order_list")


@require_POST
def order_approve(request, pk):
    return _order_step(
        request,
        pk,
        permissions.can_approve_order,
        services.order_approve,
        _("Order #%(pk)s was approved."),
    )


@require_POST
def order_send(request, pk):
    return _order_step(
        request,
        pk,
        permissions.can_send_order,
        services.order_send,
        _("Order #%(pk)s was sent to Tele kundtjänst."),
    )


@require_http_methods(["GET", "POST"])
def order_reject(request, pk):
    order = _visible_order(request, pk)
    require(permissions.can_reject_order(request.user, order))
    return _reason_page(
        request,
        order,
        lambda reason: services.order_reject(actor=request.user, order=order, reason=reason),
        success=_("Order #%(pk)s was rejected.") % {"pk": order.pk},
        title=_("Reject order #%(pk)s") % {"pk": order.pk},
        submit_label=_("Reject"),
    )


def _reason_page(request, obj, act, *, success, title, submit_label):
    """A step that needs a reason (reject an order, end a split invoice): the form, then
    act(reason); a refusal is shown on the form and nothing changes."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(obj)
    return _form_page(
        request,
        form,
        title=title,
        cancel_url=obj.get_absolute_url(),
        submit_label=submit_label,
    )


@require_http_methods(["GET", "POST"])
def order_deliver(request, pk):
    order = _visible_order(request, pk)
    require(permissions.can_deliver_order(request.user, order))
    form = DeliverForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Order #%(pk)s was delivered.") % {"pk": order.pk})
        return redirect(order)
    return _form_page(
        request,
        form,
        title=_("Deliver order #%(pk)s") % {"pk": order.pk},
        intro=_(
            "Delivering creates the subscription and the device, tied to the order's cost "
            "centre %(cost_centre)s."
        )
        % {"cost_centre": order.cost_centre},
        cancel_url=order.get_absolute_url(),
        submit_label=_("Deliver"),
    )


# --- inventory (DEV-3, SUB-4) ------------------------------------------------------------


def _inventory_forvaltning(request, pk):
    forvaltning = get_object_or_404(Unit, pk=pk, parent__isnull=True)
    require(permissions.can_view_inventory(request.user, forvaltning))
    return forvaltning


@require_safe
def inventory(request, pk):
    forvaltning = _inventory_forvaltning(request, pk)
    context = {
        "forvaltning": forvaltning,
        "devices": selectors.inventory(forvaltning),
        "can_edit": permissions.can_edit_device(request.user, forvaltning),
    }
    return render(request, "devices/inventory.html", context)


@require_safe
def inventory_export(request, pk, fmt):
    """DEV-3: the inventory as CSV, XLSX or PDF."""
    if fmt not in exports.INVENTORY_FORMATS:
        raise Http404
    forvaltning = _inventory_forvaltning(request, pk)
    devices = list(selectors.inventory(forvaltning))
    return exports.inventory_response(forvaltning, devices, fmt, request.user)


@require_safe
def labels(request, pk):
    """SUB-4: choose function phones; the PDF has one label each: number and owning unit."""
    forvaltning = _inventory_forvaltning(request, pk)
    phones = selectors.function_phones(forvaltning)
    chosen = request.GET.getlist("phone")
    if chosen:
        picked = [p for p in phones if str(p.pk) in chosen]
        if picked:
            return HttpResponse(
                render_pdf("devices/pdf/labels.html", {"phones": picked}),
                content_type="application/pdf",
                headers={"Content-Disposition": 'attachment; filename="etiketter.pdf"'},
            )
        messages.error(request, _("Choose at least one function phone."))
    return render(request, "devices/labels.html", {"forvaltning": forvaltning, "phones": phones})


@require_http_methods(["GET", "POST"])
def device_create(request, pk):
    forvaltning = get_object_or_404(Unit, pk=pk, parent__isnull=True)
    require(permissions.can_edit_device(request.user, forvaltning))
    form = DeviceForm(request.POST or None, forvaltning=forvaltning, reader=request.user)
    if request.method == "POST" and form.is_valid():
        device = form.save(actor=request.user)
        if device is not None:
            messages.success(request, _("The device was added to the inventory."))
            return redirect(device)
    return _form_page(
        request,
        form,
        title=_("New device in %(forvaltning)s") % {"forvaltning": forvaltning.name},
        cancel_url=reverse("devices:inventory", args=[forvaltning.pk]),
    )


def _visible_device(request, pk):
    device = get_or_404(selectors.device_for_page, pk, Device)
    if not permissions.can_view_device(request.user, device):
        raise Http404
    return device


@require_safe
def device_detail(request, pk):
    device = _visible_device(request, pk)
    user = request.user
    sims = list(selectors.device_sims(device))
    for sim in sims:
        sim.can_view_pin = permissions.can_view_pin(user, sim)
    context = {
        "device": device,
        "sims": sims,
        "loss_reports": device.loss_reports.order_by("-reported_at"),
        "waiting_moves": with_change_rows(selectors.waiting_cost_centre_moves(device)),
        "can_edit": permissions.can_edit_device(user, device),
        "can_change_cost_centre": permissions.can_request_cost_centre_change(user, device),
        "can_add_sim": permissions.can_add_sim(user) and device.subscription_id,
        "can_report_loss": permissions.can_report_loss(user, device),
        "history": device.history.select_related("history_user__person").order_by("-history_date"),
    }
    return render(request, "devices/device_detail.html", context)


@require_http_methods(["GET", "POST"])
def device_edit(request, pk):
    device = _visible_device(request, pk)
    require(permissions.can_edit_device(request.user, device))
    form = DeviceForm(
        request.POST or None,
        instance=device,
        forvaltning=device.unit.forvaltning,
        reader=request.user,
    )
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        saved_message(request, form, _("The device was saved."))
        return redirect(device)
    return _form_page(
        request,
        form,
        title=_("Change device"),
        intro=_("The cost centre changes through Tele kundtjänst (a change request)."),
        cancel_url=device.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def device_cost_centre(request, pk):
    """DEV-4: a new cost centre becomes a change request to Tele kundtjänst."""
    device = _visible_device(request, pk)
    require(permissions.can_request_cost_centre_change(request.user, device))
    form = CostCentreChangeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        change = form.save(actor=request.user)
        if change is not None:
            messages.success(
                request,
                _("The change was sent to Tele kundtjänst as request #%(pk)s.") % {"pk": change.pk},
            )
            return redirect(device)
    return _form_page(
        request,
        form,
        title=_("Move the device to another cost centre"),
        intro=_("Now: %(cost_centre)s.") % {"cost_centre": device.cost_centre},
        cancel_url=device.get_absolute_url(),
        submit_label=_("Send to Tele kundtjänst"),
    )


@require_http_methods(["GET", "POST"])
def sim_create(request, pk):
    device = _visible_device(request, pk)
    require(permissions.can_add_sim(request.user) and device.subscription_id)
    form = SimForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("The SIM card was registered."))
        return redirect(device)
    return _form_page(
        request,
        form,
        title=_("New SIM card"),
        intro=_("For %(subscription)s in %(device)s.")
        % {"subscription": device.subscription, "device": device},
        cancel_url=device.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def sim_pin(request, pk):
    """DEV-5: PIN and PUK only for the holder and Tele kundtjänst; each view is logged
    before the codes are shown (a POST, so nothing shows them by prefetching)."""
    sim = get_or_404(selectors.sim_for_page, pk, SimCard)
    if not permissions.can_view_pin(request.user, sim):
        raise Http404
    shown = False
    if request.method == "POST":
        services.sim_pin_view(actor=request.user, sim=sim)
        shown = True
    return render(request, "devices/sim_pin.html", {"sim": sim, "shown": shown})


# --- loss, theft, damage (SUB-7) ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def loss_report_create(request, pk):
    device = _visible_device(request, pk)
    require(permissions.can_report_loss(request.user, device))
    form = LossReportForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        report = form.save(actor=request.user)
        if report is not None:
            messages.success(
                request,
                _(
                    "The report was saved. A lost or stolen phone and its subscription are "
                    "blocked now; Tele kundtjänst confirms the block with the operator."
                ),
            )
            return redirect(report)
    return _form_page(
        request,
        form,
        title=_("Report loss, theft or damage"),
        intro=_("%(device)s. Report a theft to the police first.") % {"device": device},
        cancel_url=device.get_absolute_url(),
        submit_label=_("Report"),
    )


def _visible_loss_report(request, pk):
    report = get_or_404(selectors.loss_report_for_page, pk, LossReport)
    if not permissions.can_view_loss_report(request.user, report):
        raise Http404
    return report


@require_safe
def loss_report_detail(request, pk):
    report = _visible_loss_report(request, pk)
    return render(
        request, "devices/lossreport_detail.html", {"report": report, "reader": request.user}
    )


@require_safe
def loss_report_pdf(request, pk):
    report = _visible_loss_report(request, pk)
    return HttpResponse(
        render_pdf("devices/pdf/loss_report.html", {"report": report, "reader": request.user}),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="anmalan-{report.pk}.pdf"'},
    )


# --- subscriptions: barring (BAR-2) and delad faktura (SUB-6) ----------------------------


def _visible_subscription(request, pk):
    subscription = get_or_404(selectors.subscription_for_page, pk, Subscription)
    if not permissions.can_view_subscription(request.user, subscription):
        raise Http404
    return subscription


@require_http_methods(["GET", "POST"])
def barring(request, pk):
    subscription = _visible_subscription(request, pk)
    can_change = permissions.can_change_barring(request.user, subscription)
    form = BarringForm(request.POST or None, subscription=subscription) if can_change else None
    if request.method == "POST":
        require(can_change)
        assert form is not None  # there is a form whenever the user may change
        if form.is_valid():
            change = form.save(actor=request.user)
            if change is not None:
                messages.success(
                    request,
                    _("The change was sent to Tele kundtjänst as request #%(pk)s.")
                    % {"pk": change.pk},
                )
                return redirect("devices:barring", pk=subscription.pk)

    context = {
        "subscription": subscription,
        "form": form,
        "requests": with_change_rows(selectors.barring_requests(subscription)),
        "split_invoices": selectors.split_invoices(subscription),
        "can_request_split": permissions.can_request_split_invoice(request.user, subscription),
    }
    return render(request, "devices/subscription_barring.html", context)


@require_POST
def split_invoice_request(request, pk):
    subscription = _visible_subscription(request, pk)
    require(permissions.can_request_split_invoice(request.user, subscription))
    try:
        split = services.split_invoice_request(actor=request.user, subscription=subscription)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect("devices:barring", pk=subscription.pk)
    messages.success(request, _("Your request was sent to your manager for consent."))
    return redirect(split)


def _visible_split(request, pk):
    split = get_or_404(selectors.split_invoice_for_page, pk, SplitInvoice)
    if not permissions.can_view_split_invoice(request.user, split):
        raise Http404
    return split


@require_safe
def split_invoice_detail(request, pk):
    split = _visible_split(request, pk)
    user = request.user
    context = {
        "split": split,
        "can_consent": permissions.can_consent_split_invoice(user, split),
        "can_activate": permissions.can_activate_split_invoice(user, split),
        "can_end": permissions.can_end_split_invoice(user, split),
    }
    return render(request, "devices/splitinvoice_detail.html", context)


def _split_step(request, pk, allowed, service, done):
    split = _visible_split(request, pk)
    require(allowed(request.user, split))
    try:
        service(actor=request.user, split=split)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, done)
    return redirect(split)


@require_POST
def split_invoice_consent(request, pk):
    return _split_step(
        request,
        pk,
        permissions.can_consent_split_invoice,
        services.split_invoice_consent,
        _("You consented; Tele kundtjänst activates the split invoice."),
    )


@require_POST
def split_invoice_activate(request, pk):
    return _split_step(
        request,
        pk,
        permissions.can_activate_split_invoice,
        services.split_invoice_activate,
        _("The split invoice is active."),
    )


@require_http_methods(["GET", "POST"])
def split_invoice_end(request, pk):
    split = _visible_split(request, pk)
    require(permissions.can_end_split_invoice(request.user, split))
    return _reason_page(
        request,
        split,
        lambda reason: services.split_invoice_end(actor=request.user, split=split, reason=reason),
        success=_("The split invoice was ended."),
        title=_("End split invoice #%(pk)s") % {"pk": split.pk},
        submit_label=_("End"),
    )
