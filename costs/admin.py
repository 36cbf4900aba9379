from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CostCentre


@admin.register(CostCentre)
class CostCentreAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "budget_manager", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "budget_manager"]
