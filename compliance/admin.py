from django.contrib import admin

from organisation.admin import HidesProtectedIdentities

from .models import Flag


@admin.register(Flag)
class FlagAdmin(HidesProtectedIdentities, admin.ModelAdmin):
    protected_lookups = ("responsible__protected_identity",)
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
