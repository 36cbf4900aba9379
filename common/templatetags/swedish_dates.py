"""Dates the Swedish way in every app: "fre 4 dec", lower-case abbreviations.

Django's "M" format capitalises the month ("Dec"); "b" is the same abbreviation as the
locale writes it, in lower case. Full dates use Django's Swedish formats ("l j F": "fredag
4 december"), which are lower case already.
"""

from django import template
from django.template.defaultfilters import date

from common.html import nowrap

register = template.Library()


@register.filter
def short_day(value):
    """Weekday, day and month, abbreviated: "fre 4 dec", in one unbreakable span."""
    return nowrap(date(value, "D j b"))
