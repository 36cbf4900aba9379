"""Serializers of the read-only API (/api/v1/): what a directory entry looks like as JSON.

Every number is given twice: `number` in E.164 for machines, `number_display` the Swedish
way (019-21 10 00) for people. Descriptions are English: the schema is read by developers.
"""

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import text_validator
from organisation import identity
from organisation.models import Person, Unit
from organisation.numbers import format_number
from subscriptions.choices import Kind
from subscriptions.models import Subscription


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]
        read_only_fields = fields


class SubscriptionKindField(serializers.CharField):
    """A subscription's kind (SUB-1), documented as the component SubscriptionKindEnum."""


class SubscriptionKindFieldExtension(OpenApiSerializerFieldExtension):
    """One schema component for the subscription kind, however many serializers show it.

    Left to drf-spectacular, the field would become an enum named by its field name, and
    "kind" is also a person's kind and a search hit's: the clash gets a hashed name and a
    warning (W001, which fails `manage.py check --deploy`)."""

    target_class = SubscriptionKindField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="SubscriptionKindEnum",
            type=ResolvedComponent.SCHEMA,
            object="SubscriptionKindEnum",
            schema={
                "type": "string",
                "enum": Kind.values,
                "description": "\n".join(f"* `{value}` - {label}" for value, label in Kind.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class SubscriptionBriefSerializer(serializers.ModelSerializer):
    kind = SubscriptionKindField(read_only=True, help_text="SUB-1: the kind of subscription.")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="active, or blocked (after loss or theft, SUB-7)."
    )
    number = serializers.CharField(read_only=True, help_text="E.164, e.g. +4619211000.")
    number_display = serializers.SerializerMethodField(
        help_text="The number as Swedes write it, e.g. 019-21 10 00."
    )

    class Meta:
        model = Subscription
        fields = ["kind", "kind_display", "status", "number", "number_display", "extension"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_number_display(self, subscription):
        return format_number(subscription.number)


class SubscriptionEntrySerializer(SubscriptionBriefSerializer):
    unit = UnitRefSerializer(read_only=True, help_text="The unit the subscription belongs to.")
    forvaltning = UnitRefSerializer(
        source="unit.forvaltning", read_only=True, help_text="The förvaltning of that unit."
    )

    class Meta(SubscriptionBriefSerializer.Meta):
        fields = [*SubscriptionBriefSerializer.Meta.fields, "unit", "forvaltning"]
        read_only_fields = fields


class PersonEntrySerializer(serializers.ModelSerializer):
    """A person's directory entry and the subscriptions telesök lists for them."""

    full_name = serializers.CharField(read_only=True)
    secondary_number_display = serializers.SerializerMethodField()
    unit = UnitRefSerializer(read_only=True)
    forvaltning = UnitRefSerializer(source="unit.forvaltning", read_only=True)
    subscriptions = SubscriptionEntrySerializer(
        source="listed",
        many=True,
        read_only=True,
        help_text="The person's subscriptions as telesök lists them: active and blocked, "
        "never cancelled; fixed before mobile.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "title",
            "kind",
            "email",
            "room",
            "secondary_number",
            "secondary_number_display",
            "unit",
            "forvaltning",
            "subscriptions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_secondary_number_display(self, person):
        return format_number(person.secondary_number)


class RedirectBriefSerializer(serializers.Serializer):
    """A current hänvisning or medflyttning (ABS-1, ABS-2), as telesök shows it."""

    # A plain string: a ChoiceField named "kind" would clash with the other "kind" enums.
    kind = serializers.CharField(
        read_only=True,
        help_text="hanvisning (an absence with a reason) or medflyttning (follow-me).",
    )
    reason = serializers.CharField(
        read_only=True,
        help_text="lunch, break, meeting, out, gone, sick, leave, trip, training, other; "
        "empty for a medflyttning.",
    )
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    until = serializers.DateTimeField(
        source="ends_at", read_only=True, allow_null=True, help_text="Null: until further notice."
    )
    target = serializers.CharField(
        read_only=True,
        help_text="extension, reception, kundtjanst, voicemail, mobile or nowhere.",
    )
    target_display = serializers.CharField(read_only=True)
    target_number = serializers.SerializerMethodField(
        help_text="E.164 of the number calls go to; null for Kundtjänst, voicemail, nowhere "
        'and a protected identity\'s phone (ORG-4: its target_display is "en kollega").'
    )
    target_extension = serializers.SerializerMethodField()
    message = serializers.CharField(read_only=True, help_text="The message to callers.")
    summary = serializers.CharField(read_only=True, help_text="E.g. “Lunch, åter 13:00”.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_target_number(self, redirect):
        phone = redirect.target_subscription
        # ORG-4: a protected identity's phone is no one's to read here ("en kollega").
        if phone is None or identity.phone_is_hidden(None, phone):
            return None
        return phone.number

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_target_extension(self, redirect):
        phone = redirect.target_subscription
        if phone is None or identity.phone_is_hidden(None, phone):
            return None
        return phone.extension


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter whose empty value (`?limit=`) is refused, as the schema
    says (an integer), instead of DRF's default of reading it as absent."""

    def get_value(self, dictionary):
        if dictionary.get(self.field_name) == "":
            return ""  # to_internal_value refuses it: "Ett giltigt heltal krävs."
        return super().get_value(dictionary)


class SearchQuerySerializer(serializers.Serializer):
    """The query string of /api/v1/search/."""

    q = serializers.CharField(
        max_length=200,
        validators=[text_validator],
        help_text="Name, extension, number, title or unit; partial words, any case, å ä ö or not.",
    )
    limit = QueryIntegerField(
        min_value=1, max_value=50, default=50, help_text="At most this many hits (1–50)."
    )


class SearchHitSerializer(serializers.Serializer):
    """One hit of directory.selectors.search (a selectors.Hit). Its unit, förvaltning and
    subscriptions are the selector's rows (UnitRef, PhoneRef), not model instances: the
    serializers above read only attributes those rows have."""

    kind = serializers.ChoiceField(
        choices=["person", "function"],
        read_only=True,
        help_text="person, or function (a function or group phone).",
    )
    name = serializers.CharField(read_only=True, help_text="The person's or function's name.")
    title = serializers.CharField(
        read_only=True, help_text="The person's title; empty for a function."
    )
    person_id = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField(
        help_text="The person's entry in this API; null for a function."
    )
    url = serializers.SerializerMethodField(
        help_text="The hit's telesök page (the unit's page for a function)."
    )
    unit = UnitRefSerializer(read_only=True)
    forvaltning = UnitRefSerializer(read_only=True)
    subscriptions = SubscriptionBriefSerializer(many=True, read_only=True)
    redirect = RedirectBriefSerializer(
        read_only=True, allow_null=True, help_text="The current hänvisning (ABS-1), or null."
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_person_id(self, hit):
        return hit.person.pk if hit.person is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_api_url(self, hit):
        if hit.person is None:
            return None
        return self._absolute(reverse("api:person", args=[hit.person.pk]))

    @extend_schema_field(serializers.URLField())
    def get_url(self, hit):
        return self._absolute(hit.url)

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True, help_text="Number of hits returned.")
    results = SearchHitSerializer(many=True, read_only=True, help_text="Best first.")


class PresenceSerializer(RedirectBriefSerializer):
    """One redirected phone in the presence feed (/api/v1/presence/)."""

    person_id = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField(help_text="The holder's or the function's name.")
    phone = SubscriptionBriefSerializer(source="subscription", read_only=True)
    unit = UnitRefSerializer(source="subscription.unit", read_only=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_person_id(self, redirect):
        return redirect.subscription.holder_id

    @extend_schema_field(serializers.CharField())
    def get_name(self, redirect):
        phone = redirect.subscription
        return phone.holder.full_name if phone.holder_id else phone.function_name


class PresenceResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)
    results = PresenceSerializer(many=True, read_only=True)
