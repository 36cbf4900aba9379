from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self):
        from . import pickers, signals  # noqa: F401, PLC0415 -- signal handlers connect, picker sources register, when the registry is ready
