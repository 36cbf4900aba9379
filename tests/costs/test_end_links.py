"""SUB-5: "Säg upp" and "Lämna över" on the cost page's cancellation candidates."""

from datetime import date

import pytest
from django.urls import reverse

from subscriptions.models import Subscription
from tests.conftest import statuses
from tests.costs.conftest import usage

COST_VIEWERS = statuses(404, budgetchef=200, forvaltningschef=200, telekundtjanst=200, admin=200)
# Of those who see the page, the budget-responsible manager and Tele kundtjänst may end it.
LINKED = {
    who: who in ("budgetchef", "telekundtjanst") for who, s in COST_VIEWERS.items() if s == 200
}


@pytest.mark.parametrize("who, linked", LINKED.items())
def test_sub_5_candidates_link_cancel_and_hand_over(matrix_client, world, phones, who, linked):
    usage(phones.anna, "2026-08", domestic=10)
    usage(phones.anna, "2026-09", domestic=10)
    usage(phones.anna, "2026-10", domestic=10)
    Subscription.objects.filter(pk=phones.fixed.pk).update(activated_on=date(2025, 1, 1))
    client = matrix_client(who)
    url = reverse("costs:cost_centre_costs", args=[world.cost_centre.pk])
    response = client.get(url)
    assert phones.fixed in response.context["unused"]
    body = response.content.decode()
    end = reverse("subscriptions:subscription_end", args=[phones.fixed.pk])
    hand_over = reverse("subscriptions:subscription_hand_over", args=[phones.fixed.pk])
    assert (end in body, hand_over in body) == (linked, linked)
    if linked:
        assert client.post(end, {"confirm": "on"}).status_code == 302
        assert Subscription.objects.get(pk=phones.fixed.pk).status == "cancelled"
