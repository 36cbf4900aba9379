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
        from organisation.leavers import person_left  # noqa: PLC0415 -- as above

        from .services import sweep_successors  # noqa: PLC0415 -- as above

        def _name_successors(sender, person_ids=(), **kwargs):
            sweep_successors()

        person_left.connect(_name_successors, dispatch_uid="compliance.name_successors", weak=False)
