from django.urls import path

from . import views

app_name = "costs"

urlpatterns = [
    path("", views.cost_centre_list, name="cost_centre_list"),
    path("<int:pk>/", views.cost_centre_detail, name="cost_centre_detail"),
]
