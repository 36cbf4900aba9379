"""Telesök's number and extension cells, as tags: a page of hits renders a hundred of
them, and Python builds each in a fraction of what an {% include %} costs."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from organisation.numbers import format_number
from subscriptions.choices import Status

register = template.Library()

NONE = "–"


@register.simple_tag
def number_list(subscriptions):
    """<ul class="numbers"> of "019-21 10 00 (fast telefon[, spärrad])", or "–"."""
    if not subscriptions:
        return NONE

    def note(subscription):
        kind = subscription.get_kind_display().lower()
        if subscription.status == Status.BLOCKED:
            return f"{kind}, {_('blocked')}"
        return kind

    items = format_html_join(
        "",
        '<li><span class="number">{}</span> <span class="kind">({})</span></li>',
        ((format_number(s.number), note(s)) for s in subscriptions),
    )
    return format_html('<ul class="numbers">{}</ul>', items)


@register.simple_tag
def extension_list(subscriptions):
    """<ul class="extensions"> of the subscriptions' extensions, or "–"."""
    if not subscriptions:
        return NONE
    items = format_html_join(
        "",
        '<li class="extension">{}</li>',
        ((s.extension,) for s in subscriptions if s.extension),
    )
    return format_html('<ul class="extensions">{}</ul>', items)
