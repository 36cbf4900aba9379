"""Who sees costs (COST-1): the cost centre's budget-responsible manager, the
förvaltningschef of its förvaltning, and Tele kundtjänst. Nobody else."""

from common.roles import Role, is_service_desk, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.models import CostCentre
from organisation.permissions import is_budget_manager_of, is_forvaltningschef_of, person_of

from .models import StatementRequest, UsageImport, UsageRecord


def can_view_costs(user: AnyUser, cost_centre: CostCentre) -> bool:
    return (
        is_service_desk_or_admin(user)
        or is_budget_manager_of(user, cost_centre)
        or is_forvaltningschef_of(user, cost_centre.unit)
    )


def can_import_usage(user: AnyUser) -> bool:
    """Tele kundtjänst imports the whole operator file; a budget-responsible manager may
    import the rows of their own cost centres."""
    return is_service_desk_or_admin(user) or (
        Role.BUDGETCHEF in roles_of(user) and person_of(user) is not None
    )


def can_view_import(user: AnyUser, usage_import: UsageImport) -> bool:
    return is_service_desk_or_admin(user) or usage_import.uploaded_by_id == user.pk


def can_decide_import(user: AnyUser, usage_import: UsageImport) -> bool:
    """The preview of "replace the whole month" is answered by the uploader alone."""
    return getattr(user, "is_authenticated", False) and usage_import.uploaded_by_id == user.pk


def can_undo_import(user: AnyUser, usage_import: UsageImport) -> bool:
    """ "Ångra importen": the uploader, or Tele kundtjänst."""
    return can_view_import(user, usage_import)


def can_explain_usage(user: AnyUser, record: UsageRecord) -> bool:
    """COST-2: the month's budget-responsible manager (or the desk) explains a deviation."""
    return is_service_desk_or_admin(user) or is_budget_manager_of(user, record.cost_centre)


# --- COST-3: itemised statements ------------------------------------------------------------
# The request (who, which phone, which month, the grounds, the decision) is seen by the
# requester and Tele kundtjänst, who decides it. The statement's content (the calls) is
# seen by the requester alone: not their förvaltningschef, and not Tele kundtjänst, who
# attaches the operator's file but has no reason to read it again in Telefoni.


def can_request_statement(user: AnyUser, cost_centre: CostCentre) -> bool:
    return is_budget_manager_of(user, cost_centre)


def may_request_statements(user: AnyUser) -> bool:
    return Role.BUDGETCHEF in roles_of(user) and person_of(user) is not None


def can_view_statement_request(user: AnyUser, statement: StatementRequest) -> bool:
    """The requester and Tele kundtjänst; not the systemadministratör (issue 16.4)."""
    return is_service_desk(user) or statement.requested_by_id == user.pk


def can_view_statement_content(user: AnyUser, statement: StatementRequest) -> bool:
    return getattr(user, "is_authenticated", False) and statement.requested_by_id == user.pk


def can_decide_statement(user: AnyUser) -> bool:
    return is_service_desk(user)


def can_view_statement_log(user: AnyUser) -> bool:
    return is_service_desk(user)
