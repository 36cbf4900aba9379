"""Who may do what in the annual review (REV-1, SUB-5). Pure predicates on
organisation.permissions: role and scope are both needed."""

from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.models import Unit
from organisation.permissions import (
    is_budget_manager_of,
    is_forvaltningschef_of,
    is_manager_of_unit,
)

from .models import ReviewItem, UnitReview


def can_open_round(user: AnyUser) -> bool:
    """Tele kundtjänst opens a year's round (it also opens by itself on a set date)."""
    return is_service_desk_or_admin(user)


def is_reviewer_of(user: AnyUser, unit: Unit) -> bool:
    """The managers who decide a unit's review: an enhetschef of the unit or above, and
    the förvaltningschef for the förvaltning's own subscriptions (förvaltningskontoret)."""
    return is_manager_of_unit(user, unit) or (
        unit.is_forvaltning and is_forvaltningschef_of(user, unit)
    )


def can_view_unit_review(user: AnyUser, unit_review: UnitReview) -> bool:
    unit = unit_review.unit
    return (
        is_service_desk_or_admin(user)
        or is_reviewer_of(user, unit)
        or is_forvaltningschef_of(user, unit)
    )


def can_decide(user: AnyUser, unit_review: UnitReview) -> bool:
    """Decide rows and sign off: the unit's managers, and only while it is unsigned."""
    return not unit_review.is_signed and is_reviewer_of(user, unit_review.unit)


def can_view_item(user: AnyUser, item: ReviewItem) -> bool:
    return can_view_unit_review(user, item.unit_review) or is_budget_manager_of(
        user, item.subscription.cost_centre
    )


def can_confirm_cancellation(user: AnyUser, item: ReviewItem) -> bool:
    """SUB-5: the budget-responsible manager of the subscription's cost centre (whether
    there is anything to confirm is the service's to say)."""
    return is_budget_manager_of(user, item.subscription.cost_centre)


def can_view_progress(user: AnyUser) -> bool:
    """Progress per förvaltning: Tele kundtjänst (all) and förvaltningschefer (their own)."""
    return is_service_desk_or_admin(user) or Role.FORVALTNINGSCHEF in roles_of(user)
