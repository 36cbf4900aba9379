from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Redirect, Trip


@admin.register(Redirect)
class RedirectAdmin(SimpleHistoryAdmin):
    list_display = ["subscription", "kind", "reason", "starts_at", "ends_at", "target", "status"]
    list_filter = ["kind", "reason", "status", "target"]
    raw_id_fields = ["subscription", "target_subscription", "set_by"]


@admin.register(Trip)
class TripAdmin(SimpleHistoryAdmin):
    list_display = ["person", "destination", "starts_on", "ends_on", "checklist_sent_at"]
    raw_id_fields = ["person", "subscription", "registered_by"]
