from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import ReviewItem, ReviewRound, UnitReview


@admin.register(ReviewRound)
class ReviewRoundAdmin(SimpleHistoryAdmin):
    list_display = ("year", "opened_at", "deadline")
    readonly_fields = ("year", "opened_at", "opened_by")


@admin.register(UnitReview)
class UnitReviewAdmin(SimpleHistoryAdmin):
    list_display = ("round", "unit", "status", "signed_at")
    list_filter = ("round", "status")
    list_select_related = ("round", "unit")
    readonly_fields = ("round", "unit", "status", "signed_by", "signed_at")


@admin.register(ReviewItem)
class ReviewItemAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("subscription__holder__protected_identity",)
    list_display = ("subscription", "unit_review", "decision", "candidate_reason")
    list_filter = ("decision", "candidate_reason")
    list_select_related = ("subscription", "unit_review__round", "unit_review__unit")
    raw_id_fields = ("subscription", "unit_review", "change_request")
    readonly_fields = ("decided_by", "decided_at", "cancel_confirmed_by", "cancel_confirmed_at")
