from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Citizen service")

    def ready(self):
        from . import pickers  # noqa: F401, PLC0415 -- picker sources register when the registry is ready
