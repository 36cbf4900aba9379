from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from common import pickers

from . import views
from .forms import LoginForm

admin.site.site_header = _("Telefoni – administration")
admin.site.site_title = _("Telefoni")

# 400, 403 and 404 are Django's views with the Swedish templates/4xx.html; the 500 page
# is rendered without the database.
handler500 = "telefoni.views.server_error"

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language menu works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("organisation/", include("organisation.urls")),
    path("kostnadsstallen/", include("costs.urls")),
    path("", include("subscriptions.urls")),
    path("telesok/", include("directory.urls")),
    path("hanvisning/", include("absence.urls")),
    path("utrustning/", include("devices.urls")),
    path("oversyn/", include("review.urls")),
    path("efterlevnad/", include("compliance.urls")),
    path("rostbrevlador/", include("voicemail.urls")),
    path("medborgarservice/", include("service.urls")),
    path("registerimport/", include("register.urls")),
    # The suggestions of the pickers that search (issue 19.3).
    path("val/<slug:source>/", pickers.suggest, name="picker"),
    path("api/", include("telefoni.api_urls")),
    path("admin/", admin.site.urls),
]
