from django import template

from ..numbers import format_number

register = template.Library()


@register.filter
def phone(e164):
    """{{ subscription.number|phone }} -> 019-21 10 00"""
    return format_number(e164)
