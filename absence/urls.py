from django.urls import path

from . import views

app_name = "absence"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("snabbval/", views.quick, name="quick"),
    path("tillbaka/", views.back, name="back"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/avsluta/", views.end, name="end"),
    path("sjuk/<int:pk>/", views.sick, name="sick"),
    path("resor/", views.trips, name="trips"),
    path("enhet/<int:pk>/tider/", views.unit_hours, name="unit_hours"),
]
