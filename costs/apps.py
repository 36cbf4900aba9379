from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "costs"
    verbose_name = _("Costs")

    def ready(self):
        from . import pickers  # noqa: F401, PLC0415 -- picker sources register when the registry is ready
