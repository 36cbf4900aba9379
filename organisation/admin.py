from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.roles import Role, has_role, is_service_desk

from .guideline import guideline
from .models import CostCentre, Guideline, Person, Unit


class HidesProtectedIdentities:
    """ORG-4 in the admin: rows that name a protected identity (through any of
    `protected_lookups`, each a path to a Person's protected_identity) are not listed,
    opened or shown in history for anyone but Tele kundtjänst. A systemadministratör
    (superuser) is outside every circle (issue 16.4): for them such a row does not exist."""

    protected_lookups: tuple[str, ...] = ()

    def shows_protected(self, request) -> bool:
        return is_service_desk(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if self.shows_protected(request):
            return queryset
        for lookup in self.protected_lookups:
            queryset = queryset.exclude(**{lookup: True})
        return queryset

    def _hidden(self, request, object_id) -> bool:
        if self.shows_protected(request):
            return False
        return not self.get_queryset(request).filter(pk=unquote(object_id)).exists()

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )


class OnlyServiceDesk:
    """A model the systemadministratör does not read (itemised statements, issue 16.4):
    only Tele kundtjänst sees it in the admin, superuser or not."""

    def has_module_permission(self, request):
        return is_service_desk(request.user) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request, obj=None):
        return is_service_desk(request.user) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):
        return is_service_desk(request.user) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        return is_service_desk(request.user) and super().has_delete_permission(request, obj)  # type: ignore[misc]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "parent", "code", "manager"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "manager"]
    filter_horizontal = ["telesamordnare"]

    def get_readonly_fields(self, request, obj=None):
        # A move rewrites the subtree's paths: it goes through "Flytta enheten" (unit_move).
        return ["parent"] if obj else []


@admin.register(Person)
class PersonAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("protected_identity",)
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


@admin.register(Guideline)
class GuidelineAdmin(SimpleHistoryAdmin):
    """X-1: the one row of rule parameters; Tele kundtjänst edits it, history-kept."""

    fieldsets = [
        (_("Organisation (ORG-2)"), {"fields": ["large_unit_min_staff"]}),
        (
            _("Call barring defaults (BAR-1)"),
            {
                "fields": [
                    "barring_domestic_open",
                    "barring_mobile_open",
                    "barring_international_open",
                    "barring_premium_open",
                    "barring_directory_enquiry_open",
                ]
            },
        ),
        (_("Subscriptions (SUB-5)"), {"fields": ["number_quarantine_days", "unused_months"]}),
        (
            _("Annual review (REV-1, REV-2)"),
            {
                "fields": [
                    "review_opens",
                    "review_deadline_days",
                    "review_max_age_days",
                    "review_reminder_days",
                    "review_escalation_days",
                ]
            },
        ),
        (_("Working day (ABS-1)"), {"fields": ["workday_starts", "workday_ends", "lunch_ends"]}),
        (
            _("Service to citizens (SRV-2, DIR-5)"),
            {"fields": ["callback_deadline_workdays", "callback_erase_days"]},
        ),
        (
            _("Costs (COST-2, COST-3)"),
            {
                "fields": [
                    "cost_deviation_factor",
                    "cost_deviation_min_sek",
                    "statement_visible_days",
                    "call_detail_retention_days",
                ]
            },
        ),
    ]

    def _may_edit(self, request):
        user = request.user
        return user.is_superuser or has_role(user, Role.TELEKUNDTJANST)

    def has_module_permission(self, request):
        return self._may_edit(request)

    def has_view_permission(self, request, obj=None):
        return self._may_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one row: the list goes straight to it."""
        if not self._may_edit(request):
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:organisation_guideline_change", args=[guideline().pk]))


@admin.register(CostCentre)
class CostCentreAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "budget_manager", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "budget_manager"]


# The user accounts: a protected person's account (its names, username and e-mail) is
# Tele kundtjänst's to see, like the person (ORG-4).
admin.site.unregister(User)


@admin.register(User)
class TelefoniUserAdmin(HidesProtectedIdentities, UserAdmin):
    protected_lookups = ("person__protected_identity",)
