"""/api/: the whole JSON API (/api/v1/...) and its OpenAPI 3 schema (/api/schema/).

The roof mounts every app's endpoints: telesök's reads (directory, the read side) and
voicemail's one write, so no app hosts another's endpoint."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from directory.api import AUTHENTICATION, PersonDetailView, PresenceView, SearchView
from voicemail.api import ListeningEventView

app_name = "api"

urlpatterns = [
    path("v1/search/", SearchView.as_view(), name="search"),
    path("v1/people/<int:pk>/", PersonDetailView.as_view(), name="person"),
    path("v1/presence/", PresenceView.as_view(), name="presence"),
    # VM-4: the switchboard posts listening events (the one write in /api/v1/).
    path("v1/voicemail/events/", ListeningEventView.as_view(), name="voicemail_events"),
    # The schema describes no data, but the API is the intranet's: sign in to read it too.
    path(
        "schema/",
        SpectacularAPIView.as_view(
            authentication_classes=AUTHENTICATION, permission_classes=[IsAuthenticated]
        ),
        name="schema",
    ),
]
