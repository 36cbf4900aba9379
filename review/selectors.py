"""Reads of the annual review that views, the PDF and the sweep share."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.inbox import Source
from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from costs.selectors import last_traffic_period
from organisation.models import Unit
from organisation.permissions import person_of

from .choices import Decision, ReviewStatus
from .models import ReviewItem, ReviewRound, UnitReview


def rounds() -> QuerySet[ReviewRound]:
    return ReviewRound.objects.select_related("opened_by__person").order_by("-year")


def current_round() -> ReviewRound | None:
    return ReviewRound.objects.order_by("-year").first()


def unit_review_for_page(pk: int) -> UnitReview:
    return UnitReview.objects.select_related(
        "round", "unit__manager", "unit__forvaltning", "signed_by__person"
    ).get(pk=pk)


def review_items(review: UnitReview) -> QuerySet[ReviewItem]:
    """The rows of a review with everything its page and PDF show; `last_traffic` is the
    newest month the phone had traffic (costs), a usage hint without amounts."""
    return (
        ReviewItem.objects.filter(unit_review=review)
        .annotate(last_traffic=last_traffic_period("subscription_id"))
        .select_related(
            "subscription__holder__unit",
            "subscription__unit",
            "subscription__cost_centre",
            "decided_by__person",
            "cancel_confirmed_by__person",
            "change_request",
        )
        .order_by("subscription__number", "pk")
    )


def _with_counts(reviews: QuerySet[UnitReview]) -> QuerySet[UnitReview]:
    return reviews.annotate(
        total=Count("items", distinct=True),
        decided=Count("items", filter=~Q(items__decision=""), distinct=True),
    )


def reviews_to_decide(user: AnyUser) -> QuerySet[UnitReview]:
    """Unit reviews the user decides (open or signed), newest round first."""
    person = person_of(user)
    if person is None:
        return UnitReview.objects.none()
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if Role.ENHETSCHEF in roles:
        for path in person.managed_units.values_list("path", flat=True):
            condition |= Q(unit__path__startswith=path)
    if Role.FORVALTNINGSCHEF in roles:
        condition |= Q(unit__parent__isnull=True, unit__manager=person)
    return _with_counts(
        UnitReview.objects.filter(condition).select_related("round", "unit", "signed_by__person")
    ).order_by("-round__year", "unit__path")


def _open_reviews(user: AnyUser) -> QuerySet[UnitReview] | None:
    """The unsigned unit reviews the user decides, or None (no query) for users who
    manage nothing."""
    person = person_of(user)
    roles = roles_of(user)
    if person is None or not roles & {Role.ENHETSCHEF, Role.FORVALTNINGSCHEF}:
        return None
    headed = Unit.objects.filter(manager=person)
    condition: Q | Combinable = Q(pk__in=[])
    if Role.ENHETSCHEF in roles:
        condition |= Exists(headed.filter(StartsWith(OuterRef("unit__path"), F("path"))))
    if Role.FORVALTNINGSCHEF in roles:
        condition |= Q(unit__parent__isnull=True, unit__manager=person)
    return UnitReview.objects.exclude(status=ReviewStatus.SIGNED).filter(condition)


def has_open_review(user: AnyUser) -> bool:
    """Whether the user has an unsigned unit review to decide: one query, and none for
    users who manage nothing."""
    reviews = _open_reviews(user)
    return reviews is not None and reviews.exists()


def cancellations_to_confirm(user: AnyUser) -> QuerySet[ReviewItem]:
    """SUB-5: cancellations the review decided that this budget-responsible manager must
    confirm."""
    person = person_of(user)
    if person is None or Role.BUDGETCHEF not in roles_of(user):
        return ReviewItem.objects.none()
    return (
        ReviewItem.objects.filter(
            decision=Decision.CANCEL,
            cancel_confirmed_at__isnull=True,
            subscription__cost_centre__budget_manager=person,
        )
        .select_related(
            "subscription__holder",
            "subscription__cost_centre",
            "unit_review__round",
            "unit_review__unit",
            "decided_by__person",
        )
        .order_by("decided_at", "pk")
    )


@dataclass
class ForvaltningProgress:
    forvaltning: Unit
    signed: int = 0
    in_progress: int = 0
    not_started: int = 0
    reviews: list[UnitReview] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.signed + self.in_progress + self.not_started


def progress(user: AnyUser, review_round: ReviewRound) -> list[ForvaltningProgress]:
    """Progress of a round per förvaltning (REV-1): units signed, in progress and not
    started, with each unit's row. Tele kundtjänst sees all, a förvaltningschef their own."""
    reviews = UnitReview.objects.filter(round=review_round)
    if not is_service_desk_or_admin(user):
        person = person_of(user)
        reviews = reviews.filter(unit__forvaltning__manager=person) if person else reviews.none()
    reviews = _with_counts(
        reviews.select_related("unit__forvaltning", "unit__manager", "signed_by__person")
    ).order_by("unit__forvaltning__name", "unit__path")
    by_forvaltning: dict[int, ForvaltningProgress] = {}
    for review in reviews:
        forvaltning = review.unit.forvaltning
        assert forvaltning is not None  # a saved unit always has its förvaltning
        row = by_forvaltning.setdefault(forvaltning.pk, ForvaltningProgress(forvaltning))
        row.reviews.append(review)
        if review.status == ReviewStatus.SIGNED:
            row.signed += 1
        elif review.status == ReviewStatus.IN_PROGRESS:
            row.in_progress += 1
        else:
            row.not_started += 1
    return list(by_forvaltning.values())


# --- The start page's inbox (issue 19.1) -------------------------------------------------


def waiting_for(user: AnyUser) -> list[Source]:
    """REV-1: the unit reviews to decide and sign (since their round opened); SUB-5: the
    cancellations to confirm (since the review decided them)."""
    sources: list[Source] = []
    reviews = _open_reviews(user)
    if reviews is not None:
        sources.append(
            Source(
                key="review.to_sign",
                label=_("Annual reviews to decide and sign"),
                waiting=reviews,
                since="round__opened_at",
                url=reverse("review:index"),
                detail=lambda pk: reverse("review:unit_review", args=[pk]),
            )
        )
    if Role.BUDGETCHEF in roles_of(user):
        sources.append(
            Source(
                key="review.cancellations",
                label=_("Cancellations to confirm"),
                waiting=cancellations_to_confirm(user),
                since="decided_at",
                url=reverse("review:index"),
            )
        )
    return sources
