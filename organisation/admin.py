from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Person, Unit


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "parent", "code", "manager"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "manager"]
    filter_horizontal = ["telesamordnare"]

    def get_readonly_fields(self, request, obj=None):
        # Units do not move: the materialised path of a subtree is fixed at creation.
        return ["parent"] if obj else []


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = [
        "last_name",
        "first_name",
        "title",
        "unit",
        "kind",
        "protected_identity",
        "is_active",
    ]
    list_filter = ["kind", "protected_identity", "is_active"]
    search_fields = ["first_name", "last_name", "title", "external_id", "email"]
    raw_id_fields = ["unit", "user"]
