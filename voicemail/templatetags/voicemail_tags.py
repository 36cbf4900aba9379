from django import template

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("voicemail/_unit_block.html", takes_context=True)
def voicemail_unit_block(context, unit):
    """Telesök's unit page, for the unit's managers and Tele kundtjänst: open voicemail
    flags of the unit and below, and a link to its boxes (VM-1, VM-4)."""
    user = context["request"].user
    if not permissions.can_manage_unit(user, unit):
        return {"show": False}
    return {
        "show": True,
        "unit": unit,
        "flag_counts": selectors.unit_flag_counts(unit),
        "request": context["request"],  # the rule_name tag: ids for Tele kundtjänst only
    }
