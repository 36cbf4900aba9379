from django.urls import path

from . import views

app_name = "devices"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("katalog/", views.catalogue_list, name="catalogue_list"),
    path("katalog/ny/", views.catalogue_edit, name="catalogue_create"),
    path("katalog/<int:pk>/andra/", views.catalogue_edit, name="catalogue_edit"),
    path("bestallningar/", views.order_list, name="order_list"),
    path("bestallningar/ny/", views.order_create, name="order_create"),
    path("bestallningar/<int:pk>/", views.order_detail, name="order_detail"),
    path("bestallningar/<int:pk>/skicka/", views.order_submit, name="order_submit"),
    path("bestallningar/<int:pk>/ta-bort/", views.order_delete, name="order_delete"),
    path("bestallningar/<int:pk>/godkann/", views.order_approve, name="order_approve"),
    path("bestallningar/<int:pk>/till-tele/", views.order_send, name="order_send"),
    path("bestallningar/<int:pk>/avvisa/", views.order_reject, name="order_reject"),
    path("bestallningar/<int:pk>/leverera/", views.order_deliver, name="order_deliver"),
    path("forvaltning/<int:pk>/", views.inventory, name="inventory"),
    path(
        "forvaltning/<int:pk>/inventarie.<str:fmt>",
        views.inventory_export,
        name="inventory_export",
    ),
    path("forvaltning/<int:pk>/etiketter/", views.labels, name="labels"),
    path("forvaltning/<int:pk>/ny-enhet/", views.device_create, name="device_create"),
    path("enheter/<int:pk>/", views.device_detail, name="device_detail"),
    path("enheter/<int:pk>/andra/", views.device_edit, name="device_edit"),
    path("enheter/<int:pk>/kostnadsstalle/", views.device_cost_centre, name="device_cost_centre"),
    path("enheter/<int:pk>/sim/", views.sim_create, name="sim_create"),
    path("enheter/<int:pk>/forlust/", views.loss_report_create, name="loss_report_create"),
    path("sim/<int:pk>/pin/", views.sim_pin, name="sim_pin"),
    path("forlust/<int:pk>/", views.loss_report_detail, name="loss_report_detail"),
    path("forlust/<int:pk>/pdf/", views.loss_report_pdf, name="loss_report_pdf"),
    path("abonnemang/<int:pk>/sparrar/", views.barring, name="barring"),
    path(
        "abonnemang/<int:pk>/delad-faktura/",
        views.split_invoice_request,
        name="split_invoice_request",
    ),
    path("delad-faktura/<int:pk>/", views.split_invoice_detail, name="split_invoice_detail"),
    path(
        "delad-faktura/<int:pk>/samtycke/",
        views.split_invoice_consent,
        name="split_invoice_consent",
    ),
    path(
        "delad-faktura/<int:pk>/aktivera/",
        views.split_invoice_activate,
        name="split_invoice_activate",
    ),
    path("delad-faktura/<int:pk>/avsluta/", views.split_invoice_end, name="split_invoice_end"),
]
