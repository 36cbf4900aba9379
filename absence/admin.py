from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import Redirect, Trip


@admin.register(Redirect)
class RedirectAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = (
        "subscription__holder__protected_identity",
        "target_subscription__holder__protected_identity",
    )
    list_display = ["subscription", "kind", "reason", "starts_at", "ends_at", "target", "status"]
    list_filter = ["kind", "reason", "status", "target"]
    raw_id_fields = ["subscription", "target_subscription", "set_by"]


@admin.register(Trip)
class TripAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("person__protected_identity",)
    list_display = ["person", "destination", "starts_on", "ends_on", "checklist_sent_at"]
    raw_id_fields = ["person", "subscription", "registered_by"]
