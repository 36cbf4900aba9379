from django.urls import path

from . import views

app_name = "register"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/status.json", views.import_status, name="import_status"),
    path("exempel/<str:name>", views.sample, name="sample"),
]
