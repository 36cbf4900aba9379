from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import ChangeRequest, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("holder__protected_identity",)
    list_display = ["number", "extension", "kind", "holder", "function_name", "unit", "status"]
    list_filter = ["kind", "status", "power_secured"]
    search_fields = ["number", "extension", "function_name", "holder__last_name"]
    raw_id_fields = ["holder", "unit", "cost_centre", "voice_message_phone"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("requested_by__person__protected_identity",)
    list_display = ["pk", "kind", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["requested_by", "decided_by", "forvaltning"]
