from django import template
from django.utils.html import format_html

from common.roles import is_service_desk

from ..rules import RULES

register = template.Library()


@register.filter
def rule_info(rule_id):
    """The Rule (title, guideline section) of a requirement id, or None."""
    return RULES.get(rule_id)


@register.simple_tag(takes_context=True)
def rule_name(context, rule_id):
    """A requirement in words: its Swedish title, with the guideline section on hover. Only
    Tele kundtjänst, who speak in requirement ids, also get the id, in small print."""
    rule = RULES.get(rule_id)
    request = context.get("request")
    title = rule.title if rule else rule_id
    section = rule.section if rule else ""
    if request is not None and is_service_desk(request.user):
        return format_html(
            '<span title="{}">{}</span> <small class="rule-id">{}</small>', section, title, rule_id
        )
    return format_html('<span title="{}">{}</span>', section, title)
