"""/api/ keeps its OpenAPI schema (issue 16.7): schemathesis generates requests from the
schema the app serves at /api/schema/ (drf-spectacular's generator, the same one the view
runs) and checks every answer against it: a documented status, a body of the documented
shape, a schema-valid request accepted and an invalid one refused, 405 for an undeclared
method, 401 without a token. A bounded number of examples per operation keeps it fast.

schemathesis' lazy `from_fixture` loader does not run on pytest 9 (it writes the item's
private `_nodeid`), so the schema is built when the module is imported; the test compares
it with what /api/schema/ serves, so the two cannot drift apart."""

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from tests.conftest import phone
from tests.factories import UserFactory
from voicemail.choices import BoxKind
from voicemail.services import box_approve

EXAMPLES_PER_OPERATION = 40

RAW = SchemaGenerator().get_schema(request=None, public=True)
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                # 400 is also the documented answer for what no schema can say: a number
                # that has no voicemail box, a listening time in the future.
                "include-operation-id": "voicemail_event",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401"]}
                },
            }
        ]
    }
)
schema = schemathesis.openapi.from_dict(RAW, config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _connections_kept_open():
    """Django's test client keeps the test's connection (and its transaction) open across
    a request; the plain WSGI app schemathesis calls would close it on request_finished."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def directory(world):
    """Anna with a phone and a voicemail box, and a function phone: answers with content."""
    anna = world.people["employee"]
    mex = phone(world, holder=anna, number="+4619211000", extension="1100")
    phone(
        world,
        function_name="Receptionen",
        unit=world.hemtjanst,
        number="+4619212000",
        extension="2000",
    )
    box_approve(actor=world.people["manager"].user, subscription=mex, kind=BoxKind.ROSTBREVLADA)
    return anna


@pytest.fixture
def switchboard(world):
    """The switchboard's account: may read the directory and report listening events."""
    user = UserFactory(username="vaxeln")
    user.user_permissions.add(Permission.objects.get(codename="report_listening"))
    return user


def test_the_schema_tested_is_the_one_api_schema_serves(client, switchboard):
    client.force_login(switchboard)
    served = client.get("/api/schema/", {"format": "json"}).json()
    assert served == RAW
    assert set(served["paths"]) == {
        "/api/v1/search/",
        "/api/v1/people/{id}/",
        "/api/v1/presence/",
        "/api/v1/voicemail/events/",
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, switchboard, directory):
    case.call_and_validate(headers=_token(switchboard))


def _token(user):
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def test_answers_with_content_have_the_documented_shape(switchboard, directory):
    """Random values seldom name a real person or box: these cases do, so the 200 and 201
    bodies (not only the empty ones) are checked against the schema."""
    cases = [
        schema["/api/v1/search/"]["GET"].Case(query={"q": "Östlund", "limit": 5}),
        schema["/api/v1/search/"]["GET"].Case(query={"q": "Receptionen"}),
        schema["/api/v1/people/{id}/"]["GET"].Case(path_parameters={"id": directory.pk}),
        schema["/api/v1/presence/"]["GET"].Case(),
        schema["/api/v1/voicemail/events/"]["POST"].Case(
            body={"event_id": "pbx-1", "number": "1100"}, media_type="application/json"
        ),
    ]
    statuses = [case.call_and_validate(headers=_token(switchboard)).status_code for case in cases]
    assert statuses == [200, 200, 200, 200, 201]
