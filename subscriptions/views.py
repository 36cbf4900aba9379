"""DIR-4: Mina uppgifter, the Tele kundtjänst queue, direct edits and entry history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.http import NOTHING_CHANGED, error_messages
from organisation.identity import person_name, phone_is_hidden
from organisation.models import Person
from organisation.permissions import can_view_person, person_of

from . import movers, permissions, selectors, services
from .forms import (
    ChangeRequestFilterForm,
    DeskEntryForm,
    HandOverForm,
    OwnEntryForm,
    RejectForm,
    SubscriptionEndForm,
)
from .models import ChangeRequest, Subscription

QUEUE_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def my_entry(request):
    """The signed-in holder's own entry: there is deliberately no id in the URL, so no
    one can reach another person's form."""
    own = person_of(request.user)
    if own is None:
        return render(request, "subscriptions/my_entry.html", {"person": None})
    person = selectors.entry_for_page(own.pk)
    form = OwnEntryForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        change_request = form.save(actor=request.user)
        if change_request is not None:
            messages.success(
                request,
                _(
                    "Your change was sent to Tele kundtjänst as request #%(pk)s. Your entry "
                    "changes when the request is applied."
                )
                % {"pk": change_request.pk},
            )
            return redirect("subscriptions:my_entry")
        if not form.errors:
            messages.info(request, _("Nothing to send: the form matches your entry."))
            return redirect("subscriptions:my_entry")
    context = {
        "person": person,
        "form": form,
        "requests": selectors.with_change_rows(selectors.entry_requests(person)),
    }
    return render(request, "subscriptions/my_entry.html", context)


def _require_desk(user):
    if not permissions.can_handle_change_requests(user):
        raise PermissionDenied


def _next_url(request):
    """The queue page (with its filters) a decision was made from; never another site."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back_to_queue(request):
    return redirect(_next_url(request) or "subscriptions:change_request_list")


def change_request_list(request):
    _require_desk(request.user)
    form = ChangeRequestFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page = Paginator(selectors.change_request_queue(**form.filters()), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "requests": selectors.with_change_rows(page.object_list),
        "reject_form": RejectForm(),
    }
    return render(request, "subscriptions/changerequest_list.html", context)


@require_POST
def change_request_apply(request, pk):
    _require_desk(request.user)
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    try:
        services.change_request_apply(actor=request.user, request=change_request)
    except ValidationError as exc:
        # A stale or already decided request: the service says why; nothing changed.
        error_messages(request, exc)
    else:
        messages.success(request, _("Request #%(pk)s was applied.") % {"pk": pk})
    return _back_to_queue(request)


@require_http_methods(["GET", "POST"])
def change_request_reject(request, pk):
    _require_desk(request.user)
    change_request = get_object_or_404(selectors.change_request_queue(status=None), pk=pk)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_reject(
                actor=request.user, request=change_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Request #%(pk)s was rejected.") % {"pk": pk})
            return _back_to_queue(request)
    (change_request,) = selectors.with_change_rows([change_request])
    next_url = _next_url(request)
    context = {
        "change_request": change_request,
        "form": form,
        "next": next_url,
        "cancel_url": next_url or reverse("subscriptions:change_request_list"),
    }
    return render(request, "subscriptions/changerequest_reject_form.html", context)


def _visible_entry(request, pk):
    """The person of an entry; 404 for unknown ids and protected identities the user may
    not see (ORG-4)."""
    try:
        person = selectors.entry_for_page(pk)
    except Person.DoesNotExist:
        raise Http404 from None
    if not can_view_person(request.user, person):
        raise Http404
    return person


@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    person = _visible_entry(request, pk)
    if not permissions.can_edit_entry(request.user, person):
        raise PermissionDenied
    form = DeskEntryForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        changed = form.save(actor=request.user)
        if changed is not None:
            if changed:
                messages.success(request, _("The entry was saved."))
            else:
                messages.info(request, NOTHING_CHANGED)
            return redirect("subscriptions:entry_history", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "cancel_url": reverse("subscriptions:entry_history", args=[person.pk]),
    }
    return render(request, "subscriptions/entry_form.html", context)


def entry_history(request, pk):
    person = _visible_entry(request, pk)
    if not permissions.can_view_entry_history(request.user, person):
        raise PermissionDenied
    context = {
        "person": person,
        "history": selectors.entry_history(person),
        "can_edit": permissions.can_edit_entry(request.user, person),
    }
    return render(request, "subscriptions/entry_history.html", context)


# --- SUB-5, X-3: the subscription's page, "Säg upp" and "Lämna över" --------------------


def _visible_subscription(request, pk):
    """The subscription; 404 for an unknown id and for a protected holder's phone the user
    may not see (ORG-4); 403 for one the user has no business with."""
    try:
        subscription = selectors.subscription_for_page(pk)
    except Subscription.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_subscription(request.user, subscription):
        if phone_is_hidden(request.user, subscription):
            raise Http404
        raise PermissionDenied
    return subscription


def subscription_detail(request, pk):
    subscription = _visible_subscription(request, pk)
    context = {
        "subscription": subscription,
        "cancellations": selectors.cancellation_requests(subscription),
        "can_end": permissions.can_end_subscription(request.user, subscription),
        "can_hand_over": permissions.can_hand_over_subscription(request.user, subscription),
        "can_change_barring": permissions.can_change_barring(request.user, subscription),
    }
    return render(request, "subscriptions/subscription_detail.html", context)


@require_http_methods(["GET", "POST"])
def subscription_end(request, pk):
    subscription = _visible_subscription(request, pk)
    if not permissions.can_end_subscription(request.user, subscription):
        raise PermissionDenied
    form = SubscriptionEndForm(request.POST or None, subscription=subscription)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(
            request,
            _(
                "The subscription is cancelled. Tele kundtjänst cancels it at the operator, "
                "and the phone is back in stock."
            ),
        )
        return redirect("subscriptions:subscription_detail", pk=subscription.pk)
    context = {"subscription": subscription, "form": form}
    return render(request, "subscriptions/subscription_end_form.html", context)


@require_http_methods(["GET", "POST"])
def subscription_hand_over(request, pk):
    subscription = _visible_subscription(request, pk)
    if not permissions.can_hand_over_subscription(request.user, subscription):
        raise PermissionDenied
    form = HandOverForm(request.POST or None, subscription=subscription, reader=request.user)
    if request.method == "POST" and form.is_valid():
        handed = form.save(actor=request.user)
        if handed is not None:
            messages.success(
                request,
                _("The subscription was handed over to %(name)s; both have been told.")
                % {"name": person_name(request.user, handed.holder)},
            )
            return redirect("subscriptions:subscription_detail", pk=subscription.pk)
    context = {"subscription": subscription, "form": form}
    return render(request, "subscriptions/subscription_hand_over_form.html", context)


@require_http_methods(["GET", "POST"])
def mover_cost_centre(request, pk):
    """DEV-4: the one click that asks Tele kundtjänst to move a mover's phone to the cost
    centre of the holder's new unit."""
    subscription = get_object_or_404(
        Subscription.objects.select_related(
            "holder__unit__forvaltning", "unit", "cost_centre__unit"
        ).filter(holder__isnull=False),
        pk=pk,
    )
    if not can_view_person(request.user, subscription.holder):
        raise Http404
    if not permissions.can_request_mover_cost_centre(request.user, subscription):
        raise PermissionDenied
    if request.method == "POST":
        try:
            change_request = movers.mover_cost_centre_request(
                actor=request.user, subscription=subscription
            )
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(
                request,
                _("Request #%(pk)s was sent to Tele kundtjänst.") % {"pk": change_request.pk},
            )
        return redirect("subscriptions:mover_cost_centre", pk=subscription.pk)
    return render(
        request,
        "subscriptions/mover_cost_centre.html",
        {
            "subscription": subscription,
            "holder": subscription.holder,
            "new_cost_centre": movers.cost_centre_for(subscription.holder.unit),
            "pending": movers.pending_move_request(subscription),
        },
    )
