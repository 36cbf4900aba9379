"""Exports of a unit's directory, included from directory/urls.py (namespace "directory"):
/telesok/enhet/<pk>/export.csv and /telesok/enhet/<pk>/export.vcf."""

from django.urls import path

from . import exports

urlpatterns = [
    path("enhet/<int:pk>/export.csv", exports.unit_export_csv, name="unit_export_csv"),
    path("enhet/<int:pk>/export.vcf", exports.unit_export_vcf, name="unit_export_vcf"),
]
