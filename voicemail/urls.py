from django.urls import path

from . import views

app_name = "voicemail"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/avlyssnad/", views.listen, name="listen"),
    path("<int:pk>/pa-av/", views.switch, name="switch"),
    path("<int:pk>/halsning/", views.greeting, name="greeting"),
    path("<int:pk>/bevakare/", views.deputy, name="deputy"),
    path("<int:pk>/meddelanden/ny/", views.record_create, name="record_create"),
    path("meddelanden/<int:pk>/", views.record_detail, name="record"),
    path("meddelanden/<int:pk>/andra/", views.record_edit, name="record_edit"),
    path("meddelanden/arende/", views.case_records, name="case_records"),
    path("enhet/<int:pk>/", views.unit, name="unit"),
    path("enhet/<int:pk>/godkann/", views.approve, name="approve"),
    path("enhet/<int:pk>/meddelanden/", views.unit_records, name="unit_records"),
    path("lank/<str:token>/", views.link, name="link"),
]
