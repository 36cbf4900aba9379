from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CostCentre, UsageImport, UsageRecord


@admin.register(CostCentre)
class CostCentreAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "budget_manager", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "budget_manager"]


@admin.register(UsageImport)
class UsageImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status", "row_count"]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = [field.name for field in UsageImport._meta.fields if field.name != "content"]


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["subscription", "period", "cost_centre", "total", "explained_at"]
    list_filter = ["period"]
    raw_id_fields = ["subscription", "cost_centre", "usage_import", "explained_by"]
    search_fields = ["subscription__number"]
