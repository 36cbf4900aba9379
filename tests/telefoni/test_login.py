"""The login page and its failed-sign-in throttle (django-axes), with local accounts.

The throttle counts failures per username and address (AXES_LOCKOUT_PARAMETERS), locks
after AXES_FAILURE_LIMIT of them, answers the Swedish lockout page with 429, and lets the
person in again after the cool-off: never locked for good. LDAP sign-in is tested in
tests/organisation/test_ldap_signin.py.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, ngettext, override

from tests.factories import UserFactory

PASSWORD = "secret-pass-123"  # UserFactory's
LOGIN_URL = "/accounts/login/"
OTHER_ADDRESS = "10.20.30.40"


@pytest.fixture
def local_accounts(db, settings):
    """Local accounts only, whatever LDAP_SERVER_URI the environment has."""
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    return UserFactory(username="lena"), UserFactory(username="mats")


def post_login(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def text(key):
    with override("sv"):
        return escape(gettext(key))


def wrong_password_text():
    return text("Wrong username or password. Note that both are case-sensitive.")


def lockout_text(minutes):
    with override("sv"):
        message = ngettext(
            "Sign-in is paused for this username from your computer. "
            "Try again in %(minutes)s minute.",
            "Sign-in is paused for this username from your computer. "
            "Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    return escape(message)


def fail_until_locked(client, username, **extra):
    """Post wrong passwords up to AXES_FAILURE_LIMIT; return the responses."""
    limit = django_settings.AXES_FAILURE_LIMIT
    return [post_login(client, username, "wrong-password", **extra) for _ in range(limit)]


def test_right_password_signs_in_and_lands_on_the_start_page(client, local_accounts):
    lena, _ = local_accounts
    response = post_login(client, "lena", PASSWORD, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert int(signed_in_as(client)) == lena.pk
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert text("Inbox") in response.content.decode()


def test_wrong_password_shows_the_swedish_error_and_counts_a_failure(client, local_accounts):
    response = post_login(client, "lena", "wrong-password")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "invalid_login"
    ]
    assert wrong_password_text() in response.content.decode()
    assert signed_in_as(client) is None
    attempt = AccessAttempt.objects.get(username="lena")
    assert (attempt.ip_address, attempt.failures_since_start) == ("127.0.0.1", 1)


def test_the_limit_locks_even_the_right_password_out_with_429(client, local_accounts, settings):
    responses = fail_until_locked(client, "lena")
    # Below the limit, the form just says the password was wrong.
    for response in responses[:-1]:
        assert response.status_code == 200
        assert wrong_password_text() in response.content.decode()
    # The failure that reaches the limit already answers with the lockout page.
    assert responses[-1].status_code == 429

    response = post_login(client, "lena", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert text("Too many failed sign-in attempts") in body
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert lockout_text(minutes) in body
    assert signed_in_as(client) is None


def test_another_username_from_the_same_address_is_not_locked(client, local_accounts):
    _, mats = local_accounts
    fail_until_locked(client, "lena")

    wrong = post_login(client, "mats", "wrong-password")
    assert wrong.status_code == 200
    assert wrong_password_text() in wrong.content.decode()

    response = post_login(client, "mats", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(signed_in_as(client)) == mats.pk


def test_the_same_username_from_another_address_is_not_locked(client, local_accounts):
    """Per username *and* address: a guesser elsewhere cannot lock an employee out."""
    lena, _ = local_accounts
    fail_until_locked(client, "lena", REMOTE_ADDR=OTHER_ADDRESS)
    assert post_login(client, "lena", PASSWORD, REMOTE_ADDR=OTHER_ADDRESS).status_code == 429

    response = post_login(client, "lena", PASSWORD)
    assert response.status_code == 302
    assert int(signed_in_as(client)) == lena.pk


def test_after_the_cool_off_the_right_password_works_again(client, local_accounts, settings):
    lena, _ = local_accounts
    fail_until_locked(client, "lena")
    assert post_login(client, "lena", PASSWORD).status_code == 429

    # Just over the cool-off later (the rows are backdated instead of sleeping).
    AccessAttempt.objects.filter(username="lena").update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = post_login(client, "lena", PASSWORD, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert int(signed_in_as(client)) == lena.pk
    assert not AccessAttempt.objects.filter(username="lena").exists()


def test_within_the_cool_off_the_lock_holds(client, local_accounts, settings):
    """The other side of the cool-off test: one minute short of it, still locked."""
    fail_until_locked(client, "lena")
    AccessAttempt.objects.filter(username="lena").update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )
    assert post_login(client, "lena", PASSWORD).status_code == 429
    assert signed_in_as(client) is None


def test_trying_during_the_lockout_restarts_the_cool_off(client, local_accounts, settings):
    """django-axes' default (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT): the pause is
    counted from the latest attempt, so the lockout page's "try again in N minutes" holds."""
    fail_until_locked(client, "lena")
    AccessAttempt.objects.filter(username="lena").update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )
    before = timezone.now()
    assert post_login(client, "lena", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="lena").attempt_time >= before


def test_a_successful_sign_in_resets_the_count(client, local_accounts, settings):
    lena, _ = local_accounts
    below_limit = settings.AXES_FAILURE_LIMIT - 1
    for _ in range(below_limit):
        post_login(client, "lena", "wrong-password")
    assert post_login(client, "lena", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="lena").exists()
    client.logout()

    # As many failures again are still below the limit: the earlier ones were forgotten.
    for _ in range(below_limit):
        response = post_login(client, "lena", "wrong-password")
        assert response.status_code == 200
    assert post_login(client, "lena", PASSWORD).status_code == 302
    assert int(signed_in_as(client)) == lena.pk
