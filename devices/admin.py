from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.admin import HidesProtectedIdentities

from .models import CatalogueItem, Device, LossReport, Order, PinView, SimCard, SplitInvoice


@admin.register(CatalogueItem)
class CatalogueItemAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "price", "is_orderable"]
    list_filter = ["kind", "is_orderable"]


@admin.register(Device)
class DeviceAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("holder__protected_identity", "subscription__holder__protected_identity")
    list_display = ["model", "imei", "holder", "function_name", "unit", "status"]
    list_filter = ["status"]
    search_fields = ["imei", "serial_number", "theft_mark"]
    raw_id_fields = ["holder", "unit", "cost_centre", "subscription"]


@admin.register(SimCard)
class SimCardAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("subscription__holder__protected_identity",)
    # PIN and PUK are read only through the logged view (DEV-5).
    list_display = ["iccid", "subscription", "device"]
    exclude = ["pin", "puk"]
    raw_id_fields = ["subscription", "device"]


@admin.register(PinView)
class PinViewAdmin(HidesProtectedIdentities, admin.ModelAdmin):
    protected_lookups = (
        "sim__subscription__holder__protected_identity",
        "viewed_by__person__protected_identity",
    )
    list_display = ["sim", "viewed_by", "viewed_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("holder__protected_identity",)
    list_display = ["pk", "kind", "unit", "status", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["holder", "unit", "forvaltning", "cost_centre", "device"]


@admin.register(LossReport)
class LossReportAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = (
        "device__holder__protected_identity",
        "subscription__holder__protected_identity",
    )
    list_display = ["pk", "device", "kind", "reported_at"]
    raw_id_fields = ["device", "subscription", "block_request"]


@admin.register(SplitInvoice)
class SplitInvoiceAdmin(HidesProtectedIdentities, SimpleHistoryAdmin):
    protected_lookups = ("subscription__holder__protected_identity",)
    list_display = ["pk", "subscription", "status"]
    raw_id_fields = ["subscription"]
