from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        # The unit page (organisation, a layer below) shows the unit's open flags: the
        # panel is compliance's, handed to it here.
        from organisation.unit_panels import register_unit_panel  # noqa: PLC0415 -- models load only once the app registry is ready

        from .views import unit_page_flags  # noqa: PLC0415 -- models load only once the app registry is ready

        register_unit_panel("compliance/_unit_flags.html", unit_page_flags)
