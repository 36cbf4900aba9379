from django.contrib import admin

from .models import Flag


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "content_type",
        "object_id",
        "unit",
        "responsible",
        "opened_at",
        "resolved_at",
        "notified_at",
    ]
    list_filter = ["rule", "resolved_at"]
    raw_id_fields = ["unit", "responsible"]

    def has_add_permission(self, request):
        # Flags are opened and closed only by the sweeps (compliance.services).
        return False

    def has_change_permission(self, request, obj=None):
        return False
