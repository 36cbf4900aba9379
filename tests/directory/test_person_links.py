"""The person page leads to what each role may do with the entry (DIR-4)."""

import pytest
from django.urls import reverse

LINKS = {
    # who: (report own change, edit directly, history)
    "employee": (True, False, True),
    "colleague": (False, False, False),
    "manager": (False, False, True),
    "forvaltningschef": (False, False, True),
    "outsider": (False, False, False),
    "telekundtjanst": (False, True, True),
    "admin": (False, False, False),  # issue 16.4: not Tele kundtjänst
}


@pytest.mark.parametrize("who, expected", LINKS.items())
def test_person_page_links_follow_the_role(matrix_client, world, who, expected):
    anna = world.people["employee"]
    body = matrix_client(who).get(reverse("directory:person", args=[anna.pk])).content.decode()
    found = (
        # (Mina uppgifter is in everyone's menu; this is the link on the page itself.)
        "Anmäl ändring av mina uppgifter" in body,
        reverse("subscriptions:entry_edit", args=[anna.pk]) in body,
        reverse("subscriptions:entry_history", args=[anna.pk]) in body,
    )
    assert found == expected


def test_unit_pages_link_to_each_other(matrix_client, world):
    client = matrix_client("employee")
    org_url = reverse("organisation:unit_detail", args=[world.grupp.pk])
    dir_url = reverse("directory:unit", args=[world.grupp.pk])
    assert dir_url in client.get(org_url).content.decode()
    assert org_url in client.get(dir_url).content.decode()
