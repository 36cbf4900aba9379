"""ORG-4 in templates: `{% load identity %}`, then `{{ person|name_for:request.user }}`,
`{{ phone|number_for:request.user }}`,
`{{ phone_or_device|owner_for:request.user }}`, `{{ phone|extension_for:request.user }}`,
`{{ phone|label_for:request.user }}`, `{{ redirect.target_subscription|target_for:request.user }}`
and `{% if phone|hidden_from:request.user %}`. See organisation.identity."""

from django import template

from common.html import nowrap

from .. import identity

register = template.Library()


@register.filter
def name_for(person, user):
    return identity.person_name(user, person)


@register.filter
def owner_for(obj, user):
    return identity.owner_name(user, obj)


@register.filter
def object_for(obj, user):
    return identity.object_label(user, obj) if obj is not None else ""


@register.filter
def number_for(subscription, user):
    return nowrap(identity.phone_number(user, subscription))


@register.filter
def extension_for(subscription, user):
    return identity.phone_extension(user, subscription)


@register.filter
def label_for(subscription, user):
    return identity.phone_label(user, subscription)


@register.filter
def target_for(subscription, user):
    return identity.target_label(user, subscription)


@register.filter
def hidden_from(subscription, user):
    return identity.phone_is_hidden(user, subscription)


@register.filter
def person_hidden_from(person, user):
    return identity.is_hidden(user, person)
