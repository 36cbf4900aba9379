from django.urls import path

from . import leaver_views, orgfile_views, sync_views, views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_tree, name="unit_list"),
    path("ny-forvaltning/", views.unit_create, name="forvaltning_create"),
    path("enhet/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("enhet/<int:parent_pk>/ny-underenhet/", views.unit_create, name="unit_create"),
    path("enhet/<int:pk>/byt-namn/", views.unit_rename, name="unit_rename"),
    path("enhet/<int:pk>/reservplan/", views.unit_readiness, name="unit_readiness"),
    path("enhet/<int:pk>/telesamordnare/", views.unit_telesamordnare, name="unit_telesamordnare"),
    path("enhet/<int:pk>/flytta/", orgfile_views.unit_move, name="unit_move"),
    path("enhet/<int:pk>/stang/", orgfile_views.unit_close, name="unit_close"),
    path("organisationsfil/", orgfile_views.org_file, name="org_file"),
    path("organisationsfil/<int:pk>/", orgfile_views.change_set_detail, name="change_set_detail"),
    path(
        "organisationsfil/<int:pk>/genomfor/",
        orgfile_views.change_set_apply,
        name="change_set_apply",
    ),
    path(
        "organisationsfil/<int:pk>/kasta/",
        orgfile_views.change_set_discard,
        name="change_set_discard",
    ),
    path(
        "organisationsfil/<int:pk>/ny-forhandsgranskning/",
        orgfile_views.change_set_replan,
        name="change_set_replan",
    ),
    path("kostnadsstalle/nytt/", views.cost_centre_edit, name="cost_centre_create"),
    path("kostnadsstalle/<int:pk>/andra/", views.cost_centre_edit, name="cost_centre_edit"),
    path("person/<int:pk>/slutat/", leaver_views.person_leave, name="person_leave"),
    path("katalogsynk/", sync_views.directory_sync_page, name="directory_sync"),
    path("katalogsynk/<int:pk>/", sync_views.directory_sync_run, name="directory_sync_run"),
]
