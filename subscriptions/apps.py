from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        # DEV-4: flags a mover's phones (organisation's person_left signal) and links the
        # flag to its one-click change request (subscriptions/movers.py).
        from . import movers  # noqa: F401, PLC0415 -- signal handlers connect when the registry is ready
