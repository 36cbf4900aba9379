from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export"),
    path("krav/<str:rule_id>/", views.rule_flags, name="rule"),
    path("enhet/<int:pk>/", views.unit_dashboard, name="unit"),
    path("enhet/<int:pk>/export.<str:fmt>", views.export, name="unit_export"),
    path("enhet/<int:pk>/krav/<str:rule_id>/", views.rule_flags, name="unit_rule"),
]
