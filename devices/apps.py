from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Devices and orders")

    def ready(self):
        from subscriptions.choices import RequestKind
        from subscriptions.selectors import register_target_queryset
        from subscriptions.services import register_apply_hook

        from .models import Device
        from .services import confirm_operator_block

        # The change request queue loads a device with what its name shows.
        register_target_queryset(lambda: Device.objects.select_related("model"))

        # SUB-7: applying a BLOCK request means the operator block is confirmed.
        register_apply_hook(RequestKind.BLOCK, confirm_operator_block)
