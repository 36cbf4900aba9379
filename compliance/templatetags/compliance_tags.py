from django import template

from ..rules import RULES

register = template.Library()


@register.filter
def rule_info(rule_id):
    """The Rule (title, guideline section) of a requirement id, or None."""
    return RULES.get(rule_id)
