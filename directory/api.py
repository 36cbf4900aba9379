"""The JSON API (/api/v1/) for the switchboard and the intranet: telesök, read-only (DIR-2,
DIR-3). The one write, the switchboard's voicemail listening events, is voicemail.api.

Session or token authentication (Authorization: Token <key>; a token is made in the admin
or with `manage.py drf_create_token <username>`); every signed-in user may read, an
anonymous request gets 401 and no data. The API is stricter than the telesök pages: a
protected identity (ORG-4) is in no response for anyone, whoever may see that person's
page in telesök, and so are inactive people: /api/v1/people/<pk>/ answers 404 for them.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from absence import selectors as absence_selectors
from common.api import NOT_SIGNED_IN
from organisation.models import Person

from . import selectors
from .serializers import (
    PersonEntrySerializer,
    PresenceResultSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
)

# Token first: its WWW-Authenticate header makes an anonymous request a 401 (DRF answers
# 403 when the first class is SessionAuthentication, which has no such header).
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


def published_people():
    """People the API shows: active, never a protected identity (ORG-4), with unit,
    förvaltning and the subscriptions telesök lists (`listed`)."""
    return (
        Person.objects.filter(is_active=True, protected_identity=False)
        .select_related("unit", "unit__forvaltning")
        .prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=selectors.listed_subscriptions().select_related("unit__forvaltning"),
                to_attr="listed",
            )
        )
    )


class SearchView(APIView):
    """Telesök: people and function phones by name, extension, number, title or unit."""

    authentication_classes = AUTHENTICATION

    @extend_schema(
        operation_id="search",
        parameters=[SearchQuerySerializer],
        responses={
            200: SearchResultSerializer,
            400: OpenApiResponse(description="No search term, or limit out of range."),
            **NOT_SIGNED_IN,
        },
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, limit = params.validated_data["q"], params.validated_data["limit"]
        # The selector never finds a protected identity or an inactive person; the API
        # checks again, because it promises that in every response (ORG-4).
        hits = [
            hit
            for hit in selectors.search(query, limit=limit)
            if hit.person is None or (hit.person.is_active and not hit.person.protected_identity)
        ]
        hits = selectors.attach_redirects(hits)
        result = {"query": query, "count": len(hits), "results": hits}
        return Response(SearchResultSerializer(result, context={"request": request}).data)


class PersonDetailView(RetrieveAPIView):
    """A person's directory entry with the subscriptions telesök lists."""

    authentication_classes = AUTHENTICATION
    serializer_class = PersonEntrySerializer

    def get_queryset(self):
        return published_people()

    @extend_schema(
        operation_id="person",
        responses={
            200: PersonEntrySerializer,
            404: OpenApiResponse(description="No such person, or not published."),
            **NOT_SIGNED_IN,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PresenceView(APIView):
    """ABS-1: who is redirected right now (reason, until when, where calls go), for the
    switchboard and the intranet. Phones of protected identities (ORG-4) and of inactive
    people are never in it; a hänvisning whose end has passed is not, even before the
    nightly sweep closes it."""

    authentication_classes = AUTHENTICATION

    @extend_schema(
        operation_id="presence", responses={200: PresenceResultSerializer, **NOT_SIGNED_IN}
    )
    def get(self, request):
        rows = list(absence_selectors.presence_feed())
        result = {"count": len(rows), "results": rows}
        return Response(PresenceResultSerializer(result, context={"request": request}).data)
