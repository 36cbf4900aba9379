from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import Listening, MessageRecord, VoicemailBox


@admin.register(VoicemailBox)
class VoicemailBoxAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("subscription__holder__protected_identity",)
    list_display = ["subscription", "kind", "is_on", "deputy", "approved_by", "approved_at"]
    list_filter = ["kind", "is_on"]
    raw_id_fields = ["subscription", "approved_by", "greeting_confirmed_by", "deputy"]


@admin.register(Listening)
class ListeningAdmin(HidesProtectedIdentities, admin.ModelAdmin):
    protected_lookups = ("box__subscription__holder__protected_identity",)
    list_display = ["box", "listened_at", "by", "source", "event_id"]
    list_filter = ["source"]
    raw_id_fields = ["box", "by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MessageRecord)
class MessageRecordAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    """VM-5: a registration is kept; nobody deletes it, not even here."""

    protected_lookups = ("box__subscription__holder__protected_identity",)

    list_display = ["received_at", "caller", "unit", "is_public_record", "case_number"]
    list_filter = ["is_public_record"]
    raw_id_fields = ["box", "unit", "registered_by"]

    def has_delete_permission(self, request, obj=None):
        return False
