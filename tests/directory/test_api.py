"""The read-only JSON API (/api/v1/) and its OpenAPI schema (DIR-2, DIR-3, ORG-4)."""

import json
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from directory import selectors
from subscriptions.choices import Kind, Status
from subscriptions.services import subscription_create
from tests.conftest import statuses
from tests.factories import PersonFactory, UserFactory

# The API answers an anonymous request with 401 and JSON, never a redirect to sign in.
API_STATUSES = statuses(200, anonymous=401)


def phone(world, *, holder=None, unit=None, **fields):
    return subscription_create(
        actor=None,
        holder=holder,
        unit=unit or holder.unit,
        cost_centre=world.cost_centre,
        **fields,
    )


@pytest.fixture
def entries(world):
    """Anna Östlund (the matrix employee) with a MEX and a mobile, a reception phone, and
    people the API must never show."""
    anna = world.people["employee"]
    phone(world, holder=anna, kind=Kind.MEX, number="+4619213101", extension="3101")
    phone(world, holder=anna, kind=Kind.MOBILE, number="+46705553101")
    old = phone(world, holder=anna, kind=Kind.FIXED, number="+4619213199", extension="3199")
    old.status, old.cancelled_on = Status.CANCELLED, old.activated_on
    old.save()
    phone(
        world,
        unit=world.hemtjanst,
        kind=Kind.FUNCTION,
        function_name="Reception Östlundsgården",
        number="+4619213000",
        extension="3000",
    )
    secret = PersonFactory(
        unit=world.grupp, first_name="Hemlig", last_name="Östlundsson", protected_identity=True
    )
    phone(world, holder=secret, kind=Kind.FIXED, number="+4619213105", extension="3105")
    gone = PersonFactory(unit=world.grupp, first_name="Slutat", last_name="Östlundh")
    phone(world, holder=gone, kind=Kind.FIXED, number="+4619213106", extension="3106")
    gone.is_active = False
    gone.save()
    return {"anna": anna, "secret": secret, "gone": gone}


def search_url(q, **params):
    return f"{reverse('api:search')}?{urlencode({'q': q, **params})}"


def person_url(person):
    return reverse("api:person", args=[person.pk])


def assert_no_data_for_anonymous(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("who, status", API_STATUSES.items())
def test_dir_3_every_signed_in_user_searches(matrix_client, world, entries, who, status):
    response = matrix_client(who).get(search_url("östlund"))
    assert response.status_code == status
    if status == 200:
        names = [hit["name"] for hit in response.json()["results"]]
        assert "Anna Östlund" in names
    else:
        assert_no_data_for_anonymous(response)


@pytest.mark.parametrize("who, status", API_STATUSES.items())
def test_dir_3_every_signed_in_user_reads_an_entry(matrix_client, world, entries, who, status):
    response = matrix_client(who).get(person_url(entries["anna"]))
    assert response.status_code == status
    if status == 200:
        assert response.json()["last_name"] == "Östlund"
    else:
        assert_no_data_for_anonymous(response)
        assert "Östlund" not in response.content.decode()


@pytest.mark.parametrize("who, status", API_STATUSES.items())
def test_schema_is_for_signed_in_users(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == status
    if status == 200:
        assert "/api/v1/search/" in response.json()["paths"]


def test_token_authentication(client, world, entries):
    token = Token.objects.create(user=entries["anna"].user)
    response = client.get(person_url(entries["anna"]), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Anna Östlund"
    search = client.get(search_url("3101"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [hit["name"] for hit in search.json()["results"]] == ["Anna Östlund"]
    wrong = client.get(person_url(entries["anna"]), HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert wrong.status_code == 401
    assert "Östlund" not in wrong.content.decode()


def test_drf_create_token_makes_a_working_token(client, world, entries):
    out = StringIO()
    call_command("drf_create_token", "tele", stdout=out)
    key = Token.objects.get(user__username="tele").key
    assert key in out.getvalue()
    response = client.get(search_url("östlund"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_entry_shape(matrix_client, world, entries):
    """Every field of an entry; labels in the language the client asks for."""
    anna = entries["anna"]
    body = matrix_client("outsider").get(person_url(anna), HTTP_ACCEPT_LANGUAGE="en").json()
    grupp = {"id": world.grupp.pk, "name": "Hemtjänst Norr grupp 1"}
    vof = {"id": world.vof.pk, "name": "Vård- och omsorgsförvaltningen"}
    assert body == {
        "id": anna.pk,
        "first_name": "Anna",
        "last_name": "Östlund",
        "full_name": "Anna Östlund",
        "title": "Undersköterska",
        "kind": "employee",
        "email": anna.email,
        "room": "",
        "secondary_number": "",
        "secondary_number_display": "",
        "unit": grupp,
        "forvaltning": vof,
        "subscriptions": [
            {
                "kind": "mex",
                "kind_display": "MEX phone",
                "status": "active",
                "number": "+4619213101",
                "number_display": "019-21 31 01",
                "extension": "3101",
                "unit": grupp,
                "forvaltning": vof,
            },
            {
                "kind": "mobil",
                "kind_display": "Mobile phone",
                "status": "active",
                "number": "+46705553101",
                "number_display": "070-555 31 01",
                "extension": None,
                "unit": grupp,
                "forvaltning": vof,
            },
        ],
    }


def test_search_hit_shape(matrix_client, world, entries):
    body = matrix_client("employee").get(search_url("östlund")).json()
    assert body["query"] == "östlund"
    assert body["count"] == len(body["results"]) == 2
    anna = next(hit for hit in body["results"] if hit["kind"] == "person")
    assert anna["name"] == "Anna Östlund"
    assert anna["person_id"] == entries["anna"].pk
    assert anna["api_url"] == "http://testserver" + person_url(entries["anna"])
    assert anna["url"].startswith("http://testserver/telesok/")
    assert anna["unit"]["name"] == "Hemtjänst Norr grupp 1"
    assert anna["forvaltning"]["name"] == "Vård- och omsorgsförvaltningen"
    assert [(s["kind"], s["number"], s["number_display"]) for s in anna["subscriptions"]] == [
        ("mex", "+4619213101", "019-21 31 01"),
        ("mobil", "+46705553101", "070-555 31 01"),
    ]
    reception = next(hit for hit in body["results"] if hit["kind"] == "function")
    assert reception["name"] == "Reception Östlundsgården"
    assert reception["person_id"] is None and reception["api_url"] is None
    assert reception["subscriptions"][0]["extension"] == "3000"


@pytest.mark.parametrize("who", ["employee", "manager", "forvaltningschef", "telekundtjanst"])
def test_org_4_protected_identity_is_in_no_response(matrix_client, world, entries, who):
    """Stricter than telesök: not even the person's managers or Tele kundtjänst, who may
    open the person's telesök page, get them from the API."""
    client = matrix_client(who)
    assert client.get(person_url(entries["secret"])).status_code == 404
    for query in ("Hemlig", "3105", "019-21 31 05", "östlund"):
        hits = json.dumps(client.get(search_url(query)).json()["results"], ensure_ascii=False)
        assert "Hemlig" not in hits and "3105" not in hits, query
    assert "Anna Östlund" in hits  # the same search finds the others
    # The selector itself never finds them (the API filters again, as a second guard).
    found = [h.person for q in ("Hemlig", "3105", "östlund") for h in selectors.search(q)]
    assert entries["secret"] not in found and entries["anna"] in found


def test_org_4_protected_identity_is_404_even_to_themselves(client, world, entries):
    secret = entries["secret"]
    secret.user = UserFactory()
    secret.save()
    client.force_login(secret.user)
    response = client.get(person_url(secret))
    assert response.status_code == 404
    assert "Hemlig" not in response.content.decode()


def test_inactive_and_unknown_people_are_404(matrix_client, world, entries):
    client = matrix_client("telekundtjanst")
    assert client.get(person_url(entries["gone"])).status_code == 404
    assert client.get(reverse("api:person", args=[999999])).status_code == 404
    assert "Slutat" not in client.get(search_url("östlund")).content.decode()
    assert client.get(search_url("3106")).json()["count"] == 0


def test_search_needs_a_term_and_a_sane_limit(matrix_client, world, entries):
    client = matrix_client("employee")
    assert client.get(reverse("api:search")).status_code == 400
    assert "q" in client.get(search_url("  ")).json()
    assert client.get(search_url("östlund", limit=51)).status_code == 400
    assert client.get(search_url("östlund", limit=1)).json()["count"] == 1


def test_the_api_is_read_only(matrix_client, world, entries):
    client = matrix_client("admin")
    assert client.post(search_url("östlund")).status_code == 405
    for method in (client.put, client.patch, client.delete):
        assert (
            method(person_url(entries["anna"]), content_type="application/json").status_code == 405
        )
    entries["anna"].refresh_from_db()
    assert entries["anna"].last_name == "Östlund"


def test_schema_is_valid_openapi_and_documents_both_endpoints(matrix_client, world):
    response = matrix_client("employee").get(reverse("api:schema"), {"format": "json"})
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/search/",
        "/api/v1/people/{id}/",
        "/api/v1/presence/",  # ABS-1, tested in tests/absence/test_api.py
        "/api/v1/voicemail/events/",  # VM-4, tested in tests/voicemail
    }
    components = schema["components"]["schemas"]
    search = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in search["parameters"]} == {"q", "limit"}
    hit_ref = components["SearchResult"]["properties"]["results"]["items"]["$ref"]
    hit = components[hit_ref.rsplit("/", 1)[1]]["properties"]
    assert {"kind", "name", "title", "unit", "forvaltning", "subscriptions", "api_url"} <= set(hit)
    person = schema["paths"]["/api/v1/people/{id}/"]["get"]
    ref = person["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    entry = components[ref.rsplit("/", 1)[1]]["properties"]
    assert {"first_name", "last_name", "title", "unit", "forvaltning", "subscriptions"} <= set(
        entry
    )
    assert components["SubscriptionKindEnum"]["enum"] == [
        "fast",
        "mex",
        "mobil",
        "funktion",
        "grupp",
    ]
    subscription = components["SubscriptionEntry"]["properties"]
    assert {"kind", "number", "number_display", "extension", "unit", "forvaltning"} <= set(
        subscription
    )
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_search_query_count_is_constant(matrix_client, world):
    """The same number of queries for 1 hit and for 3: the selector's own (a fixed few,
    see directory.selectors) plus the session and the user; serialising adds none."""

    def add_person(n):
        person = PersonFactory(unit=world.bibliotek, last_name="Räknesson")
        phone(
            world, holder=person, kind=Kind.MEX, number=f"+46192140{n:02d}", extension=f"40{n:02d}"
        )
        phone(world, holder=person, kind=Kind.MOBILE, number=f"+467055540{n:02d}")

    def count_queries(call):
        with CaptureQueriesContext(connection) as context:
            result = call()
        return len(context), result

    client = matrix_client("employee")
    client.get(search_url("x"))  # warm up whatever is cached per process
    counts = {}
    for hits, new in ((1, [0]), (3, [1, 2])):
        for n in new:
            add_person(n)
        selector, found = count_queries(lambda: selectors.search("räknesson"))
        api, response = count_queries(lambda: client.get(search_url("räknesson")))
        results = response.json()["results"]
        assert len(found) == len(results) == hits
        assert all(len(hit["subscriptions"]) == 2 for hit in results)
        assert api == selector + 3  # session, user and the current hänvisningar (ABS-1)
        counts[hits] = api
    assert counts[1] == counts[3]


@pytest.mark.parametrize("count", [1, 3])
def test_entry_query_count_is_constant(client, world, django_assert_num_queries, count):
    person = PersonFactory(unit=world.bibliotek)
    for n in range(count):
        phone(
            world, holder=person, kind=Kind.MEX, number=f"+46192140{n:02d}", extension=f"40{n:02d}"
        )
    token = Token.objects.create(user=world.people["outsider"].user)
    # Token with its user, the person with unit and förvaltning, the subscriptions.
    with django_assert_num_queries(3):
        response = client.get(person_url(person), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(response.json()["subscriptions"]) == count
