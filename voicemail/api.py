"""POST /api/v1/voicemail/events/: the switchboard reports that a box was listened to
(VM-4). Token authentication (Authorization: Token <key>) of an account with the
permission voicemail.report_listening (or a superuser). Idempotent by event id: a repeat
answers 200 with the listening first recorded, a new event 201."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import NOT_SIGNED_IN, text_validator
from organisation.numbers import format_number

from . import services

AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class ListeningEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(
        max_length=100,
        validators=[text_validator],
        help_text="The switchboard's own id of the event; a repeat is a no-op.",
    )
    number = serializers.CharField(
        max_length=32,
        validators=[text_validator],
        help_text="The phone whose box was listened to: extension, or number in any form.",
    )
    listened_at = serializers.DateTimeField(
        required=False, help_text="When it was listened to (ISO 8601); default: now."
    )


class ListeningSerializer(serializers.Serializer):
    event_id = serializers.CharField(read_only=True)
    box = serializers.IntegerField(source="box_id", read_only=True)
    number = serializers.CharField(source="box.subscription.number", read_only=True)
    number_display = serializers.SerializerMethodField()
    listened_at = serializers.DateTimeField(read_only=True)
    created = serializers.BooleanField(read_only=True, help_text="False for a repeated event id.")

    def get_number_display(self, listening) -> str:
        return format_number(listening.box.subscription.number)


class MayReportListening(BasePermission):
    message = "Kontot får inte rapportera avlyssningar (behörigheten voicemail.report_listening)."

    def has_permission(self, request, view):
        return request.user.has_perm("voicemail.report_listening")


class ListeningEventView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MayReportListening]
    # The switchboard posts JSON; the schema then names one request type, not three.
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="voicemail_event",
        request=ListeningEventSerializer,
        responses={
            201: ListeningSerializer,
            200: OpenApiResponse(ListeningSerializer, description="A repeated event id."),
            400: OpenApiResponse(
                description="Not the schema's shape, an unknown number, or a time in the future."
            ),
            **NOT_SIGNED_IN,
            403: OpenApiResponse(
                description="The account lacks the permission voicemail.report_listening."
            ),
        },
    )
    def post(self, request):
        data = ListeningEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            listening, created = services.listening_event(
                actor=request.user,
                event_id=values["event_id"],
                number=values["number"],
                listened_at=values.get("listened_at"),
            )
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        listening.created = created
        return Response(
            ListeningSerializer(listening).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
