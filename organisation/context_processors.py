from common.roles import Role, roles_of

from .permissions import person_of


def roles(request):
    """Roles of the signed-in user for the navigation: `roles.telekundtjanst` etc."""
    user = getattr(request, "user", None)
    codes = roles_of(user) if user is not None else frozenset()
    return {
        "roles": {role.value: role in codes for role in Role},
        "role_labels": [role.label for role in Role if role in codes],
        "current_person": person_of(user) if user is not None else None,
    }
