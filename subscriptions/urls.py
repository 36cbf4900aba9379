from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("mina-uppgifter/", views.my_entry, name="my_entry"),
    path(
        "abonnemang/<int:pk>/flyttad-innehavare/",
        views.mover_cost_centre,
        name="mover_cost_centre",
    ),
    path("andringar/", views.change_request_list, name="change_request_list"),
    path("andringar/<int:pk>/genomfor/", views.change_request_apply, name="change_request_apply"),
    path("andringar/<int:pk>/avvisa/", views.change_request_reject, name="change_request_reject"),
    path("poster/<int:pk>/andra/", views.entry_edit, name="entry_edit"),
    path("poster/<int:pk>/historik/", views.entry_history, name="entry_history"),
    path("abonnemang/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("abonnemang/<int:pk>/sag-upp/", views.subscription_end, name="subscription_end"),
    path(
        "abonnemang/<int:pk>/lamna-over/",
        views.subscription_hand_over,
        name="subscription_hand_over",
    ),
]
