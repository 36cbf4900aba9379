"""400, 403, 404 and 500 answer with Swedish pages; the 500 page needs no database."""

import pytest
from django.db import OperationalError, connections
from django.test import Client


def _body(response):
    return response.content.decode()


def test_404_is_the_swedish_page(matrix_client):
    response = matrix_client("employee").get("/finns-inte/")
    assert response.status_code == 404
    body = _body(response)
    assert '<html lang="sv">' in body
    assert "<h1>Sidan finns inte</h1>" in body
    assert "Till startsidan" in body


def test_403_is_the_swedish_page(matrix_client):
    # Only Tele kundtjänst and budget managers import the operator's file.
    response = matrix_client("employee").get("/kostnadsstallen/import/")
    assert response.status_code == 403
    assert "<h1>Åtkomst nekad</h1>" in _body(response)


def test_400_is_the_swedish_page(client, db):
    response = client.get("/accounts/login/", HTTP_HOST="angripare.example")
    assert response.status_code == 400
    assert "<h1>Felaktig begäran</h1>" in _body(response)


def test_an_expired_form_is_the_swedish_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "anna", "password": "x"}
    )
    assert response.status_code == 403
    assert "<h1>Formuläret har gått ut</h1>" in _body(response)


@pytest.fixture
def database_down(monkeypatch):
    """database_down() makes every query fail as it does when PostgreSQL is unreachable;
    returns the list of attempted queries."""
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(1)
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patch:

        def take_down():
            patch.setattr(connections["default"], "cursor", unreachable)
            return attempts

        yield take_down


def _signed_in_employee(matrix_client):
    client = matrix_client("employee")
    client.raise_request_exception = False
    return client


def test_500_renders_with_the_database_unreachable(matrix_client, database_down):
    client = _signed_in_employee(matrix_client)
    attempts = database_down()
    # A signed-in request reads its session from the database first: that fails.
    response = client.get("/")
    assert response.status_code == 500
    assert attempts == [1]  # the session's query, and none for the error page
    body = _body(response)
    assert '<html lang="sv">' in body
    assert "<h1>Något gick fel</h1>" in body
    assert f"Felkod: {response['X-Request-ID']}" in body


def test_500_falls_back_to_plain_text_when_the_page_itself_fails(
    matrix_client, database_down, monkeypatch
):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry for 'css/telefoni.css'")

    client = _signed_in_employee(matrix_client)
    monkeypatch.setattr("telefoni.views.loader.get_template", broken)
    database_down()
    response = client.get("/")
    assert response.status_code == 500
    assert _body(response) == (
        f"Något gick fel. Felet har loggats. Felkod: {response['X-Request-ID']}"
    )
