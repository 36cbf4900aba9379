from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities, OnlyServiceDesk

from .models import StatementAccess, StatementRequest, UsageImport, UsageRecord


@admin.register(UsageImport)
class UsageImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status", "row_count"]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = [field.name for field in UsageImport._meta.fields if field.name != "content"]


@admin.register(UsageRecord)
class UsageRecordAdmin(HidesProtectedIdentities, admin.ModelAdmin):
    protected_lookups = ("subscription__holder__protected_identity",)
    list_display = ["subscription", "period", "cost_centre", "total", "explained_at"]
    list_filter = ["period"]
    raw_id_fields = ["subscription", "cost_centre", "usage_import", "explained_by"]
    search_fields = ["subscription__number"]


@admin.register(StatementRequest)
class StatementRequestAdmin(OnlyServiceDesk, SimpleHistoryAdmin):
    """The request and its decision; the content (calls, operator's PDF) is not shown here:
    only the requester reads it, in the app, where every view is logged (COST-3)."""

    list_display = ["pk", "subscription", "period", "requested_by", "status", "decided_at"]
    list_filter = ["status"]
    exclude = ["operator_pdf"]
    readonly_fields = [
        field.name for field in StatementRequest._meta.fields if field.name != "operator_pdf"
    ]

    def has_add_permission(self, request):
        return False


@admin.register(StatementAccess)
class StatementAccessAdmin(HidesProtectedIdentities, admin.ModelAdmin):
    """Append-only: readable, never changed or deleted."""

    protected_lookups = ("statement__subscription__holder__protected_identity",)

    list_display = ["accessed_at", "user", "action", "statement", "ip_address"]
    list_filter = ["action"]
    readonly_fields = [field.name for field in StatementAccess._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
