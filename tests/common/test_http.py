"""common.http.pk_url: reverse() of an `<int:pk>` URL with the resolver asked once."""

import pytest
from django.urls import reverse, set_script_prefix

from common.http import pk_url


@pytest.mark.parametrize("name", ["directory:person", "directory:unit", "organisation:unit_detail"])
@pytest.mark.parametrize("pk", [1, 7, 42, 987654321])
def test_pk_url_is_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/telefoni/")
        assert pk_url("directory:person", 5) == "/telefoni/telesok/person/5/"
        assert pk_url("directory:person", 5) == reverse("directory:person", args=[5])
    finally:
        set_script_prefix("/")
    assert pk_url("directory:person", 5) == "/telesok/person/5/"
