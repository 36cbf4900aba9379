"""The annual review (REV-1, REV-2, SUB-5): thin views over services and selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.http import NOTHING_CHANGED, error_messages
from organisation import identity
from organisation.numbers import format_number

from . import exports, permissions, selectors, services
from .forms import ReviewDecisionsForm, RoundOpenForm
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


def _review_page(request, review, *, form=None):
    """The unit's review: every row in one table, the rows still to decide on one form
    (`form`: a bound or refilled ReviewDecisionsForm to show instead of a fresh one)."""
    can_decide = permissions.can_decide(request.user, review)
    items = form.items if form is not None else list(selectors.review_items(review))
    if can_decide and form is None:
        form = ReviewDecisionsForm(items=items)
    for item in items:
        item.form = form.forms.get(item.pk) if can_decide and form is not None else None
    context = {
        "review": review,
        "items": items,
        "candidates": [item for item in items if item.candidate_reason],
        "can_decide": can_decide,
        "form": form if can_decide else None,
        "undecided": sum(1 for item in items if not item.decision),
    }
    return render(request, "review/unitreview_detail.html", context)


def _conflict_message(user, item):
    """Swedish: which phone someone else decided meanwhile, and what they decided."""
    decider = item.decided_by
    who = (identity.person_name(user, getattr(decider, "person", None)) if decider else "") or (
        decider.get_username() if decider else _("someone else")
    )
    values = {
        "phone": identity.phone_label(user, item.subscription),
        "person": who,
        "decision": item.get_decision_display() or _("no decision"),
        "note": item.note or "–",
    }
    if item.is_final:
        return (
            _(
                "%(phone)s: %(person)s decided “%(decision)s” (note: %(note)s) after you opened "
                "the page, and it has been acted on. Your choice for this row was not saved."
            )
            % values
        )
    return (
        _(
            "%(phone)s: %(person)s decided “%(decision)s” (note: %(note)s) after you opened the "
            "page. Your choice for this row was not saved; it is still in the form. Save again "
            "to replace their decision."
        )
        % values
    )


@require_http_methods(["GET", "POST"])
def unit_review_detail(request, pk):
    """The unit's review; a POST saves every row's decision at once (REV-1)."""
    review = _visible_review(request, pk)
    if request.method != "POST":
        return _review_page(request, review)
    if not permissions.can_decide(request.user, review):
        if review.is_signed and permissions.is_reviewer_of(request.user, review.unit):
            messages.error(request, _("The review is signed and can no longer be changed."))
            return redirect("review:unit_review", pk=review.pk)
        raise PermissionDenied
    form = ReviewDecisionsForm(request.POST, items=list(selectors.review_items(review)))
    result = form.save(actor=request.user, unit_review=review) if form.is_valid() else None
    if result is None:
        for message in form.errors:
            messages.error(request, message)
        messages.error(request, _("Nothing was saved; see the marked rows below."))
        return _review_page(request, review, form=form)
    if result.saved:
        messages.success(
            request,
            ngettext("%(count)s decision saved.", "%(count)s decisions saved.", len(result.saved))
            % {"count": len(result.saved)},
        )
    elif not result.conflicts:
        messages.info(request, NOTHING_CHANGED)
    if not result.conflicts:
        return redirect("review:unit_review", pk=review.pk)
    # Rows someone else changed: say so, and show the rest as saved, with this manager's
    # input for those rows kept in the form on their current version.
    for item in result.conflicts:
        messages.error(request, _conflict_message(request.user, item))
    conflicting = {item.pk for item in result.conflicts}
    kept = {
        row.item_id: (row.decision, row.note) for row in form.rows() if row.item_id in conflicting
    }
    refilled = ReviewDecisionsForm(
        items=list(selectors.review_items(review)), kept_input=kept, conflicts=conflicting
    )
    return _review_page(request, review, form=refilled)


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
