from django import template
from django.template.defaultfilters import floatformat

from common.html import nowrap

register = template.Library()


@register.filter
def duration_mmss(seconds):
    """{{ call.duration_seconds|duration_mmss }}: 245 -> 4:05, 3723 -> 1:02:03."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def amount(value):
    """{{ record.total|amount }} -> "1 234,50 kr" in one unbreakable span (.nowrap), the way
    every page prints an amount of money."""
    if value is None or value == "":
        return ""
    return nowrap(f"{floatformat(value, '2g')} kr")
