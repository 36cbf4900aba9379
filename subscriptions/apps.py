from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        # DEV-4: movers flags a mover's phones (organisation's person_moved signal) and links
        # the flag to its one-click change request; pickers registers the picker sources.
        from . import movers, pickers  # noqa: F401, PLC0415 -- they register when ready
