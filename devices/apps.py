from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Devices and orders")

    def ready(self):
        from subscriptions.choices import RequestKind  # noqa: PLC0415 -- models load only once the app registry is ready
        from subscriptions.selectors import register_target_queryset  # noqa: PLC0415 -- models load only once the app registry is ready
        from subscriptions.services import register_apply_hook  # noqa: PLC0415 -- models load only once the app registry is ready

        from . import pickers  # noqa: F401, PLC0415 -- picker sources register when the registry is ready
        from .models import Device  # noqa: PLC0415 -- models load only once the app registry is ready
        from .services import confirm_operator_block  # noqa: PLC0415 -- models load only once the app registry is ready

        # The change request queue loads a device with what its name shows.
        register_target_queryset(lambda: Device.objects.select_related("model"))

        # SUB-7: applying a BLOCK request means the operator block is confirmed.
        register_apply_hook(RequestKind.BLOCK, confirm_operator_block)
