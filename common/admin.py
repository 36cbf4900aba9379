"""The mail outbox in the admin (systemadministratör only): what waits, what was given up,
and "send again". Never a subject or a text: they may name a caller (DIR-5) or a protected
person (ORG-4), and a sent message keeps neither (common.outbox)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import mail, outbox
from common.roles import is_admin

from .models import OutboxMessage


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("waiting")), ("failed", _("given up")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


# What the admin shows of a message (never its subject or text).
SHOWN = (
    "recipient_list",
    "created_at",
    "sent_at",
    "failed_at",
    "attempts",
    "next_attempt_at",
    "last_error",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("pk", *SHOWN)
    list_filter = [OutboxStateFilter]
    readonly_fields = SHOWN
    exclude = ["subject", "body", "recipients"]
    ordering = ["-created_at"]
    actions = ["send_again"]

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)

    @admin.action(description=_("Send again"), permissions=["view"])
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        mail.queue_drain()
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
