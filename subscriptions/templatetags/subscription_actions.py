"""SUB-5, X-3: whether the reader may "Säg upp" or "Lämna över" a subscription, for the
one-line links on the cost page, the annual review and the subscription's page. The
subscription must come with its unit and cost centre (select_related): no query per row."""

from django import template

from subscriptions import permissions

register = template.Library()


@register.filter
def may_end(subscription, user):
    return permissions.can_end_subscription(user, subscription)


@register.filter
def may_hand_over(subscription, user):
    return permissions.can_hand_over_subscription(user, subscription)
