"""The annual review (REV-1, REV-2, SUB-5): thin views over services and selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.http import error_messages
from organisation.numbers import format_number

from . import exports, permissions, selectors, services
from .forms import DecisionForm, RoundOpenForm
from .models import ReviewItem, ReviewRound, UnitReview


@require_http_methods(["GET", "POST"])
def index(request):
    """What the signed-in person has to do in the annual review: their units' reviews,
    cancellations to confirm; for Tele kundtjänst the rounds and opening a new one."""
    can_open = permissions.can_open_round(request.user)
    form = RoundOpenForm(request.POST or None) if can_open else None
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        assert form is not None  # there is a form whenever the user may open a round
        if form.is_valid():
            review_round = form.save(actor=request.user)
            if review_round is not None:
                messages.success(
                    request,
                    _("The annual review of %(year)s is open; the managers are told by e-mail.")
                    % {"year": review_round.year},
                )
                return redirect("review:index")
    can_view_progress = permissions.can_view_progress(request.user)
    context = {
        "form": form,
        "rounds": selectors.rounds() if can_open or can_view_progress else [],
        "reviews": selectors.reviews_to_decide(request.user),
        "cancellations": selectors.cancellations_to_confirm(request.user),
        "can_view_progress": can_view_progress,
    }
    return render(request, "review/index.html", context)


def _visible_review(request, pk):
    try:
        review = selectors.unit_review_for_page(pk)
    except UnitReview.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_unit_review(request.user, review):
        raise Http404
    return review


def _review_page(request, review, *, bound=None, status=200):
    can_decide = permissions.can_decide(request.user, review)
    items = list(selectors.review_items(review))
    for item in items:
        item.form = None
        if can_decide and not item.is_final:
            item.form = (
                bound if bound is not None and bound.item.pk == item.pk else DecisionForm(item=item)
            )
    undecided = sum(1 for item in items if not item.decision)
    context = {
        "review": review,
        "items": items,
        "can_decide": can_decide,
        "undecided": undecided,
    }
    return render(request, "review/unitreview_detail.html", context, status=status)


@require_safe
def unit_review_detail(request, pk):
    return _review_page(request, _visible_review(request, pk))


@require_POST
def item_decide(request, pk):
    item = get_object_or_404(ReviewItem.objects.select_related("subscription"), pk=pk)
    review = _visible_review(request, item.unit_review_id)
    if not permissions.can_decide(request.user, review):
        raise PermissionDenied
    item.unit_review = review
    form = DecisionForm(request.POST, item=item)
    row_url = reverse("review:unit_review", args=[review.pk]) + f"#rad-{item.pk}"
    if form.is_valid():
        if form.save(actor=request.user) is not None:
            messages.success(
                request,
                _("Decision saved for %(number)s.")
                % {"number": format_number(item.subscription.number)},
            )
            return redirect(row_url)
        if not any(form.has_error(name) for name in form.fields):
            # The row changed meanwhile (or was acted on): say so above the page and show
            # the row as it is now, with a form of its current version.
            for message in form.non_field_errors():
                messages.error(request, str(message))
            return redirect(row_url)
    messages.error(request, _("The decision was not saved; see the row below."))
    return _review_page(request, review, bound=form)


@require_POST
def unit_review_sign(request, pk):
    review = _visible_review(request, pk)
    if not permissions.can_decide(request.user, review):
        if review.is_signed and permissions.is_reviewer_of(request.user, review.unit):
            messages.error(request, _("The review is signed and can no longer be changed."))
            return redirect("review:unit_review", pk=review.pk)
        raise PermissionDenied
    try:
        services.unit_review_sign(actor=request.user, unit_review=review)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The review is signed. The PDF is kept with it."))
    return redirect("review:unit_review", pk=review.pk)


@require_safe
def unit_review_pdf(request, pk):
    review = _visible_review(request, pk)
    if not review.is_signed:
        raise Http404
    filename = (
        f"arlig-oversyn-{review.round.year}-{slugify(review.unit.name) or review.unit.pk}.pdf"
    )
    return HttpResponse(
        bytes(review.pdf),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_POST
def cancellation_confirm(request, pk):
    item = get_object_or_404(
        ReviewItem.objects.select_related(
            "subscription__cost_centre", "unit_review__unit", "unit_review__round"
        ),
        pk=pk,
    )
    if not permissions.can_view_item(request.user, item):
        raise Http404
    if not permissions.can_confirm_cancellation(request.user, item):
        raise PermissionDenied
    try:
        services.cancellation_confirm(actor=request.user, item=item)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(
            request,
            _("%(number)s is cancelled. The number rests before it is given out again.")
            % {"number": format_number(item.subscription.number)},
        )
    return redirect("review:index")


def _progress_round(request, year):
    if not permissions.can_view_progress(request.user):
        raise PermissionDenied
    review_round = get_object_or_404(ReviewRound, year=year)
    return review_round, selectors.progress(request.user, review_round)


@require_safe
def progress(request, year):
    review_round, rows = _progress_round(request, year)
    context = {"round": review_round, "rows": rows, "today": timezone.localdate()}
    return render(request, "review/progress.html", context)


@require_safe
def progress_csv(request, year):
    review_round, rows = _progress_round(request, year)
    return exports.response(rows, review_round, "csv")


@require_safe
def progress_xlsx(request, year):
    review_round, rows = _progress_round(request, year)
    return exports.response(rows, review_round, "xlsx")
