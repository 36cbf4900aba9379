"""Sections that apps above organisation add to the unit page.

Organisation sits below every other app and imports none of them, so an app that has
something to show on a unit's page (compliance: the unit's open flags) registers a
panel here at start-up, from its AppConfig.ready, and the unit page renders each.
"""

from dataclasses import dataclass

_PANELS = {}


@dataclass(frozen=True)
class UnitPanel:
    template_name: str
    data: dict


def register_unit_panel(template_name, data):
    """`data(request, unit)` gives what `template_name` shows of `unit` (the template
    reads it as `data`), or None to leave the panel out. Registering the same template
    again replaces it."""
    _PANELS[template_name] = data


def unit_panels(request, unit):
    """The panels of the unit page, in the order they were registered."""
    panels = []
    for template_name, data in _PANELS.items():
        found = data(request, unit)
        if found is not None:
            panels.append(UnitPanel(template_name, found))
    return panels
