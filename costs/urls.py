from django.urls import path

from . import views

app_name = "costs"

urlpatterns = [
    path("", views.cost_centre_list, name="cost_centre_list"),
    path("<int:pk>/", views.cost_centre_detail, name="cost_centre_detail"),
    path("<int:pk>/kostnader/", views.cost_centre_costs, name="cost_centre_costs"),
    path("kostnader/", views.cost_overview, name="cost_overview"),
    path("kostnader/manad/<int:pk>/", views.usage_record_detail, name="usage_record_detail"),
    path("kostnader/privat-andel/", views.private_share_export, name="private_share_export"),
    path("import/", views.usage_import_list, name="usage_import_list"),
    path("import/<int:pk>/", views.usage_import_detail, name="usage_import_detail"),
    path("import/<int:pk>/status.json", views.usage_import_status, name="usage_import_status"),
    path("import/<int:pk>/beslut/", views.usage_import_decide, name="usage_import_decide"),
    path("import/<int:pk>/angra/", views.usage_import_undo, name="usage_import_undo"),
    path(
        "import/<int:pk>/okanda-nummer.csv",
        views.usage_import_unknown_csv,
        name="usage_import_unknown_csv",
    ),
]

urlpatterns += [
    path("utdrag/", views.statement_list, name="statement_list"),
    path("utdrag/ny/", views.statement_create, name="statement_create"),
    path("utdrag/logg/", views.statement_access_log, name="statement_access_log"),
    path("utdrag/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("utdrag/<int:pk>/godkann/", views.statement_approve, name="statement_approve"),
    path("utdrag/<int:pk>/avsla/", views.statement_refuse, name="statement_refuse"),
    path("utdrag/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path(
        "utdrag/<int:pk>/operatorns-pdf/",
        views.statement_operator_pdf,
        name="statement_operator_pdf",
    ),
]
