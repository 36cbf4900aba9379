"""Who imports today's register: Tele kundtjänst, and only Tele kundtjänst (issue 17.4)."""

from common.roles import is_service_desk
from common.users import AnyUser


def can_import_register(user: AnyUser) -> bool:
    return is_service_desk(user)
