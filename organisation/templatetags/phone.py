from django import template

from common.html import nowrap

from ..numbers import format_number

register = template.Library()


@register.filter
def phone(e164):
    """{{ subscription.number|phone }} -> 019-21 10 00, in one unbreakable span (.nowrap)."""
    return nowrap(format_number(e164))
