"""Who sees costs (COST-1): the cost centre's budget-responsible manager, the
förvaltningschef of its förvaltning, and Tele kundtjänst. Nobody else."""

from organisation.choices import Role
from organisation.permissions import (
    is_budget_manager_of,
    is_forvaltningschef_of,
    person_of,
    roles_of,
)


def is_cost_desk(user):
    roles = roles_of(user)
    return Role.TELEKUNDTJANST in roles or Role.ADMIN in roles


def can_view_costs(user, cost_centre):
    return (
        is_cost_desk(user)
        or is_budget_manager_of(user, cost_centre)
        or is_forvaltningschef_of(user, cost_centre.unit)
    )


def can_import_usage(user):
    """Tele kundtjänst imports the whole operator file; a budget-responsible manager may
    import the rows of their own cost centres."""
    return is_cost_desk(user) or (Role.BUDGETCHEF in roles_of(user) and person_of(user) is not None)


def can_view_import(user, usage_import):
    return is_cost_desk(user) or usage_import.uploaded_by_id == user.pk


def can_explain_usage(user, record):
    """COST-2: the month's budget-responsible manager (or the desk) explains a deviation."""
    return is_cost_desk(user) or is_budget_manager_of(user, record.cost_centre)
