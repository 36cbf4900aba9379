"""The admin site: staff as usual, and Tele kundtjänst for what it keeps there (X-1's
guideline settings). Each model admin still decides what a user may see or change."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig

from common.roles import Role, has_role


class TelefoniAdminSite(AdminSite):
    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or has_role(user, Role.TELEKUNDTJANST))


class TelefoniAdminConfig(AdminConfig):
    default_site = "telefoni.admin.TelefoniAdminSite"
