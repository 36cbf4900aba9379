"""Admin registrations. DIR-5: no search on callers' numbers or e-mails, and they are not
listed. Phone notes cannot be deleted by anyone, here or elsewhere: they are case
documentation (allmän handling) and are thinned only by the archive's gallring, outside
Telefoni. Threat reports are not in the admin at all: only the reporter, their manager,
the förvaltningschef and Tele kundtjänst read them (SRV-4), not a systemadministratör."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import Callback, PhoneNote


@admin.register(Callback)
class CallbackAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("recipient__protected_identity",)
    list_display = ["caller_name", "recipient", "channel", "deadline", "status", "erased_at"]
    list_filter = ["status", "channel"]
    search_fields = ["caller_name", "recipient__last_name", "recipient__first_name"]
    raw_id_fields = ["recipient", "recorded_by", "done_by"]
    readonly_fields = ["erased_at"]


@admin.register(PhoneNote)
class PhoneNoteAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "received_at", "caller", "unit", "written_by"]
    search_fields = ["case_number"]
    raw_id_fields = ["unit", "written_by"]

    def has_delete_permission(self, request, obj=None):
        return False
