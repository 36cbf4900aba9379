from django.urls import include, path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("traffar/", views.search, {"fragment": True}, name="search_results"),
    path("person/<int:pk>/", views.person, name="person"),
    path("enhet/<int:pk>/", views.unit, name="unit"),
    # The unit exports (CSV, vCard): enhet/<pk>/export.csv and .vcf.
    path("", include("directory.export_urls")),
]
