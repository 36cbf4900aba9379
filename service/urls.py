from django.urls import path

from . import views

app_name = "service"
urlpatterns = [
    path("", views.index, name="index"),
    path("samtal/<int:pk>/", views.call_card, name="call_card"),
    path("aterringningar/", views.callback_list, name="callback_list"),
    path("aterringningar/ny/", views.callback_create, name="callback_create"),
    path("aterringningar/<int:pk>/", views.callback_detail, name="callback_detail"),
    path("aterringningar/<int:pk>/kontaktad/", views.callback_done, name="callback_done"),
    path("telefonanteckningar/", views.phonenote_list, name="phonenote_list"),
    path("telefonanteckningar/ny/", views.phonenote_create, name="phonenote_create"),
    path("telefonanteckningar/<int:pk>/", views.phonenote_detail, name="phonenote_detail"),
    path("hot/", views.threat_list, name="threat_list"),
    path("hot/ny/", views.threat_create, name="threat_create"),
    path("hot/<int:pk>/", views.threat_detail, name="threat_detail"),
    path("hot/<int:pk>/pdf/", views.threat_pdf, name="threat_pdf"),
    path("hot/<int:pk>/last/", views.threat_acknowledge, name="threat_acknowledge"),
]
